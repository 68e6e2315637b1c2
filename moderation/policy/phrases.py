# ruff: noqa: E501  (one pattern a line reads better than patterns split across lines)
"""Severe phrases: threats, exposure, dehumanisation and calls to expel, over normalised text.

The list is this project's own, written for this layer; bump PHRASES_VERSION when it changes so
a decision's details say which list judged it. Each pattern runs on `ml.normalize` output
(lower case, accents and look-alikes folded, l33t undone), between word boundaries, and `_` in a
pattern stands for a few words of slack. A match holds a comment for a moderator; it never
rejects one on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ml.normalize import normalize, normalize_with_offsets

PHRASES_VERSION = "2026-12-1"

THREAT = "threat"
EXPOSURE = "exposure"
DEHUMANISATION = "dehumanisation"
EXPULSION = "expulsion"

# What a moderator reads for each category.
CATEGORY_WORDS = {
    THREAT: "threat of violence",
    EXPOSURE: "exposure of where someone lives or works",
    DEHUMANISATION: "dehumanisation",
    EXPULSION: "call to expel or exterminate",
}

_WILL = r"(?:i|we|i'll|we'll|ill)\s+(?:will\s+|shall\s+|am\s+going\s+to\s+|are\s+going\s+to\s+|gonna\s+|'m\s+going\s+to\s+|m\s+going\s+to\s+|re\s+going\s+to\s+)?"
_PEOPLE = r"(?:you|him|her|them|your|his|their|every|each|all|those|these|the)"
_VERMIN = (
    r"(?:vermin|cockroach(?:es)?|parasites?|sub\s?humans?|rats|a\s+plague|a\s+disease|"
    r"a\s+cancer|an\s+infestation|savages|animals|beasts|insects|filth)"
)

# (category, pattern); `_` is up to four words of slack.
_PATTERNS: list[tuple[str, str]] = [
    # threats of violence
    (THREAT, r"deserves?\s+(?:a|the|one)?\s*bullets?"),
    (
        THREAT,
        r"(?:should|ought\s+to|must|will)\s+(?:all\s+)?be\s+(?:shot|hanged|hung|lynched|executed|killed|stabbed|beheaded|burned)",
    ),
    (THREAT, r"hang\s+(?:them|him|her|you|the\s+lot)"),
    (
        THREAT,
        rf"(?:i|we)\s+(?:will|'ll|ll|am\s+going\s+to|are\s+going\s+to|'m\s+going\s+to|m\s+going\s+to|gonna)\s+_(?:kill|shoot|stab|hurt|murder|beat|strangle|burn|find|hunt)\s+{_PEOPLE}",
    ),
    (THREAT, rf"{_WILL}(?:find|hunt)\s+(?:you|him|her|them)\s+(?:down|and)"),
    (THREAT, r"(?:i'll|ill)\s+find\s+you"),
    (THREAT, r"(?:i|we)\s+will\s+find\s+you"),
    (THREAT, r"watch\s+(?:your|their|his|her)\s+backs?"),
    (THREAT, r"beats?\s+_to\s+death"),
    (THREAT, r"(?:hunt|track)\s+(?:them|you|him|her)?\s*down"),
    (THREAT, r"will\s+pay\s+with\s+(?:their|your|his|her)\s+(?:blood|lives?)"),
    (THREAT, r"burn\s+down\s+(?:the|their|your|his|her)\s+(?:homes?|houses?)"),
    (THREAT, r"never\s+walks?\s+again"),
    (THREAT, r"(?:someone|somebody|they)\s+should\s+(?:shoot|kill|stab|hang|beat|lynch)"),
    (THREAT, r"hope\s+(?:someone|somebody)\s+(?:kills|shoots|stabs|beats|hangs|lynches)"),
    (THREAT, r"(?:kill|shoot|murder)\s+(?:every|all)\s+(?:one|last|of)"),
    (THREAT, r"(?:i\s+am|i'm|im|we\s+are|we're)\s+coming\s+for\s+(?:you|them|him|her)"),
    (THREAT, r"put\s+(?:a|one)\s+bullet\s+in"),
    # exposure of where someone lives or works
    (EXPOSURE, r"(?:i|we)\s+know\s+_where\s+_(?:lives?|works?|sleeps?|stays?|goes\s+to\s+school)"),
    (EXPOSURE, r"(?:i|we)\s+(?:have|got)\s+(?:your|his|her|their)\s+(?:home\s+)?address"),
    # dehumanisation of groups
    (
        DEHUMANISATION,
        rf"(?:are|is|they're|theyre)\s+(?:all\s+|just\s+|nothing\s+but\s+|like\s+)?(?:\w+\s+){{0,2}}{_VERMIN}",
    ),
    (
        DEHUMANISATION,
        r"(?:breed|multiply|spread)\s+like\s+(?:rats|vermin|cockroaches|rabbits|insects|animals)",
    ),
    (DEHUMANISATION, r"(?:are|is)\s+(?:not|less\s+than|barely)\s+human"),
    (DEHUMANISATION, r"\bsubhumans?\b"),
    # calls to expel or exterminate
    (EXPULSION, r"send\s+(?:them|those\s+\w+|these\s+\w+|all\s+of\s+them)\s+(?:all\s+)?back"),
    (EXPULSION, r"send\s+(?:them\s+)?all\s+back"),
    (EXPULSION, r"send\s+(?:the\s+)?\w+\s+(?:all\s+)?back\s+(?:home|where|to\s+(?:their|where))"),
    (EXPULSION, r"(?:be|get|got|are)\s+(?:all\s+)?sent\s+back"),
    (EXPULSION, r"go\s+back\s+(?:to\s+)?where\s+(?:they|you)\s+came\s+from"),
    (
        EXPULSION,
        r"(?:should|must)\s+(?:all\s+)?be\s+(?:deported|expelled|removed|exterminated|gassed)",
    ),
    (EXPULSION, r"(?:deport|expel)\s+(?:them|all|every|those|these)"),
    (EXPULSION, r"wipe\s+(?:them|\w+)\s+(?:all\s+)?out"),
    (EXPULSION, r"wipe\s+out\s+(?:the|all|every|those|these)"),
    (EXPULSION, r"exterminat(?:e|ed|ion)"),
    (
        EXPULSION,
        r"(?:get|kick|throw|drive)\s+(?:these|those|them|the|all)\s+_out\s+of\s+(?:our|this|the)\s+(?:country|town|city|land)",
    ),
    (EXPULSION, r"(?:world|country|town|city)\s+would\s+be\s+better\s+without"),
]

_SLACK = r"(?:[\w']+[\s,]+){0,4}"


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (category, re.compile(r"(?<![\w'])" + pattern.replace("_", _SLACK) + r"(?![\w'])"))
        for category, pattern in _PATTERNS
    ]


# Quotation marks, and the reporting verbs that frame someone else's words.
_QUOTES = '"“”«»„'
_REPORTING = re.compile(
    r"\b(?:says?|said|saying|wrote|writes|write|called|calling|calls|claims?|claiming|"
    r"the\s+lie|chant(?:s|ed|ing)?|shout(?:s|ed|ing)?|reported|repeating|told)\b"
)


@dataclass(frozen=True)
class PhraseMatch:
    category: str
    phrase: str  # the matched words as the comment wrote them
    start: int  # span in the original text
    end: int
    quoted: bool  # inside quotation marks or framed by a reporting verb


def _is_quoted(text: str, start: int, end: int) -> bool:
    before = text[:start]
    if sum(before.count(mark) for mark in _QUOTES) % 2 == 1:
        return True
    return bool(_REPORTING.search(text[max(0, start - 60) : start].lower()))


def severe_phrases(text: str) -> list[PhraseMatch]:
    """Every severe phrase in text, one per category (the first), with its original span."""
    # Most texts have none: look in the plain normalised text (cached, the rules read it too)
    # and track each character's origin only for a text with one (the same text and matches).
    plain = normalize(text)
    if not any(pattern.search(plain) for _, pattern in _compiled()):
        return []
    normalized = normalize_with_offsets(text)
    found: dict[str, PhraseMatch] = {}
    for category, pattern in _compiled():
        if category in found:
            continue
        match = pattern.search(normalized.text)
        if match is None or match.end() <= match.start():
            continue
        start, end = normalized.span(match.start(), match.end())
        found[category] = PhraseMatch(
            category, text[start:end].strip(), start, end, _is_quoted(text, start, end)
        )
    return list(found.values())


# The Perspective-compatible endpoint reports at least this for a label when a phrase of its
# category matches (clients commonly cut at 0.5 to 0.8).
PERSPECTIVE_FLOOR = 0.8
PERSPECTIVE_LABELS = {THREAT: "threat", DEHUMANISATION: "identity_attack"}


def perspective_floors(text: str) -> dict[str, tuple[int, int]]:
    """Label -> span of the phrase that lifts it to PERSPECTIVE_FLOOR (quotes lift nothing)."""
    return {
        PERSPECTIVE_LABELS[match.category]: (match.start, match.end)
        for match in severe_phrases(text)
        if match.category in PERSPECTIVE_LABELS and not match.quoted
    }
