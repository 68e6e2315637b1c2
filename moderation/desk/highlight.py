"""A comment's text with the words that pushed each score up marked in place, safely escaped."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

_CSS_NAME = re.compile(r"[^a-z0-9_-]")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    model: str
    feature: str
    weight: float


def _spans(text: str, explanation: Mapping[str, Any]) -> list[_Span]:
    """The well-formed spans of every model; anything malformed is skipped, never trusted."""
    spans = []
    for model, items in (explanation or {}).items():
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            start, end, weight = item.get("start"), item.get("end"), item.get("weight", 0.0)
            if not (isinstance(start, int) and isinstance(end, int)):
                continue
            if not (0 <= start < end <= len(text)) or not isinstance(weight, (int, float)):
                continue
            spans.append(_Span(start, end, str(model), str(item.get("feature", "")), weight))
    return spans


def highlighted_html(text: str, explanation: Mapping[str, Any]) -> SafeString:
    """Escape the text, then wrap each explained span in <mark> naming its model and weight.

    Spans of different models may overlap; the text is cut at every span boundary, and each piece
    is marked with all the models whose spans cover it.
    """
    spans = _spans(text, explanation)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    parts: list[str] = []
    for start, end in itertools.pairwise(cuts):
        piece = text[start:end]
        covering = [s for s in spans if s.start <= start and end <= s.end]
        if not covering:
            parts.append(escape(piece))
            continue
        models = sorted({s.model for s in covering})
        classes = " ".join(f"desk-hl-{_CSS_NAME.sub('', m.lower())}" for m in models)
        title = "; ".join(f"{s.model} +{s.weight:.2f} ({s.feature})" for s in covering)
        mark = format_html('<mark class="desk-hl {}" title="{}">{}</mark>', classes, title, piece)
        parts.append(mark)
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped or format_html
