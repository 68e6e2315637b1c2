"""comments:suggestscore keeps a site's own labels as training feedback."""

import pytest

from moderation.perspective.models import AnalyzeUsage, ScoreSuggestion
from tests.moderation.perspective.conftest import SUGGEST

pytestmark = pytest.mark.django_db

# Perspective's documented suggestscore request.
DOCUMENTED = {
    "comment": {"text": "You're a bunch of idiots"},
    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.0}}},
    "languages": ["en"],
    "clientToken": "suggest-1",
}


def test_the_documented_request_is_stored_as_feedback_for_the_keys_site(post, site, key):
    response = post(SUGGEST, DOCUMENTED)
    assert response.status_code == 200
    assert response.json() == {
        "clientToken": "suggest-1",
        "requestedLanguages": ["en"],
        "detectedLanguages": [],
    }
    suggestion = ScoreSuggestion.objects.get()
    assert suggestion.site == site and suggestion.api_key == key[0]
    assert suggestion.text == "You're a bunch of idiots"
    assert suggestion.labels == {"toxicity": 1.0}
    assert AnalyzeUsage.objects.get().suggest_count == 1


def test_span_only_suggestions_label_the_comment_by_its_worst_span(post):
    spans = [
        {"begin": 0, "end": 4, "score": {"value": 0.0}},
        {"begin": 5, "end": 10, "score": {"value": 0.9, "type": "PROBABILITY"}},
    ]
    body = {**DOCUMENTED, "attributeScores": {"INSULT": {"spanScores": spans}, "SPAM": {}}}
    assert post(SUGGEST, body).status_code == 400  # SPAM gives no score
    body["attributeScores"]["SPAM"] = {"summaryScore": {"value": 0}}
    assert post(SUGGEST, body).status_code == 200
    assert ScoreSuggestion.objects.get().labels == {"insult": 0.9, "spam": 0.0}


def test_html_feedback_is_kept_as_the_text_the_models_read(post):
    body = {
        **DOCUMENTED,
        "comment": {"text": "<p>You &amp; your <b>idiots</b></p>", "type": "HTML"},
    }
    assert post(SUGGEST, body).status_code == 200
    assert ScoreSuggestion.objects.get().text.strip() == "You & your idiots"


@pytest.mark.parametrize(
    ("attribute_scores", "fragment"),
    [
        ({}, "attributeScores"),
        ({"NICENESS": {"summaryScore": {"value": 1}}}, "NICENESS"),
        ({"TOXICITY": {"summaryScore": {"value": 1.5}}}, "attributeScores.TOXICITY"),
        ({"TOXICITY": {"summaryScore": {"value": 1, "type": "RAW"}}}, "PROBABILITY"),
    ],
)
def test_bad_suggestions_are_invalid_arguments_and_keep_nothing(post, attribute_scores, fragment):
    response = post(SUGGEST, {**DOCUMENTED, "attributeScores": attribute_scores})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert fragment in response.json()["error"]["message"]
    assert not ScoreSuggestion.objects.exists()


def test_suggestscore_needs_a_key(post):
    response = post(SUGGEST, DOCUMENTED, key=None)
    assert response.status_code == 403
    assert not ScoreSuggestion.objects.exists()
