"""The committed artifacts load and behave sensibly (no training data needed)."""

import numpy as np
import pytest

from ml import load_model
from ml.model import LABELS, Model
from ml.thresholds import PUBLISH, REJECT, decide


def publish_at(m: Model, label: str | None = None) -> float:
    return m.thresholds[label or m.labels[0]]["publish"]


def reject_at(m: Model, label: str | None = None) -> float:
    value = m.thresholds[label or m.labels[0]]["reject"]
    assert value is not None
    return value


def decisions(m: Model, texts: list[str]) -> list[str]:
    return decide(m.score_labels(texts), m.thresholds).tolist()


def decisions_of_both(spam: Model, toxicity: Model, texts: list[str]) -> list[str]:
    """Every label of both models through the decision rule, as the app applies them."""
    scores = {**spam.score_labels(texts), **toxicity.score_labels(texts)}
    return decide(scores, {**spam.thresholds, **toxicity.thresholds}).tolist()


# Issue 16's demo article (never in the training data).
DEMO_PUBLISHED = [
    "This deal is a disgrace and the minister should resign.",
    "Agreed 100%",
    "Thanks for writing this up. Very helpful!",
    "Reuters has the full text of the agreement: "
    "https://www.reuters.com/world/americas/el-salvador-offers-house-us-prisoners-2025-02-04/",
]
DEMO_REJECTED = "You are an idiot. What a moron."


@pytest.fixture(scope="module")
def spam() -> Model:
    return load_model("spam")


@pytest.fixture(scope="module")
def toxicity() -> Model:
    return load_model("toxicity")


# A plain insult and the same insult in each disguise; the normaliser should undo all of them.
INSULT = "you are a stupid idiot"
DISGUISED = [
    "you are a stup1d 1d10t",
    "you are a s-t-u-p-i-d i.d.i.o.t",
    "you are a stuuuupid idiooooot",
    "you are a st\u200bupid id\u200diot",
    "you are a \u0455tup\u0456d \u0456d\u0456\u043et",  # Cyrillic look-alikes
    "YOU ARE A \uff33\uff34\uff35\uff30\uff29\uff24 \uff29\uff24\uff29\uff2f\uff34",  # fullwidth
]


def test_shipped_models_describe_themselves(spam: Model, toxicity: Model) -> None:
    assert spam.labels == ("spam",)
    assert toxicity.labels == (
        "toxicity",
        "severe_toxicity",
        "insult",
        "threat",
        "identity_attack",
        "profanity",
    )
    for m in (spam, toxicity):
        assert m.version.startswith(f"{m.name}-")
        assert m.labels == LABELS[m.name] and set(m.thresholds) == set(m.labels)
        for t in m.thresholds.values():
            assert 0.0 < t["publish"] <= (1.0 if t["reject"] is None else t["reject"]) <= 1.0
    for label in ("toxicity", "severe_toxicity", "threat"):
        assert toxicity.thresholds[label]["reject"] is not None


def test_obvious_spam_is_rejected_and_a_normal_comment_is_published(spam: Model) -> None:
    obvious, normal = spam.score(
        ["check out my channel http://bit.ly/xyz subscribe!!!", "I love this song so much"]
    )
    assert obvious >= reject_at(spam) * 0.9
    assert normal < publish_at(spam)


def test_spam_with_a_disguised_url_still_scores_high(spam: Model) -> None:
    plain, *disguised = spam.score(
        [
            "subscribe to my channel www.freegifts.com",
            "subscribe to my channel www . freegifts . com",
            "subscribe to my channel freegifts dot com",
            "subscribe to my channel hxxp://freegifts.com",
        ]
    )
    assert plain > 0.9
    assert all(d > 0.9 for d in disguised)


def test_an_insult_scores_high_and_a_polite_comment_low(toxicity: Model) -> None:
    scores = toxicity.score_labels([INSULT, "thank you for the thoughtful article"])
    assert scores["toxicity"][0] > 0.9
    assert scores["insult"][0] > scores["insult"][1]
    assert scores["toxicity"][1] < publish_at(toxicity)


def test_disguised_insults_score_about_as_high_as_the_plain_one(toxicity: Model) -> None:
    plain, *disguised = toxicity.score([INSULT, *DISGUISED])
    # Each disguise here normalises back to the plain text, so the margin only covers float
    # noise; looser disguises are checked against a margin below.
    assert np.all(np.abs(np.array(disguised) - plain) <= 1e-6), (plain, disguised)


def test_partly_disguised_insults_stay_above_the_publish_threshold(toxicity: Model) -> None:
    # Spelling both words with spaces joins them ("stupididiot"); character n-grams still see
    # most of each word. Allow 0.25 below the plain score (the plain insult is ~0.99), and the
    # disguised one must still be far from auto-published.
    plain, joined, partly = toxicity.score(
        [INSULT, "you are a s t u p i d i d i o t", "u r a f4gg0t"]
    )
    assert joined >= plain - 0.25
    assert min(joined, partly) > publish_at(toxicity)


def test_identity_attacks_score_higher_on_the_identity_label(toxicity: Model) -> None:
    s = toxicity.score_labels(["all immigrants are rapists and should be deported", INSULT])
    assert s["identity_attack"][0] > s["identity_attack"][1]


