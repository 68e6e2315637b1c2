import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.models import Comment
from moderation.policy import Thresholds, decide, resolve_thresholds

Status = Comment.Status
BOUNDS = {
    "spam": Thresholds(publish=0.3, reject=0.9),
    "toxicity": Thresholds(0.2, 0.8),
    "threat": Thresholds(0.05, 0.9),
    "insult": Thresholds(0.5, None),  # never rejects on its own
}
CLEAN = {"spam": 0.1, "toxicity": 0.05, "threat": 0.01, "insult": 0.2}


def test_it_publishes_when_every_label_is_below_its_publish_threshold():
    decision = decide(CLEAN, BOUNDS)
    assert decision.status == Status.APPROVED
    assert decision.reason.startswith("Published: every label below its publish threshold (")
    assert "spam 0.10 < 0.30" in decision.reason and "threat 0.01 < 0.05" in decision.reason


def test_it_holds_a_comment_between_the_thresholds_and_names_the_label():
    decision = decide({**CLEAN, "toxicity": 0.5}, BOUNDS)
    assert decision.status == Status.HELD
    assert decision.reason == (
        "Held for review: toxicity 0.50 ≥ publish threshold 0.20 (reject threshold 0.80)."
    )


def test_a_likely_threat_is_held_even_when_toxicity_is_low():
    decision = decide({**CLEAN, "threat": 0.21}, BOUNDS)
    assert decision.status == Status.HELD
    assert "threat 0.21 ≥ publish threshold 0.05" in decision.reason


def test_it_rejects_when_any_label_reaches_its_reject_threshold_and_says_so_in_words():
    decision = decide({**CLEAN, "threat": 0.97, "toxicity": 0.5}, BOUNDS)
    assert decision.status == Status.REJECTED
    assert decision.reason == "Rejected: threat 0.97 ≥ reject threshold 0.90."


def test_a_label_without_a_reject_threshold_holds_however_high_it_scores():
    decision = decide({**CLEAN, "insult": 1.0}, BOUNDS)
    assert decision.status == Status.HELD
    assert "insult 1.00 ≥ publish threshold 0.50 (never rejected automatically)" in decision.reason


def test_label_names_read_as_words():
    bounds = {"identity_attack": Thresholds(0.2, 0.9)}
    reason = decide({"identity_attack": 0.95}, bounds).reason
    assert reason == "Rejected: identity attack 0.95 ≥ reject threshold 0.90."


def test_more_decimals_are_shown_where_two_would_hide_the_difference():
    reason = decide({"spam": 0.1299}, {"spam": Thresholds(0.127293, 0.931024)}).reason
    assert "spam 0.130 ≥ publish threshold 0.127" in reason


def test_a_score_exactly_on_a_threshold_counts_as_crossing_it():
    assert decide({**CLEAN, "spam": 0.3}, BOUNDS).status == Status.HELD
    assert decide({**CLEAN, "spam": 0.9}, BOUNDS).status == Status.REJECTED


def test_labels_without_thresholds_or_without_scores_do_not_decide():
    assert decide({**CLEAN, "profanity": 0.99}, BOUNDS).status == Status.APPROVED
    assert decide({"spam": 0.1}, BOUNDS).status == Status.APPROVED


def test_nothing_to_judge_by_is_held_not_published():
    assert decide({"spam": 0.1}, {}).status == Status.HELD


def test_a_site_row_replaces_the_model_thresholds_of_its_label_only():
    resolved = resolve_thresholds(
        {"spam": {"publish": 0.3, "reject": 0.9}, "toxicity": {"publish": 0.2, "reject": 0.8}},
        {"spam": {"publish": 0.1, "reject": 0.6}},
    )
    assert resolved == {"spam": Thresholds(0.1, 0.6), "toxicity": Thresholds(0.2, 0.8)}


def test_a_site_can_switch_off_automatic_rejection_for_a_label():
    resolved = resolve_thresholds(
        {"toxicity": {"publish": 0.2, "reject": 0.8}},
        {"toxicity": {"publish": 0.2, "reject": None}},
    )
    assert resolved["toxicity"] == Thresholds(0.2, None)
    assert decide({"toxicity": 0.99}, resolved).status == Status.HELD


def test_a_site_row_can_cover_a_label_the_model_has_no_default_for():
    resolved = resolve_thresholds(
        {"toxicity": {"publish": 0.2, "reject": 0.8}}, {"threat": {"publish": 0.05, "reject": 0.5}}
    )
    assert resolved["threat"] == Thresholds(0.05, 0.5)
    assert decide({"toxicity": 0.1, "threat": 0.6}, resolved).status == Status.REJECTED


@pytest.mark.parametrize("publish, reject", [(0.5, 0.4), (-0.1, 0.5), (0.2, 1.5), (1.2, None)])
def test_it_refuses_thresholds_that_make_no_sense(publish, reject):
    with pytest.raises(ValueError):
        Thresholds(publish=publish, reject=reject)


SEVERITY = {Status.APPROVED: 0, Status.HELD: 1, Status.REJECTED: 2}
probability = st.floats(min_value=0.0, max_value=1.0)
labels = st.sampled_from(sorted(BOUNDS))


@given(
    scores=st.fixed_dictionaries({label: probability for label in BOUNDS}),
    label=labels,
    bump=probability,
)
def test_a_higher_score_never_makes_the_decision_more_lenient(scores, label, bump):
    before = decide(scores, BOUNDS).status
    after = decide({**scores, label: max(scores[label], bump)}, BOUNDS).status
    assert SEVERITY[after] >= SEVERITY[before]


def test_a_trusted_author_is_published_where_others_are_held_and_the_reason_says_so():
    thresholds = {"spam": Thresholds(0.3, 0.9), "toxicity": Thresholds(0.3, 0.9)}
    decision = decide({"spam": 0.5, "toxicity": 0.1}, thresholds, trusted=True)
    assert decision.status == Comment.Status.APPROVED
    assert "trusted author" in decision.reason and "spam 0.50" in decision.reason


def test_trust_never_overturns_a_rejection():
    thresholds = {"spam": Thresholds(0.3, 0.9), "toxicity": Thresholds(0.3, 0.9)}
    decision = decide({"spam": 0.5, "toxicity": 0.95}, thresholds, trusted=True)
    assert decision.status == Comment.Status.REJECTED
