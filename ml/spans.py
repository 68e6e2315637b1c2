"""Explanation spans scored like SemEval-2021 Task 5 (toxic spans detection): character F1."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ml.model import Model
from ml.news import SpanPost


def span_f1(predicted: set[int], gold: frozenset[int] | set[int]) -> float:
    """The task's per-post F1 over character offsets (1.0 when both are empty)."""
    if not gold:
        return 1.0 if not predicted else 0.0
    if not predicted:
        return 0.0
    hit = len(predicted & gold)
    if hit == 0:
        return 0.0
    precision, recall = hit / len(predicted), hit / len(gold)
    return 2 * precision * recall / (precision + recall)


def _token_weights(model: Model, posts: Sequence[SpanPost]) -> list[list[tuple[float, int, int]]]:
    out = []
    for post in posts:
        out.append(
            [
                (w, s, e)
                for _, w, s, e in model._token_weights(post.text)
                if s is not None and e is not None
            ]
        )
    return out


def _offsets(tokens: list[tuple[float, int, int]], cut: float, relative: float) -> set[int]:
    strongest = max((w for w, _, _ in tokens), default=0.0)
    return {i for w, s, e in tokens if w > cut and w >= relative * strongest for i in range(s, e)}


def mean_f1(model: Model, posts: Sequence[SpanPost], cut: float, relative: float) -> float:
    """Mean character F1 of the highlighted words over these posts."""
    weights = _token_weights(model, posts)
    return float(
        np.mean(
            [
                span_f1(_offsets(t, cut, relative), p.spans)
                for t, p in zip(weights, posts, strict=True)
            ]
        )
    )


def choose_span_rule(model: Model, posts: Sequence[SpanPost]) -> tuple[float, float, float]:
    """The (cut, relative) rule with the best mean F1 on these (training) posts, and that F1."""
    weights = _token_weights(model, posts)
    best = (0.0, 0.0, -1.0)
    for cut in np.round(np.arange(0.0, 1.01, 0.04), 2):
        for relative in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
            f1 = float(
                np.mean(
                    [
                        span_f1(_offsets(t, cut, relative), p.spans)
                        for t, p in zip(weights, posts, strict=True)
                    ]
                )
            )
            if f1 > best[2]:
                best = (float(cut), relative, f1)
    return best
