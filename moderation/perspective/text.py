"""The text a model reads, and how its offsets map back to the caller's text in UTF-16 units.

Perspective reports span offsets as UTF-16 code units of the text it was sent, also for HTML,
whose tags are removed before scoring. Python strings count code points, so every character
outside the Basic Multilingual Plane (most emoji) counts twice on the way out.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass

# A tag, a comment, or a script/style element with its content: none of it is the comment's text.
_MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]*>|&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]+\d*);",
    re.DOTALL | re.IGNORECASE,
)
# Tags that end a line of text, so that words either side of them stay apart.
_BREAKING = re.compile(r"<\s*/?\s*(br|p|div|li|ul|ol|h[1-6]|tr|td|th|blockquote|pre)\b", re.I)


@dataclass(frozen=True)
class ScoredText:
    """The plain text the models score, with each of its characters' place in the original."""

    original: str
    plain: str
    starts: tuple[int, ...]  # plain[i] came from original[starts[i]:ends[i]]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's code-point span behind plain[start:end] (a non-empty span)."""
        return self.starts[start], self.ends[end - 1]

    def utf16_span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's UTF-16 span behind plain[start:end]."""
        begin, finish = self.original_span(start, end)
        return utf16_offset(self.original, begin), utf16_offset(self.original, finish)


def utf16_offset(text: str, index: int) -> int:
    """UTF-16 code units before text[index]."""
    return index + sum(1 for ch in itertools.islice(text, index) if ord(ch) > 0xFFFF)


def plain_text(text: str) -> ScoredText:
    """Plain text as it is: every character maps to itself."""
    positions = tuple(range(len(text)))
    return ScoredText(text, text, positions, tuple(p + 1 for p in positions))


def html_text(source: str) -> ScoredText:
    """The readable text of an HTML fragment: tags dropped, entities decoded, offsets kept."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def keep(piece: str, start: int, end: int) -> None:
        for ch in piece:
            chars.append(ch)
            starts.append(start)
            ends.append(end)

    position = 0
    for match in _MARKUP.finditer(source):
        for i in range(position, match.start()):
            keep(source[i], i, i + 1)
        token = match.group(0)
        if token.startswith("&"):
            keep(html.unescape(token), match.start(), match.end())
        elif _BREAKING.match(token):
            keep("\n", match.start(), match.end())
        position = match.end()
    for i in range(position, len(source)):
        keep(source[i], i, i + 1)
    return ScoredText(source, "".join(chars), tuple(starts), tuple(ends))
