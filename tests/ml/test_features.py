import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ml.features import analyze, hash_batch, hash_strings, tokenize
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
