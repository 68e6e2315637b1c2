import numpy as np

from ml.model import Thresholds
from ml.thresholds import (
    HOLD,
    MIN_REJECT_SUPPORT,
    PUBLISH,
    REJECT,
    choose_news_thresholds,
    choose_spam_thresholds,
    choose_thresholds,
    decide,
)


def test_reject_is_the_lowest_score_that_keeps_precision_at_99_percent() -> None:
    # 100 negatives below 0.5, 100 positives above; one negative sits among the top scores.
    y = np.r_[np.zeros(100), np.ones(100), 0.0]
    p = np.r_[np.linspace(0.0, 0.4, 100), np.linspace(0.6, 0.99, 100), 0.985]
    thresholds, notes = choose_thresholds(y, p)
    flagged = p >= thresholds["reject"]
    assert flagged.sum() >= MIN_REJECT_SUPPORT
    assert y[flagged].mean() >= 0.99
    # One step lower would still be at least as precise only if nothing below it is negative.
    assert thresholds["reject"] <= 0.6 + 1e-9
    assert any(n.startswith("reject: precision") for n in notes)


def test_publish_lets_at_most_two_percent_of_positives_through() -> None:
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(500), np.ones(500)]
    p = np.r_[rng.uniform(0.0, 0.7, 500), rng.uniform(0.3, 1.0, 500)]
    thresholds, _ = choose_thresholds(y, p)
    assert np.mean(p[y == 1] < thresholds["publish"]) <= 0.02


def test_it_says_when_the_reject_precision_is_unreachable() -> None:
    y = np.r_[np.zeros(50), np.ones(50)]
    p = np.r_[np.full(50, 0.5), np.full(50, 0.5)]
    thresholds, notes = choose_thresholds(y, p)
    assert "unreachable" in notes[0]
    assert thresholds["publish"] <= thresholds["reject"]


def test_any_label_at_its_reject_threshold_rejects_and_every_label_must_pass_to_publish() -> None:
    scores = {"toxicity": np.array([0.1, 0.1, 0.5, 0.95]), "threat": np.array([0.0, 0.4, 0.0, 0.0])}
    thresholds: Thresholds = {
        "toxicity": {"publish": 0.3, "reject": 0.9},
        "threat": {"publish": 0.2, "reject": None},
    }
    assert decide(scores, thresholds).tolist() == [PUBLISH, HOLD, HOLD, REJECT]


def test_news_thresholds_meet_the_desks_targets_on_the_stream_when_the_scores_allow() -> None:
    rng = np.random.default_rng(1)
    n = 4000
    abusive = np.r_[np.ones(n // 2, dtype=bool), np.zeros(n // 2, dtype=bool)]
    clean = ~abusive
    # The natural stream: every clean comment and about 5% toxic; the other toxic rows stand
    # for the toxic-spans posts.
    stream = clean | (abusive & (np.arange(n) < 100))
    tox = np.where(abusive, rng.beta(5, 1.5, n), rng.beta(1.5, 6, n))
    threat_pos = abusive & (rng.random(n) < 0.1)
    threat = np.where(threat_pos, rng.beta(6, 2, n), rng.beta(1, 12, n))
    scores = {"toxicity": tox, "severe_toxicity": tox * 0.5, "threat": threat}
    positive = {"toxicity": abusive, "severe_toxicity": abusive, "threat": threat_pos}
    t, how = choose_news_thresholds(scores, positive, abusive, clean, stream)
    d = decide(scores, t)
    assert np.mean(d[abusive & stream] == PUBLISH) <= 0.15
    assert np.mean(d[clean] == REJECT) <= 0.005
    assert np.mean(d[threat_pos] != PUBLISH) >= 0.90
    assert how["threat"].startswith("span-chosen") and how["toxicity"].startswith("stream")
    for label in ("toxicity", "severe_toxicity", "threat"):
        r = t[label]["reject"]
        assert r is None or t[label]["publish"] <= r


def test_spam_publishes_all_but_two_percent_of_the_streams_clean_comments() -> None:
    rng = np.random.default_rng(2)
    y = np.r_[np.ones(500), np.zeros(500)]
    p = np.where(y == 1, rng.beta(6, 1.5, 1000), rng.beta(1.5, 6, 1000))
    stream = rng.beta(1.2, 8, 3000)
    flat, notes = choose_spam_thresholds(y, p, stream)
    assert np.mean(stream >= flat["publish"]) <= 0.02
    assert np.mean(stream >= flat["publish"]) > 0.01  # a margin, no stricter than that
    assert flat["publish"] <= flat["reject"]
    assert any("natural stream" in n for n in notes)
