import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ml.features as features
from ml.features import analyze, blend_sentences, hash_batch, hash_strings, tokenize
from ml.normalize import normalize


def tokenize_words(norm: str) -> list[str]:
    return [m.group(0) for m in tokenize(norm)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6))
def test_numpy_hashing_finds_exactly_the_grams_the_string_analyzer_lists(texts: list[str]) -> None:
    norms = [normalize(t) for t in texts]
    grams = hash_batch([tokenize_words(n) for n in norms])
    for i, norm in enumerate(norms):
        words, chars = analyze(norm)
        got_w = np.sort(grams.word_hashes[grams.word_rows == i])
        got_c = np.sort(grams.char_hashes[grams.char_rows == i])
        assert np.array_equal(got_w, np.sort(hash_strings(words)))
        assert np.array_equal(got_c, np.sort(hash_strings(chars)))


def test_every_token_builds_features_even_function_words_and_negations() -> None:
    # The stop list, negation scopes and GROUP placeholder earned nothing on the Civil Comments
    # and new-outlet figures (ml/README.md, step table): every token counts.
    words, chars = analyze(normalize("They are not criminals."))
    assert {"they", "not", "criminals", "not criminals", "."} <= set(words)
    assert " not " in chars


def test_a_bad_sentence_counts_beyond_its_share_of_a_long_comment() -> None:
    z = np.array([[0.2], [0.5], [0.0]])  # three texts, one label
    z_sentences = np.array([[0.1], [1.0], [-3.0]])  # the first text's three sentences
    owner = np.array([0, 0, 0])
    got = blend_sentences(z, z_sentences, owner, 0.5)
    assert got[0, 0] == 0.5 * 0.2 + 0.5 * 1.0  # its worst sentence
    assert got[1, 0] == 0.5 and got[2, 0] == 0.0  # texts of one sentence: unchanged
    assert np.array_equal(blend_sentences(z, z_sentences, owner, 0.0), z)
    # A text cleaner than all its sentences keeps its own logit as the highest.
    assert blend_sentences(np.array([[2.0]]), np.array([[1.0]]), np.array([0]), 0.5)[0, 0] == 2.0


def test_tfidf_counts_a_batch_as_it_counts_a_few_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 50, 30_000)
    cols = rng.integers(0, 400, 30_000)
    idf = rng.uniform(1.0, 5.0, 400)
    batch = features._tfidf(rows, cols, 60, idf)  # 60 rows, some without a pair
    monkeypatch.setattr(features, "_SORT_BELOW", 10**9)
    few = features._tfidf(rows, cols, 60, idf)
    for a, b in zip(batch, few, strict=True):
        assert np.array_equal(a, b)
