# ruff: noqa: RUF001, RUF003  (the confusables table is full of look-alike letters on purpose)
"""Text normaliser shared by training and scoring, undoing common obfuscation tricks.

Every step can track, for each output character, the span of original characters it came
from, so explanations can point back at the text a moderator actually saw.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# Bump when normalize() changes what it outputs: artifacts record it and refuse another version.
NORMALIZER_VERSION = 2
URL_TOKEN = "urltoken"  # noqa: S105 (a placeholder word, not a secret)
MENTION_TOKEN = "@user"  # noqa: S105
# Added after URL_TOKEN for links to YouTube videos: those mostly point at a song or a moment
# in the video, where links elsewhere (and to channels) are mostly promotion.
YOUTUBE_URL_TOKEN = "ytlink"  # noqa: S105

# Characters that render as nothing; abusers slip them inside words to dodge word lists.
_INVISIBLE = {
    "\u00ad",
    "\u034f",
    "\u061c",
    "\u115f",
    "\u1160",
    "\u17b4",
    "\u17b5",
    "\u180e",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u2060",
    "\u2061",
    "\u2062",
    "\u2063",
    "\u2064",
    "\u206a",
    "\u206b",
    "\u206c",
    "\u206d",
    "\u206e",
    "\u206f",
    "\u3164",
    "\ufeff",
    "\uffa0",
}

# Look-alikes that NFKC leaves alone (a subset of Unicode's confusables.txt for Latin letters).
_CONFUSABLES = {
    # Cyrillic
    "а": "a",
    "б": "b",
    "в": "b",
    "г": "r",
    "д": "d",
    "е": "e",
    "ё": "e",
    "з": "3",
    "и": "u",
    "й": "u",
    "к": "k",
    "л": "n",
    "м": "m",
    "н": "h",
    "о": "o",
    "п": "n",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ц": "u",
    "ч": "4",
    "ш": "w",
    "щ": "w",
    "ь": "b",
    "ы": "bi",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "һ": "h",
    "ԛ": "q",
    "ԝ": "w",
    "ү": "y",
    "ӏ": "l",
    # Greek
    "α": "a",
    "β": "b",
    "γ": "y",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "n",
    "θ": "o",
    "ι": "i",
    "κ": "k",
    "μ": "u",
    "ν": "v",
    "ο": "o",
    "π": "n",
    "ρ": "p",
    "σ": "o",
    "ς": "c",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    # Latin extensions and symbols
    "ı": "i",
    "ȷ": "j",
    "ɑ": "a",
    "ɡ": "g",
    "ɩ": "i",
    "ɪ": "i",
    "ʏ": "y",
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ғ": "f",
    "ɢ": "g",
    "ʜ": "h",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ᴢ": "z",
    "ø": "o",
    "ð": "d",
    "þ": "p",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ł": "l",
    "đ": "d",
    "ħ": "h",
}

# Digits and symbols read as letters inside words (f4gg0t, 1d10t, $hit, b!tch).
_LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
    "+": "t",
}

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_HREF_TAG = re.compile(r"""<a\s[^<>]*?href\s*=\s*["']?([^"'\s<>]+)["']?[^<>]*>""", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
_TLDS = "com|net|org|info|biz|ly|me|tv|co|io|us|uk|de|ru|xyz|site|online|club|gl|gd|be|to|cc|tk|ws"
# A dot written plainly, spaced on both sides, or spelled out ("dot", "(dot)", "[dot]").
_DOT = r"(?:\.| \. |\(dot\)| \(dot\) |\[dot\]| \[dot\] | dot )"
_URL = re.compile(
    r"h(?:tt|xx)ps?\s?:\s?/\s?/\S+"  # scheme, tolerating "http : //" and hxxp
    rf"|www{_DOT}[a-z0-9\-]+(?:{_DOT}[a-z0-9\-]+)*(?:/\S*)?"
    rf"|\b[a-z0-9][a-z0-9\-]*(?:{_DOT}[a-z0-9\-]+)*{_DOT}(?:{_TLDS})\b(?:/\S*)?"
)
# A video or timestamp on YouTube; channel pages (/user, /channel, /c) are self-promotion.
_YOUTUBE_VIDEO = re.compile(
    r"youtube\s?(?:\.|\(?dot\)?)\s?[a-z.]+/(?!user|channel|c/)|youtu\s?(?:\.|\(?dot\)?)\s?be\b"
)
_MENTION = re.compile(r"(?<![\w@])@[a-z0-9_]{1,30}")
# Single characters separated by spaces or light punctuation: "s t u p i d", "i.d.i.o.t".
# The same separator throughout, so "s-t-u-p-i-d i.d.i.o.t" stays two words.
_SPACED = re.compile(
    r"(?<![\w@$!|+])[a-z0-9$](?P<sep>[ .\-_*]{1,2})[a-z0-9$](?![\w@$])"
    r"(?:(?P=sep)[a-z0-9$](?![\w@$]))+"
)
# Only tokens mixing letters with leet characters reach the (slower) per-word callback.
_WORDLIKE = re.compile(
    r"(?<![a-z0-9@$!|+])(?=[a-z0-9@$!|+]*[0-9@$!|+])(?=[a-z0-9@$!|+]*[a-z])[a-z0-9@$!|+]+"
)
# Cheap test for a letter next to a leet character, before the costlier token pattern.
_LEET_HINT = re.compile(r"[a-z][0-9@$|+]|[0-9@$!|+][a-z]")
_URL_HINT = re.compile(r"h(?:tt|xx)p|www|(?:\.|dot\b|\(dot\)|\[dot\])\s?(?:" + _TLDS + r")\b")
_REPEAT_LETTER = re.compile(r"([a-z])\1{2,}")
_REPEAT_OTHER = re.compile(r"([^a-z\s])\1{3,}")
_SPACE = re.compile(r"\s+")
# ASCII control characters that are not whitespace: `_map_char` deletes them.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
# ASCII whitespace other than the space: `_map_char` makes each a space, and so must the fast
# path, or spaced letters split by a line break ("0 0\ra") would join only on a second pass.
_ASCII_OTHER_SPACE = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1f]")


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus, per character, the [start, end) span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original span covering normalised characters [start, end)."""
        return min(self.starts[start:end]), max(self.ends[start:end])


