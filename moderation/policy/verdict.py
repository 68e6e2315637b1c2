"""One place where rules, trust and model scores become a decision, in a documented order.

1. Hard rules: a ban, a filled honeypot, a closed article (refused at submit time) and banned
   words reject, whatever else is true.
2. Trust: a trusted author's comment that rules or models would hold is published; a rejection
   by a soft rule or a model still stands.
3. Classifier unavailable: without model scores nothing is published automatically.
4. Models and soft rules: the models' decision by the site's thresholds, then each soft rule that
   fired, which can only make it stricter (publish → hold → reject), never looser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from moderation.models import Comment

Status = Comment.Status
HOLD = Status.HELD
REJECT = Status.REJECTED
_RANK = {Status.APPROVED: 0, Status.HELD: 1, Status.REJECTED: 2}
_PREFIX = {
    Status.APPROVED: "Published",
    Status.HELD: "Held for review",
    Status.REJECTED: "Rejected",
}

# The rules that decide before trust, and the order they are tried in.
HARD_RULES = ("ban", "honeypot", "closed", "banned_word")
CLASSIFIER_UNAVAILABLE = "classifier_unavailable"

# Every rule a decision can name, with the words the admin shows for it.
RULE_WORDS = {
    "ban": "ban",
    "honeypot": "honeypot",
    "banned_word": "banned word",
    "classifier_unavailable": "classifier unavailable",
    "severe_phrase": "severe phrase",
    "suspect_word": "suspect word",
    "links": "too many links",
    "blocked_domain": "blocked domain",
    "link_shortener": "URL shortener",
    "markup": "markup or code",
    "newcomer": "newcomer",
    "length": "length",
    "author_fields": "author fields",
    "campaign": "campaign",
}


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired: its name, what it asks for (hold or reject) and the reason in words."""

    rule: str
    effect: str  # Status.HELD or Status.REJECTED
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    def as_detail(self) -> dict[str, Any]:
        return {"rule": self.rule, "effect": str(self.effect), "reason": self.reason, **self.detail}


@dataclass(frozen=True)
class Verdict:
    """The decision, its reason, every rule that fired and the label or rule that drove it."""

    status: str
    reason: str
    hits: tuple[RuleHit, ...] = ()
    label: str = ""

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(hit.rule for hit in self.hits))


def _strip_prefix(reason: str) -> str:
    for prefix in _PREFIX.values():
        for variant in (f"{prefix}: ", f"{prefix} (trusted author): "):
            if reason.startswith(variant):
                return reason[len(variant) :].rstrip(".")
    return reason.rstrip(".")


def _sentence(status: str, parts: Iterable[str], *, trusted: bool = False) -> str:
    prefix = _PREFIX[Status(status)] + (" (trusted author)" if trusted else "")
    return f"{prefix}: " + "; ".join(part for part in parts if part) + "."


def combine(
    hits: Sequence[RuleHit],
    *,
    model_status: str | None,
    model_reason: str = "",
    model_label: str = "",
    trusted: bool = False,
) -> Verdict:
    """The decision for a comment, given every rule that fired and the models' own decision.

    `model_status` is None when the classifier was unavailable.
    """
    hard = [hit for hit in hits if hit.rule in HARD_RULES]
    if hard:
        return Verdict(
            REJECT, _sentence(REJECT, (h.reason for h in hard)), tuple(hits), hard[0].rule
        )
    soft = list(hits)
    models = f"models: {_strip_prefix(model_reason)}" if model_reason else ""
    if model_status is None:
        unavailable = RuleHit(CLASSIFIER_UNAVAILABLE, HOLD, "classifier unavailable")
        soft = [unavailable, *soft]
    status = Status.APPROVED if model_status is None else Status(model_status)
    label = model_label if status != Status.APPROVED else ""
    for hit in soft:
        if _RANK[Status(hit.effect)] > _RANK[status]:
            status, label = Status(hit.effect), hit.rule
    if status == Status.HELD and trusted:
        parts = [f"would be held for {h.reason}" for h in soft if h.effect == HOLD]
        return Verdict(
            Status.APPROVED, _sentence(Status.APPROVED, [*parts, models], trusted=True), tuple(soft)
        )
    if not soft:
        return Verdict(status, model_reason, (), label)
    rejecting = [h.reason for h in soft if h.effect == REJECT]
    holding = [h.reason for h in soft if h.effect == HOLD]
    return Verdict(status, _sentence(status, [*rejecting, *holding, models]), tuple(soft), label)
