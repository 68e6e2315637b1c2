import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ml.features import FUNCTION_WORDS, analyze, hash_batch, hash_strings, tokenize, words_of
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


def test_negated_words_build_no_feature_but_an_insults_opening_does() -> None:
    def kept(text: str) -> list[str]:
        return words_of(normalize(text), FUNCTION_WORDS, negation=True)

    assert "criminals" not in kept("They are not criminals.")
    assert "hate" not in kept("I don't hate them")
    assert "stupid" in kept("Don't be stupid")
    assert "idiot" in kept("You are not smart, you idiot")  # punctuation ends the scope
    assert "criminals" in words_of(normalize("They are not criminals."), FUNCTION_WORDS)


def test_function_words_and_their_character_grams_are_left_out() -> None:
    words, chars = analyze("the idiot is here", FUNCTION_WORDS)
    assert words == ["idiot", "here", "idiot here"]
    assert " the " not in chars and " is " not in chars
