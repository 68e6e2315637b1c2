"""Banned and suspect words: normalised matching that respects word boundaries."""

import pytest

from ml.normalize import normalize
from moderation.policy.words import compile_terms, matched_terms, parse_terms

LIST = compile_terms(("fuck", "ass", "cunt", "cock", "rapist", "phuck", "casino*", "blow job"))


def words_in(text: str) -> list[str]:
    return matched_terms(LIST, normalize(text))


@pytest.mark.parametrize(
    "text", ["Scunthorpe United won", "The assassin fled", "In the cockpit", "My therapist said"]
)
def test_words_inside_other_words_never_trip(text):
    assert words_in(text) == []


@pytest.mark.parametrize(
    "text", ["f.u.c.k this", "fμck this", "F U C K this", "fuuuuck this", "FUCK this", "fúck"]
)
def test_obfuscated_banned_words_are_found(text):
    assert words_in(text) == ["fuck"]


def test_a_listed_spelling_variant_is_found_and_an_unlisted_one_is_not():
    assert words_in("phuck off") == ["phuck"]
    assert compile_terms(("fuck",)).search(normalize("phuck off")) is None


def test_phrases_and_wildcards_match_whole_words():
    assert words_in("a blow   job ad") == ["blow job"]  # the normaliser collapsed the spaces
    assert words_in("casinos and casinobonus here") == ["casinos", "casinobonus"]
    assert words_in("occasino") == []
    assert words_in("the rapist was caught") == ["rapist"]


def test_a_site_list_is_one_term_a_line_or_comma_separated_with_comments():
    assert parse_terms("spam, eggs\n# a comment\nham # trailing\n\nspam") == ("spam", "eggs", "ham")


def test_an_empty_list_matches_nothing():
    assert compile_terms(()) is None
    assert matched_terms(None, "anything") == []


def test_terms_the_normaliser_shrinks_to_one_letter_are_left_out():
    assert compile_terms(("xxx", "a")) is None
