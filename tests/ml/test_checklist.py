import json

from ml.checklist import SUITE_FILE, load_cases


def test_the_suite_has_ten_templates_per_category_and_twenty_identity_terms() -> None:
    suite = json.loads(SUITE_FILE.read_text())
    assert len(suite["fills"]["group"]) >= 20
    expected = {
        "neutral mention": "publish",
        "positive mention": "publish",
        "negated hate": "publish",
        "counter-speech quoting hate": "publish",
        "criticism of public figures and institutions": "publish",
        "threat": "hold",
        "identity hate": "hold",
        "dehumanisation": "hold",
    }
    assert {k: v["expect"] for k, v in suite["categories"].items()} == expected
    assert all(len(v["templates"]) >= 10 for v in suite["categories"].values())


def test_templates_are_filled_and_capitalised() -> None:
    cases = load_cases()
    assert all("{" not in c.text for c in cases)
    assert "Muslims are vermin." in {c.text for c in cases}
    assert len({c.text for c in cases}) == len(cases)
