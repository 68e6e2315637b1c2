"""Span scores: the words that pushed each attribute up, in UTF-16 offsets of the text as sent."""

import pytest

from moderation.perspective.text import html_text, plain_text, utf16_offset
from tests.moderation.perspective.conftest import ANALYZE

pytestmark = pytest.mark.django_db


def _utf16(text: str, begin: int, end: int) -> str:
    """The text between two UTF-16 offsets, as a client in JavaScript or Java would cut it."""
    return text.encode("utf-16-le")[begin * 2 : end * 2].decode("utf-16-le")


def _spans(post, text: str, attribute: str = "TOXICITY", **comment) -> list[dict]:
    body = {
        "comment": {"text": text, **comment},
        "requestedAttributes": {attribute: {}},
        "spanAnnotations": True,
        "languages": ["en"],
    }
    response = post(ANALYZE, body)
    assert response.status_code == 200, response.json()
    return response.json()["attributeScores"][attribute]["spanScores"]


def test_spans_point_at_the_insult_after_emoji_and_accents(post):
    text = "Café crème 😀😀 at the fête 🎉, but you are an idiot"
    spans = _spans(post, text)
    words = [_utf16(text, s["begin"], s["end"]) for s in spans]
    assert "idiot" in words
    idiot = spans[words.index("idiot")]
    # Three astral emoji before it: UTF-16 offsets run three units past Python's code points.
    assert idiot["begin"] == text.index("idiot") + 3
    assert idiot["end"] - idiot["begin"] == len("idiot")
    assert idiot["score"]["type"] == "PROBABILITY"
    assert idiot["score"]["value"] == max(s["score"]["value"] for s in spans)


def test_each_attribute_gets_spans_of_its_own_label(post):
    text = "all immigrants are rapists, and you are an idiot"
    identity = {_utf16(text, s["begin"], s["end"]) for s in _spans(post, text, "IDENTITY_ATTACK")}
    insult = [_utf16(text, s["begin"], s["end"]) for s in _spans(post, text, "INSULT")]
    assert "rapists" in identity and "immigrants" not in identity  # the attack, not the group
    assert "idiot" in insult


def test_spans_in_html_refer_to_the_original_markup(post):
    text = '<p class="c">Caf&eacute; <b>review</b>: 😀 you are an <i>idiot</i> &amp; a clown</p>'
    spans = _spans(post, text, type="HTML")
    words = [_utf16(text, s["begin"], s["end"]) for s in spans]
    assert "idiot" in words
    assert all("<" not in w and ">" not in w for w in words)


def test_html_tags_are_not_scored_as_words(post):
    clean = "Thanks for the report."
    marked_up = "<div><script>idiot()</script><p>Thanks for the <b>report</b>.</p></div>"

    def score(text: str, text_type: str) -> float:
        body = {
            "comment": {"text": text, "type": text_type},
            "requestedAttributes": {"TOXICITY": {}},
            "languages": ["en"],
        }
        scores = post(ANALYZE, body).json()["attributeScores"]
        return scores["TOXICITY"]["summaryScore"]["value"]

    assert score(marked_up, "HTML") == pytest.approx(score("\n\n" + clean, "PLAIN_TEXT"), abs=0.02)
    assert score(marked_up, "HTML") < score(marked_up, "PLAIN_TEXT")


def test_a_comment_nothing_pushed_up_gets_one_span_over_the_whole_text(post, monkeypatch):
    from ml import Model

    monkeypatch.setattr(Model, "explain", lambda self, text, top=5, label=None: [])
    text = "Merci 😀"
    spans = _spans(post, text)
    assert [(s["begin"], s["end"]) for s in spans] == [(0, 8)]


def test_utf16_offsets_count_astral_characters_twice():
    text = "a😀é🎉b"
    assert [utf16_offset(text, i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7]


def test_plain_text_maps_every_character_to_itself():
    scored = plain_text("héllo 😀 world")
    assert scored.plain == scored.original
    assert scored.original_span(8, 13) == (8, 13)
    assert scored.utf16_span(8, 13) == (9, 14)


def test_html_text_drops_markup_decodes_entities_and_keeps_offsets():
    source = "<p>Fish &amp; chips</p><br/><!-- note -->caf&#233; <style>p{}</style>ok"
    scored = html_text(source)
    assert scored.plain == "\nFish & chips\n\ncafé ok"
    amp = scored.plain.index("&")
    assert source[slice(*scored.original_span(amp, amp + 1))] == "&amp;"
    cafe = scored.plain.index("café")
    assert source[slice(*scored.original_span(cafe, cafe + 4))] == "caf&#233;"
