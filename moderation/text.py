"""Readers' names and texts without the invisible characters that disguise or reorder them.

Bidi overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069) let `Admin\u202eexe.gnp`
display as `Adminpng.exe`; zero-width characters and BOMs hide text or make look-alike names.
Names lose all of them (and C0/C1 controls, and the bidi marks); bodies keep line breaks, tabs,
the bidi marks right-to-left writing uses, a zero-width non-joiner between letters (Persian,
Indic scripts) and a zero-width joiner inside an emoji sequence (👩‍💻).
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI_MARKS = "\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b\u2060\ufeff\u180e"
_ZWNJ, _ZWJ = "\u200c", "\u200d"
# NUL is left for the serializers, which refuse it outright (400 naming the field).
_C0_C1 = "\x01-\x1f\x7f-\x9f"

_NAME_DROP = re.compile(f"[{_BIDI_CONTROLS}{_BIDI_MARKS}{_ZERO_WIDTH}{_ZWNJ}{_ZWJ}{_C0_C1}]")
_BODY_DROP = re.compile(f"[{_BIDI_CONTROLS}{_ZERO_WIDTH}\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def _is_emoji_part(char: str) -> bool:
    """A character that can stand on either side of an emoji sequence's joiner."""
    code = ord(char)
    return (
        unicodedata.category(char) == "So"
        or 0x1F000 <= code <= 0x1FAFF  # emoji blocks, skin tones included
        or code in (0xFE0F, 0x20E3)  # emoji presentation selector, keycap
    )


def clean_name(name: str) -> str:
    """The name without invisible or direction-changing characters, its spaces collapsed."""
    return _SPACES.sub(" ", _NAME_DROP.sub("", name)).strip()


def clean_body(body: str) -> str:
    """The text with \r\n line ends, no controls but \t and \n, and joiners only where they join."""
    text = _BODY_DROP.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    if _ZWJ not in text and _ZWNJ not in text:
        return text
    kept = []
    for index, char in enumerate(text):
        if char in (_ZWJ, _ZWNJ):
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            if not before or not after:
                continue
            if char == _ZWJ and not (_is_emoji_part(before) and _is_emoji_part(after)):
                continue
            if char == _ZWNJ and not (before.isalpha() and after.isalpha()):
                continue
        kept.append(char)
    return "".join(kept)
