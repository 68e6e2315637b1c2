"""Both models share one tokenisation and hashing of a batch; scores must not change by a bit."""

import random
import re

import numpy as np
import pytest

import ml.features as features
from ml.features import analyze, batch_grams, grams_of_strings, sentence_grams, token_grams
from ml.model import load_model
from ml.normalize import normalize

_PIECES = [
    "you are not stupid",
    "the idiot is a liar",
    "I don't think they're criminals",
    "don't be stupid",
    "never trust the muslims and jews",
    "nobody wants your kind here, go away!!!",
    "check out http://bit.ly/xyz and www.win-prizes.com now",
    "@user @user lol 😂😂",
    "Ça va très bien, naïve café déjà vu",
    "Привет, как дела? 你好世界 مرحبا",
    "f*ck y0u \uff46\uff55\uff4c\uff4c \u00a0nbsp \t tab",
    "without a doubt the best song of 2012",
    "neither this nor that, it is what it is",
    "a an the of to in on at for with by",
    "not",
    "",
    "   ",
    "!!!",
    "won't can't isn't shouldn't",
    "I love this song, thumbs up if you are listening in 2015",
    "no no no no",
    "the the the",
    "x",
]


def _texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = [rng.choice(_PIECES) for _ in range(rng.randint(1, 4))]
        out.append(f"{' '.join(words)} {i}" if i % 3 else " ".join(words))
    return out


def _pairs(hashes: np.ndarray, rows: np.ndarray) -> list[tuple[int, int]]:
    return sorted(zip(rows.tolist(), hashes.tolist(), strict=True))


def test_shared_grams_are_the_grams_the_string_analyzer_lists() -> None:
    normalized = tuple(normalize(t) for t in _texts(300, seed=1))
    token_grams.cache_clear()
    fast = batch_grams(normalized)
    slow = grams_of_strings([analyze(n) for n in normalized])
    assert _pairs(fast.word_hashes, fast.word_rows) == _pairs(slow.word_hashes, slow.word_rows)
    assert _pairs(fast.char_hashes, fast.char_rows) == _pairs(slow.char_hashes, slow.char_rows)


def test_sentence_grams_are_the_grams_of_each_sentence_scored_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parts = _texts(300, 5)
    texts = [f"{parts[i]}. {parts[i + 1]}! {parts[i + 2]}? {i}" for i in range(0, 300, 3)]
    normalized = tuple(normalize(t) for t in [*texts, "one sentence only", ""])
    token_grams.cache_clear()
    found = sentence_grams(normalized)
    pieces = tuple(p for t in normalized[:-2] for p in re.split(r"(?<=[.!?])\s+", t) if p.strip())
    assert len(found.owner) == len(pieces) and found.owner.max() == len(texts) - 1
    alone = grams_of_strings([analyze(p) for p in pieces])
    # The per-text path (no shared batch tokens) finds the same grams.
    monkeypatch.setattr(features, "token_grams", lambda normalized: None)
    slow = sentence_grams(normalized)
    for got in (found.grams, slow.grams):
        assert _pairs(got.word_hashes, got.word_rows) == _pairs(alone.word_hashes, alone.word_rows)
        assert _pairs(got.char_hashes, got.char_rows) == _pairs(alone.char_hashes, alone.char_rows)


def test_both_models_score_exactly_as_each_model_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    spam, toxicity = load_model("spam"), load_model("toxicity")
    texts = _texts(400, seed=2)
    token_grams.cache_clear()
    shared = [spam.score_labels(texts), toxicity.score_labels(texts)]
    single = [
        [spam.score_labels([t]) for t in texts[:100]],
        [toxicity.score_labels([t]) for t in texts[:100]],
    ]
    # The per-model path: each model tokenises and hashes its own words.
    monkeypatch.setattr(features, "token_grams", lambda normalized: None)
    alone = [spam.score_labels(texts), toxicity.score_labels(texts)]
    for got, want in zip(shared, alone, strict=True):
        assert got.keys() == want.keys()
        for label in want:
            assert np.array_equal(got[label], want[label])
    for per_text, want in zip(single, alone, strict=True):
        for i, got in enumerate(per_text):
            for label in want:
                assert got[label][0] == want[label][i]


def test_logits_are_the_sums_the_transposed_weights_give() -> None:
    # The former product: rows of the transposed weights times the values, summed per text.
    texts = _texts(300, seed=3)
    normalized = [normalize(t) for t in texts]
    for model in (load_model("spam"), load_model("toxicity")):
        rows, cols, vals, n = model.vectorizer.entries(normalized)
        terms = np.ascontiguousarray(model.coef.T)[cols] * vals[:, None]
        want = np.empty((n, len(model.labels)))
        for j in range(len(model.labels)):
            want[:, j] = np.bincount(rows, weights=terms[:, j], minlength=n) + model.intercept[j]
        if model.vectors is not None and model.vector_coef is not None:
            grams = model.vectorizer.grams(normalized)
            dense = model.vectors.features(grams, n)
            want += (dense[:, None, :] * model.vector_coef[None, :, :]).sum(axis=2)
        assert np.array_equal(model.text_logits(normalized), want)


def test_silent_words_keep_only_their_bigrams_in_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ml.features import IDENTITY_WORDS

    normalized = tuple(normalize(t) for t in [*_texts(200, seed=6), "muslims and jews are here"])
    token_grams.cache_clear()
    fast = batch_grams(normalized, IDENTITY_WORDS)
    slow = grams_of_strings([analyze(n, IDENTITY_WORDS) for n in normalized])
    assert _pairs(fast.word_hashes, fast.word_rows) == _pairs(slow.word_hashes, slow.word_rows)
    assert _pairs(fast.char_hashes, fast.char_rows) == _pairs(slow.char_hashes, slow.char_rows)
    words, chars = analyze(normalized[-1], IDENTITY_WORDS)
    assert "muslims" not in words and "muslims and" in words and " mus" not in chars
    parts = tuple(f"{normalized[i]}. {normalized[i + 1]}!" for i in range(0, 200, 2))
    found = sentence_grams(parts, IDENTITY_WORDS)
    monkeypatch.setattr(features, "token_grams", lambda normalized: None)
    alone = sentence_grams(parts, IDENTITY_WORDS)
    for a, b in ((found.grams, alone.grams),):
        assert _pairs(a.word_hashes, a.word_rows) == _pairs(b.word_hashes, b.word_rows)
        assert _pairs(a.char_hashes, a.char_rows) == _pairs(b.char_hashes, b.char_rows)
