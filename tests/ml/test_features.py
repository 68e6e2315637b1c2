import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ml.features as features
from ml.features import (
    FUNCTION_WORDS,
    GROUP,
    IDENTITY_WORDS,
    analyze,
    blend_sentences,
    hash_batch,
    hash_strings,
    tokenize,
    words_of,
)
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


def test_a_negation_cue_is_no_evidence_itself() -> None:
    # "don't" came out of training as a toxic word (+0.44 on the logit): "I don't hate Jews"
    # was rejected on the strength of the negation alone.
    assert words_of(normalize("I don't hate them"), FUNCTION_WORDS, negation=True) == ["i"]
    assert words_of(normalize("no, not ever"), FUNCTION_WORDS, negation=True) == [","]
    # "never" stays a word (threats use it: "he will never walk again"); its scope does not.
    assert words_of(normalize("never walk again"), FUNCTION_WORDS, negation=True) == ["never"]
    assert words_of(normalize("Don't be stupid"), FUNCTION_WORDS, negation=True) == ["stupid"]
    # Without negation handling the cue is an ordinary word.
    assert "don" in words_of(normalize("I don't hate them"), FUNCTION_WORDS)


def test_group_words_pair_with_their_neighbours_but_build_no_feature_alone() -> None:
    words, chars = analyze(
        normalize("Muslims are vermin and Black women deserve it"),
        FUNCTION_WORDS,
        group=IDENTITY_WORDS,
    )
    assert f"{GROUP} vermin" in words and "deserve" in words
    assert f"{GROUP} deserve" in words  # "Black women" reads as one group before "deserve"
    assert GROUP not in words and f"{GROUP} {GROUP}" not in words
    assert not any(w in g for g in words for w in ("muslims", "black", "women"))
    assert not any(GROUP in g or "musl" in g for g in chars)
    # Which group is named makes no difference.
    same = analyze(normalize("Jews are vermin"), FUNCTION_WORDS, group=IDENTITY_WORDS)
    assert same == analyze(normalize("Mexicans are vermin"), FUNCTION_WORDS, group=IDENTITY_WORDS)


def test_function_words_and_their_character_grams_are_left_out() -> None:
    words, chars = analyze("the idiot is here", FUNCTION_WORDS)
    assert words == ["idiot", "here", "idiot here"]
    assert " the " not in chars and " is " not in chars


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