class _Tracked:
    """A string with optional per-character origin spans."""

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, track: bool) -> None:
        self.text = text
        self.starts: list[int] | None = list(range(len(text))) if track else None
        self.ends: list[int] | None = list(range(1, len(text) + 1)) if track else None

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> None:
        if self.starts is None or self.ends is None:
            self.text = pattern.sub(repl, self.text)
            return
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for match in pattern.finditer(self.text):
            a, b = match.span()
            pieces.append(self.text[pos:a])
            starts.extend(self.starts[pos:a])
            ends.extend(self.ends[pos:a])
            new = match.expand(repl) if isinstance(repl, str) else repl(match)
            if b > a:
                lo, hi = min(self.starts[a:b]), max(self.ends[a:b])
            else:
                lo = hi = self.starts[a] if a < len(self.starts) else (self.ends[-1] if a else 0)
            pieces.append(new)
            starts.extend([lo] * len(new))
            ends.extend([hi] * len(new))
            pos = b
        pieces.append(self.text[pos:])
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        self.text = "".join(pieces)
        self.starts, self.ends = starts, ends

    def collapse_spaces(self) -> None:
        if self.starts is None:
            self.text = " ".join(self.text.split())
        else:
            self.sub(_SPACE, " ")

    def map_chars(self) -> None:
        if self.text.isascii() and not _ASCII_CONTROL.search(self.text):
            # One character for one, as the slow path does, so spans stay put.
            self.text = self.text.lower()
            if _ASCII_OTHER_SPACE.search(self.text):
                self.text = _ASCII_OTHER_SPACE.sub(" ", self.text)
            return
        if self.starts is None or self.ends is None:
            self.text = self.text.translate(_FOLD)
            return
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for c, lo, hi in zip(self.text, self.starts, self.ends, strict=True):
            new = _map_char(c)
            pieces.append(new)
            starts.extend([lo] * len(new))
            ends.extend([hi] * len(new))
        self.text = "".join(pieces)
        self.starts, self.ends = starts, ends


