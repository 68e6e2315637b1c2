"""The order of precedence: hard rules, trust, classifier unavailable, models and soft rules."""

from moderation.models import Comment
from moderation.policy.verdict import HOLD, REJECT, RuleHit, combine

Status = Comment.Status
PUBLISHED_BY_MODELS = "Published: every label below its publish threshold (spam 0.01 < 0.30)."
HELD_BY_MODELS = "Held for review: toxicity 0.50 ≥ publish threshold 0.30 (reject threshold 0.90)."
BANNED = RuleHit("banned_word", REJECT, "banned word “xxx”")
PHRASE = RuleHit("severe_phrase", HOLD, "severe phrase, threat of violence: “hang them”")
BLOCKED = RuleHit("blocked_domain", REJECT, "links to blocked domain bad.example")


def test_without_rules_the_models_decide_with_their_own_reason():
    verdict = combine([], model_status=Status.APPROVED, model_reason=PUBLISHED_BY_MODELS)
    assert (verdict.status, verdict.reason, verdict.rules) == (
        Status.APPROVED,
        PUBLISHED_BY_MODELS,
        [],
    )


def test_a_soft_rule_makes_a_published_comment_held_and_names_itself_and_the_scores():
    verdict = combine([PHRASE], model_status=Status.APPROVED, model_reason=PUBLISHED_BY_MODELS)
    assert verdict.status == Status.HELD
    assert verdict.reason == (
        "Held for review: severe phrase, threat of violence: “hang them”; models: every label "
        "below its publish threshold (spam 0.01 < 0.30)."
    )
    assert verdict.rules == ["severe_phrase"] and verdict.label == "severe_phrase"


def test_a_rule_never_makes_a_decision_looser():
    verdict = combine([PHRASE], model_status=Status.REJECTED, model_reason="Rejected: spam.")
    assert verdict.status == Status.REJECTED


def test_hard_rules_reject_even_for_trusted_authors():
    verdict = combine([BANNED, PHRASE], model_status=None, trusted=True)
    assert verdict.status == Status.REJECTED
    assert verdict.reason == "Rejected: banned word “xxx”."
    assert verdict.rules == ["banned_word", "severe_phrase"]


def test_trust_publishes_what_rules_and_models_would_hold_but_not_a_soft_rejection():
    verdict = combine([PHRASE], model_status=Status.HELD, model_reason=HELD_BY_MODELS, trusted=True)
    assert verdict.status == Status.APPROVED
    assert verdict.reason.startswith("Published (trusted author): would be held for severe phrase")
    blocked = combine([BLOCKED], model_status=Status.APPROVED, trusted=True)
    assert blocked.status == Status.REJECTED


def test_without_the_classifier_nothing_is_published_automatically():
    verdict = combine([], model_status=None)
    assert (verdict.status, verdict.reason) == (
        Status.HELD,
        "Held for review: classifier unavailable.",
    )
    assert combine([], model_status=None, trusted=True).status == Status.APPROVED
