"""Banned and suspect words: terms matched on normalised text, between word boundaries.

A term is a word or phrase; `*` stands for any letters inside a word ("wank*"). Terms and
comments both go through `ml.normalize` (case, accents, look-alikes, l33t, spacing and stretched
letters), and each letter of a term may repeat ("fuuck"), but a term only matches whole words:
"Scunthorpe", "assassin", "cockpit" and "therapist" never trip "cunt", "ass", "cock" or "rapist".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ml.normalize import normalize


def parse_terms(text: str) -> tuple[str, ...]:
    """A site's list as typed in the admin: one term a line or comma-separated; # comments."""
    terms: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        terms.extend(term.strip() for term in line.split(","))
    return tuple(dict.fromkeys(term for term in terms if term))


def _term_pattern(term: str) -> str:
    # Normalise the term as the comment is, keeping `*` (the normaliser leaves it alone).
    pieces = [normalize(piece) for piece in term.lower().split("*")]
    out = []
    for index, piece in enumerate(pieces):
        if index:
            out.append(r"[a-z0-9]*")
        for char in piece:
            if char == " ":
                out.append(r"[\s._-]*")
            elif char.isalnum():
                out.append(re.escape(char) + "+")
            else:
                out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=256)
def compile_terms(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a list of terms, longest first; None for an empty list.

    Terms of fewer than two letters once normalised ("xxx" reads as "x") are left out: they
    would match ordinary words.
    """
    usable = [term for term in terms if len(normalize(term.replace("*", "")).strip()) >= 2]
    patterns = sorted({_term_pattern(term) for term in usable}, key=len)
    if not patterns:
        return None
    alternatives = "|".join(reversed(patterns))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def matched_terms(pattern: re.Pattern[str] | None, normalized_text: str) -> list[str]:
    """The distinct words of the (normalised) text that the pattern matches, in order."""
    if pattern is None:
        return []
    return list(dict.fromkeys(match.group(0) for match in pattern.finditer(normalized_text)))


def term_list(*lists: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for terms in lists for term in terms))
