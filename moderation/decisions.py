"""What an automatic decision writes: the comment's columns and its event's details.

Shared by the one-comment path (services.comment_score) and the batch path (moderation.batch),
so that both record a decision the same way.
"""

from __future__ import annotations

from typing import Any

from moderation.policy.engine import Judgement


def verdict_fields(
    judgement: Judgement, *, explanation: dict[str, list[dict]] | None = None
) -> dict[str, Any]:
    """The comment's columns written with the status (scores, label, rules that fired)."""
    verdict, result = judgement.verdict, judgement.scores
    scored: dict[str, Any] = (
        {
            "spam_score": result.scores.get("spam"),
            "toxicity_score": result.scores.get("toxicity"),
            "scores": result.scores,
            "model_versions": result.versions,
            "explanation": result.explanations if explanation is None else explanation,
        }
        if result
        else {}
    )
    return {
        **scored,
        "decision_label": verdict.label,
        "fired_rules": "".join(f",{rule}" for rule in verdict.rules) + "," if verdict.rules else "",
    }


def verdict_details(judgement: Judgement, *, trusted: bool) -> dict[str, Any]:
    """The event's details: scores, thresholds, model versions, trust and the rules' hits."""
    verdict, result, thresholds = judgement.verdict, judgement.scores, judgement.thresholds
    return {
        **(
            {
                "scores": result.scores,
                "thresholds": {
                    label: {"publish": t.publish, "reject": t.reject}
                    for label, t in thresholds.items()
                },
                "model_versions": result.versions,
            }
            if result
            else {}
        ),
        **({"trusted_author": True} if trusted else {}),
        **({"rules": [hit.as_detail() for hit in verdict.hits]} if verdict.hits else {}),
    }
