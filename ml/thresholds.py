"""Threshold choice: where to publish, hold for a moderator or reject, from validation scores."""

from __future__ import annotations

import numpy as np

REJECT_PRECISION = 0.99
PUBLISH_MAX_MISSED = 0.02
# A precision measured on fewer predicted positives than this is noise, not evidence.
MIN_REJECT_SUPPORT = 20


def choose_thresholds(y: np.ndarray, p: np.ndarray) -> tuple[dict[str, float], list[str]]:
    """`reject`: lowest score with precision >= 0.99; `publish`: at most 2% of positives below."""
    hard = np.asarray(y) >= 0.5
    p = np.asarray(p, dtype=np.float64)
    notes = []
    order = np.argsort(-p, kind="stable")
    ps, hs = p[order], hard[order]
    tp = np.cumsum(hs)
    flagged = np.arange(1, len(ps) + 1)
    precision = tp / flagged
    # Only cut between distinct scores: everyone at the same score is treated alike.
    last_of_score = np.r_[ps[1:] != ps[:-1], True]
    ok = last_of_score & (precision >= REJECT_PRECISION) & (flagged >= MIN_REJECT_SUPPORT)
    if ok.any():
        i = int(np.flatnonzero(ok)[-1])
        reject = float(ps[i])
        notes.append(
            f"reject: precision {precision[i]:.4f} on {flagged[i]} validation comments flagged, "
            f"recall {tp[i] / max(hs.sum(), 1):.4f}"
        )
    else:
        cand = last_of_score & (flagged >= MIN_REJECT_SUPPORT)
        i = int(np.flatnonzero(cand)[np.argmax(precision[cand])]) if cand.any() else 0
        reject = float(ps[i])
        notes.append(
            f"reject: precision {REJECT_PRECISION} is unreachable on validation data; using the "
            f"score with the best precision ({precision[i]:.4f} on {flagged[i]} comments)"
        )
    positives = np.sort(p[hard])
    k = int(np.floor(PUBLISH_MAX_MISSED * len(positives)))
    publish = float(positives[k]) if len(positives) else 0.5
    missed = float(np.mean(positives < publish)) if len(positives) else 0.0
    negatives_published = float(np.mean(p[~hard] < publish)) if (~hard).any() else 0.0
    notes.append(
        f"publish: {missed:.2%} of positive validation comments score below it; "
        f"{negatives_published:.2%} of negative ones would be published automatically"
    )
    if publish > reject:
        notes.append("publish was above reject and was lowered to it")
        publish = reject
    return {"publish": round(publish, 6), "reject": round(reject, 6)}, notes
