import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.models import Comment
from moderation.policy import Thresholds, decide, driving_label, resolve_thresholds

Status = Comment.Status
BOUNDS = {"spam": Thresholds(publish=0.3, reject=0.9), "toxicity": Thresholds(0.2, 0.8)}


def test_it_publishes_when_every_score_is_below_its_publish_threshold():
    decision = decide({"spam": 0.1, "toxicity": 0.05}, BOUNDS)
    assert decision.status == Status.APPROVED
    assert "spam score 0.100 < publish threshold 0.300" in decision.reason


def test_it_holds_a_comment_between_the_thresholds_and_says_which_model():
    decision = decide({"spam": 0.1, "toxicity": 0.5}, BOUNDS)
    assert decision.status == Status.HELD
    assert "toxicity score 0.500 ≥ publish threshold 0.200" in decision.reason
    assert "spam" not in decision.reason


def test_it_rejects_when_any_model_reaches_its_reject_threshold():
    decision = decide({"spam": 0.95, "toxicity": 0.5}, BOUNDS)
    assert decision.status == Status.REJECTED
    assert decision.reason == "Rejected: spam score 0.950 ≥ reject threshold 0.900."


def test_a_score_exactly_on_a_threshold_counts_as_crossing_it():
    assert decide({"spam": 0.3, "toxicity": 0.0}, BOUNDS).status == Status.HELD
    assert decide({"spam": 0.9, "toxicity": 0.0}, BOUNDS).status == Status.REJECTED


def test_site_overrides_replace_the_model_defaults_bound_by_bound():
    resolved = resolve_thresholds(
        {"spam": {"publish": 0.3, "reject": 0.9}, "toxicity": {"publish": 0.2, "reject": 0.8}},
        {"spam": {"reject": 0.6}},
    )
    assert resolved["spam"] == Thresholds(publish=0.3, reject=0.6)
    assert resolved["toxicity"] == Thresholds(publish=0.2, reject=0.8)


def test_a_site_raising_publish_above_the_model_reject_threshold_never_inverts_them():
    resolved = resolve_thresholds(
        {"spam": {"publish": 0.3, "reject": 0.9}}, {"spam": {"publish": 0.95}}
    )
    assert resolved["spam"] == Thresholds(publish=0.95, reject=0.95)


def test_a_site_lowering_reject_below_the_model_publish_threshold_lowers_publish_too():
    resolved = resolve_thresholds(
        {"spam": {"publish": 0.3, "reject": 0.9}}, {"spam": {"reject": 0.1}}
    )
    assert resolved["spam"] == Thresholds(publish=0.1, reject=0.1)


@pytest.mark.parametrize("publish, reject", [(0.5, 0.4), (-0.1, 0.5), (0.2, 1.5)])
def test_it_refuses_thresholds_that_make_no_sense(publish, reject):
    with pytest.raises(ValueError):
        Thresholds(publish=publish, reject=reject)


SEVERITY = {Status.APPROVED: 0, Status.HELD: 1, Status.REJECTED: 2}
probability = st.floats(min_value=0.0, max_value=1.0)


@given(spam=probability, toxicity=probability, bump=probability)
def test_a_higher_score_never_makes_the_decision_more_lenient(spam, toxicity, bump):
    before = decide({"spam": spam, "toxicity": toxicity}, BOUNDS).status
    after = decide({"spam": max(spam, bump), "toxicity": toxicity}, BOUNDS).status
    assert SEVERITY[after] >= SEVERITY[before]


def test_the_driving_label_is_the_one_closest_to_its_reject_threshold():
    # spam 0.6 is half way through its band (0.3-0.9); toxicity 0.7 is five sixths through 0.2-0.8.
    assert driving_label(Status.HELD, {"spam": 0.6, "toxicity": 0.7}, BOUNDS) == "toxicity"
    assert driving_label(Status.REJECTED, {"spam": 0.95, "toxicity": 0.1}, BOUNDS) == "spam"


def test_a_published_comment_has_no_driving_label():
    assert driving_label(Status.APPROVED, {"spam": 0.1, "toxicity": 0.1}, BOUNDS) == ""
