import numpy as np

from ml.thresholds import MIN_REJECT_SUPPORT, choose_thresholds


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
