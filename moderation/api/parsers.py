"""JSON bodies with a nesting limit, so a deeply nested body is a 400, never a RecursionError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request of this API nests more than a few levels; a hundred kilobytes of `[[[…]]]` would
# otherwise reach Python's recursion limit in the decoder or in whatever walks the result.
MAX_JSON_DEPTH = 64


def nesting_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether lists/objects nest deeper than limit; iterative, so it never recurses itself."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than MAX_JSON_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        too_deep = ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if nesting_depth_exceeds(data, MAX_JSON_DEPTH):
            raise too_deep
        return data