@lru_cache(maxsize=65536)
def _map_char(c: str) -> str:
    """Fold one character: drop invisibles, NFKC, lowercase, strip accents, map homoglyphs."""
    if c.isspace():
        return " "
    if c in _INVISIBLE or unicodedata.category(c) in ("Cf", "Cc", "Cs", "Co", "Cn"):
        return ""  # invisible, control, surrogate, private-use and unassigned characters
    out = []
    for d in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", c).lower()):
        if unicodedata.combining(d):
            continue  # accents and "zalgo" marks
        d = d.lower()
        out.append(_CONFUSABLES.get(d, d))
    return "".join(out)


class _FoldTable(dict[int, str]):
    """str.translate table that fills itself from `_map_char` on first sight of a character."""

    def __missing__(self, code: int) -> str:
        folded = _map_char(chr(code))
        if len(self) < 65536:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def _join_spaced(match: re.Match[str]) -> str:
    text = match.group(0)
    if not any("a" <= c <= "z" for c in text):
        return text  # "1 2 3" and version numbers are not spelled-out words
    return "".join(c for c in text if c not in " .-_*")


def _deleet(match: re.Match[str]) -> str:
    word = match.group(0)
    core = word.rstrip("!|+")  # trailing "!!!" is punctuation, not letters
    if core in (URL_TOKEN, MENTION_TOKEN) or sum("a" <= c <= "z" for c in core) < 2:
        return word  # plain numbers and short tokens like "4u" stay as they are
    return "".join(_LEET.get(c, c) for c in core) + word[len(core) :]


def _url_token(match: re.Match[str]) -> str:
    if _YOUTUBE_VIDEO.search(match.group(0)):
        return f" {URL_TOKEN} {YOUTUBE_URL_TOKEN} "
    return f" {URL_TOKEN} "


def _pipeline(t: _Tracked) -> None:
    # Fold characters first, so fullwidth "＆ａｍｐ；" or "＜ｂｒ＞" become markup we can undo.
    t.map_chars()
    if "&" in t.text:
        # Unescape until stable: scraped text is often escaped twice ("&amp;#39;").
        while True:
            before = t.text
            t.sub(_ENTITY, _unescape)
            if t.text == before:
                break
        t.map_chars()
    if "<" in t.text:
        t.sub(_HREF_TAG, r" \1 ")
        t.sub(_TAG, " ")
    if _URL_HINT.search(t.text):
        t.sub(_URL, _url_token)
    if "@" in t.text:
        t.sub(_MENTION, MENTION_TOKEN)
    # Runs of 3+ letters are stretching ("stuuuupid"); English words rarely triple a letter.
    t.sub(_REPEAT_LETTER, r"\1")
    # _SPACED wants one separator throughout: "0  0 a" must read like "0 0 a" the first time.
    if "  " in t.text:
        t.collapse_spaces()
    before = t.text
    t.sub(_SPACED, _join_spaced)
    if _LEET_HINT.search(t.text):
        t.sub(_WORDLIKE, _deleet)
    if t.text is not before:  # joining or de-leeting can create new runs ("s t u u u")
        t.sub(_REPEAT_LETTER, r"\1")
    t.sub(_REPEAT_OTHER, r"\1\1\1")
    t.collapse_spaces()


def _run(t: _Tracked) -> None:
    _pipeline(t)
    # Joining spaced letters can assemble markup ("& a m p ;"); a second pass settles it.
    for _ in range(2):
        if "&" not in t.text and "<" not in t.text:
            break
        before = t.text
        _pipeline(t)
        if t.text == before:
            break


# Small cache: the app scores each comment with both models, which would normalise it twice.
@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Normalise text for the models (idempotent)."""
    t = _Tracked(text, track=False)
    _run(t)
    return t.text.strip()


def normalize_with_offsets(text: str) -> Normalized:
    """Normalise text and keep, for each output character, its span in the original."""
    t = _Tracked(text, track=True)
    _run(t)
    assert t.starts is not None and t.ends is not None
    s = t.text
    lead = len(s) - len(s.lstrip())
    trail = len(s.rstrip())
    return Normalized(s[lead:trail], tuple(t.starts[lead:trail]), tuple(t.ends[lead:trail]))
