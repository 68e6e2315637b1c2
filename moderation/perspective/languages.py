"""Which language a comment is in: py3langid's bundled model, English when it is unsure."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# Below this probability the guess is not trusted. Short comments rarely reach it ("hello" comes
# out as Breton at 0.07), and failing them would be worse than scoring them as English.
CONFIDENT = 0.9
FALLBACK = "en"


@dataclass(frozen=True)
class Detection:
    language: str  # the best guess, or FALLBACK when unsure
    confident: bool


@functools.cache
def _identifier() -> LanguageIdentifier:
    """Loaded once per process (about a second); the model ships inside the package."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def language_detect(text: str) -> Detection:
    language, probability = _identifier().classify(text)
    if probability >= CONFIDENT:
        return Detection(str(language), True)
    return Detection(FALLBACK, False)


def language_code(tag: str) -> str:
    """The primary subtag of an ISO or BCP-47 code, as Perspective reads it: "en-US" -> "en"."""
    return tag.strip().replace("_", "-").split("-")[0].lower()