def test_explanations_point_at_the_words_in_the_original_text(toxicity: Model) -> None:
    text = "Honestly, you are a STUP1D 1d10t."
    top = toxicity.explain(text, top=3)
    found = {c.feature: text[c.start : c.end] for c in top if c.start is not None}
    assert found.get("idiot") == "1d10t"
    assert found.get("stupid") == "STUP1D"
    assert top[0].weight >= top[-1].weight > 0


def test_explanations_can_follow_a_sub_label(toxicity: Model) -> None:
    text = "all immigrants are rapists and should be deported, you idiot"
    identity = [c.feature for c in toxicity.explain(text, top=3, label="identity_attack")]
    insult = [c.feature for c in toxicity.explain(text, top=3, label="insult")]
    # Identity words are ordinary words now (the GROUP placeholder was removed: see
    # ml/README.md), so the group named may be among them; the insult is not.
    assert "rapists" in identity and "idiot" not in identity
    assert insult[0] == "idiot"
    with pytest.raises(ValueError):
        toxicity.explain(text, label="no_such_label")


def test_spam_explanations_point_at_the_link_in_the_original_text(spam: Model) -> None:
    text = "Check out my channel http://bit.ly/xyz and subscribe!!"
    top = spam.explain(text, top=5)
    found = {c.feature: text[c.start : c.end] for c in top if c.start is not None}
    assert found.get("urltoken", "").strip() == "http://bit.ly/xyz"
    assert found.get("subscribe") == "subscribe"
    assert top[0].weight >= top[-1].weight > 0


def test_a_link_to_a_moment_in_the_video_is_not_spam_evidence_on_its_own(spam: Model) -> None:
    moment, promotion = spam.score(
        [
            "best part https://www.youtube.com/watch?v=KQ6zr6kCPj8&t=3m40s",
            "best part http://bit.ly/xyz",
        ]
    )
    assert moment < promotion


def test_a_reader_citing_a_news_article_is_published_while_a_scam_link_is_rejected(
    spam: Model,
) -> None:
    citing, scam = spam.score(
        [
            "Source: https://www.reuters.com/world/americas/el-salvador-prisons-2025/",
            "Earn $500 a day from home!!! Visit www.easy-cash-now.biz",
        ]
    )
    assert citing < reject_at(spam)
    assert scam >= reject_at(spam)


def test_scores_are_probabilities_for_awkward_input(spam: Model, toxicity: Model) -> None:
    texts = ["", " ", "\u200b", "😀" * 500, "a" * 20000, "&amp;" * 50, "<b>hi</b>"]
    for m in (spam, toxicity):
        for label, p in m.score_labels(texts).items():
            assert p.shape == (len(texts),), label
            assert np.all((p >= 0) & (p <= 1))


def test_the_demo_articles_readers_are_published_and_the_insult_rejected(
    spam: Model, toxicity: Model
) -> None:
    readers = DEMO_PUBLISHED[1:]  # agreement, thanks, the Reuters citation
    assert decisions_of_both(spam, toxicity, readers) == [PUBLISH] * len(readers)
    assert decisions_of_both(spam, toxicity, [DEMO_REJECTED]) == [REJECT]


@pytest.mark.xfail(
    strict=True,
    reason="issue 16's target, not met: the retrained toxicity model holds this criticism "
    "(about 0.30 against a publish threshold of 0.061); strict, so meeting it fails this mark",
)
def test_the_demo_articles_fair_criticism_is_published(spam: Model, toxicity: Model) -> None:
    assert decisions_of_both(spam, toxicity, DEMO_PUBLISHED[:1]) == [PUBLISH]


def test_no_model_highlights_function_words(spam: Model, toxicity: Model) -> None:
    texts = [*DEMO_PUBLISHED, DEMO_REJECTED, "You are a fool and the worst"]
    for m in (spam, toxicity):
        for text in texts:
            for label in m.labels:
                words = {c.feature for c in m.explain(text, top=10, label=label)}
                assert not {"this", "and", "up", "a", "the", "are", "for", "."} & words, words
                for s, e in m.toxic_spans(text, label=label):
                    # A word, or a whole link (which may end in "/").
                    assert text[s].isalnum() and (text[e - 1].isalnum() or "://" in text[s:e])
                    assert text[s:e].lower() not in {"this", "and", "up", "the", "for"}


def test_the_issue_8_examples_get_the_decisions_a_news_desk_expects(toxicity: Model) -> None:
    insult = "You are an idiot... What a moron."
    texts = [insult, "I am a Muslim woman", "Immigrants built this city"]
    got = decisions(toxicity, texts)
    assert got[0] == REJECT
    assert got[1:] == [PUBLISH, PUBLISH]
    # Fair criticism is held at worst, never rejected.
    criticism = [
        "This deal is a disgrace and the minister should resign.",
        "Shipping prisoners abroad is shameful, Congress must block it",
    ]
    assert REJECT not in decisions(toxicity, criticism)


def test_an_explicit_threat_is_rejected(toxicity: Model) -> None:
    # The issue's implicit threat ("... he never walks again. He should watch his back.") is a
    # known miss of this model: see "Not met" in ml/README.md.
    assert decisions(toxicity, ["I will kill you"]) == [REJECT]


def test_highlighted_spans_are_the_abusive_words(toxicity: Model) -> None:
    text = "You are an idiot... What a moron."
    spans = [text[s:e] for s, e in toxicity.toxic_spans(text)]
    assert "idiot" in spans and set(spans) <= {"idiot", "moron"}
