"""Severe phrases: what they catch, what they leave alone, and quotes."""

import pytest

from moderation.policy.phrases import (
    DEHUMANISATION,
    EXPOSURE,
    EXPULSION,
    THREAT,
    perspective_floors,
    severe_phrases,
)


def categories(text: str) -> set[str]:
    return {match.category for match in severe_phrases(text)}


def test_the_issues_two_demo_sentences_are_caught():
    assert categories("Whoever signed this deal deserves a bullet, and I know where he lives.") == {
        THREAT,
        EXPOSURE,
    }
    assert categories(
        "These people are animals and should all be sent back where they came from."
    ) == {DEHUMANISATION, EXPULSION}


@pytest.mark.parametrize(
    "text",
    [
        "He should be shot.",
        "Hang them all.",
        "I will find you.",
        "I am going to shoot you and your family tomorrow.",
        "You are an idiot and I will find you and hurt you.",
        "We will wipe them out.",
        "Those people are cockroaches.",
        "They are subhuman.",
        "I know where you live.",
    ],
)
def test_the_issues_examples_are_caught(text):
    assert categories(text)


@pytest.mark.parametrize(
    "text",
    [
        "I could kill for a coffee",
        "this bill will kill small businesses",
        "The minister should resign.",
        "I know where the library is.",
        "Send the report back to the council.",
        "I live where I work.",
    ],
)
def test_ordinary_speech_is_left_alone(text):
    assert categories(text) == set()


def test_a_few_words_of_slack_are_allowed_between_a_phrases_words():
    [match] = severe_phrases("I know exactly where that awful man lives")
    assert match.category == EXPOSURE
    assert match.phrase == "I know exactly where that awful man lives"


def test_obfuscation_does_not_hide_a_phrase_and_the_span_is_in_the_original():
    text = "He DESERVES   a BULL3T."
    [match] = severe_phrases(text)
    assert text[match.start : match.end] == "DESERVES   a BULL3T"


def test_a_quoted_phrase_is_marked_as_quoted():
    [match] = severe_phrases('Someone wrote "Muslims are vermin" below. That has no place here.')
    assert match.quoted
    [match] = severe_phrases("Muslims are vermin.")
    assert not match.quoted


def test_threat_and_dehumanisation_lift_their_perspective_labels_with_the_phrase_as_span():
    text = "You are an idiot and I will find you and hurt you."
    floors = perspective_floors(text)
    start, end = floors["threat"]
    assert text[start:end] == "I will find you and hurt you"
    assert set(perspective_floors("They are vermin.")) == {"identity_attack"}
    assert perspective_floors('He said "they are vermin" and was banned.') == {}
