"""comments:analyze against the shipped models, from Perspective's documented examples."""

import pytest

from moderation import scoring
from moderation.perspective.attributes import ATTRIBUTE_LABELS, OTHER_PERSPECTIVE_ATTRIBUTES
from tests.moderation.perspective.conftest import ANALYZE

pytestmark = pytest.mark.django_db

# Perspective's quickstart request, as its documentation gives it.
DOCUMENTED_REQUEST = {
    "comment": {"text": "What kind of idiot name is foo?"},
    "languages": ["en"],
    "requestedAttributes": {"TOXICITY": {}},
}


def test_the_documented_request_gets_the_documented_response_shape(post):
    response = post(ANALYZE, DOCUMENTED_REQUEST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"attributeScores", "languages", "detectedLanguages"}
    assert body["languages"] == ["en"]
    summary = body["attributeScores"]["TOXICITY"]["summaryScore"]
    assert summary["type"] == "PROBABILITY"
    assert 0.0 <= summary["value"] <= 1.0
    assert "spanScores" not in body["attributeScores"]["TOXICITY"]


def test_the_score_is_the_toxicity_models_probability(post):
    text = DOCUMENTED_REQUEST["comment"]["text"]
    expected = scoring.loaded_models()["toxicity"].score_labels([text])["toxicity"][0]
    value = post(ANALYZE, DOCUMENTED_REQUEST).json()["attributeScores"]["TOXICITY"]
    assert value["summaryScore"]["value"] == pytest.approx(float(expected), abs=1e-6)


def test_an_insult_scores_higher_than_a_polite_comment(post):
    def toxicity(text: str) -> float:
        body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
        return post(ANALYZE, body).json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]

    assert toxicity("you are a stupid idiot") > 0.5 > toxicity("Thanks for the clear reporting.")


def test_every_attribute_the_models_score_is_served_under_its_own_label(post, served):
    assert {"TOXICITY", "INSULT", "IDENTITY_ATTACK", "SPAM"} <= served
    text = "all immigrants are rapists, you idiot"
    body = {"comment": {"text": text}, "requestedAttributes": {name: {} for name in served}}
    scores = post(ANALYZE, body).json()["attributeScores"]
    assert set(scores) == served
    models = scoring.loaded_models()
    for name in served:
        label = ATTRIBUTE_LABELS[name]
        model = next(m for m in models.values() if label in m.labels)
        expected = float(model.score_labels([text])[label][0])
        assert scores[name]["summaryScore"]["value"] == pytest.approx(expected, abs=1e-6)


def test_attributes_no_model_scores_get_perspectives_unsupported_error(post, served):
    unserved = sorted((set(ATTRIBUTE_LABELS) | OTHER_PERSPECTIVE_ATTRIBUTES) - served)
    assert "SEXUALLY_EXPLICIT" in unserved and "FLIRTATION" in unserved
    for name in unserved:
        body = {"comment": {"text": "hello there"}, "requestedAttributes": {name: {}}}
        response = post(ANALYZE, body)
        assert response.status_code == 400, name
        assert response.json() == {
            "error": {
                "code": 400,
                "message": f"Attribute {name} does not support request languages: en",
                "status": "INVALID_ARGUMENT",
            }
        }


def test_drop_unsupported_attributes_drops_them_and_scores_the_rest(post):
    body = {
        "comment": {"text": "hello there"},
        "requestedAttributes": {"TOXICITY": {}, "FLIRTATION": {}, "SEXUALLY_EXPLICIT": {}},
        "dropUnsupportedAttributes": True,
    }
    response = post(ANALYZE, body)
    assert response.status_code == 200
    assert set(response.json()["attributeScores"]) == {"TOXICITY"}


def test_score_threshold_leaves_out_attributes_scoring_below_it(post):
    text = "you are a stupid idiot"
    first = post(ANALYZE, {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}})
    value = first.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    above = {
        "TOXICITY": {"scoreThreshold": min(value + 0.001, 1.0)},
        "SPAM": {"scoreThreshold": 0.0},
    }
    body = {"comment": {"text": text}, "requestedAttributes": above}
    assert set(post(ANALYZE, body).json()["attributeScores"]) == {"SPAM"}
    at = {"TOXICITY": {"scoreThreshold": value}}
    body = {"comment": {"text": text}, "requestedAttributes": at}
    assert set(post(ANALYZE, body).json()["attributeScores"]) == {"TOXICITY"}


def test_probability_and_unspecified_score_types_are_accepted(post):
    for score_type in ("PROBABILITY", "SCORE_TYPE_UNSPECIFIED", ""):
        attrs = {"TOXICITY": {"scoreType": score_type}}
        body = {"comment": {"text": "hi there"}, "requestedAttributes": attrs}
        assert post(ANALYZE, body).status_code == 200, score_type


def test_the_client_token_is_echoed_and_model_versions_are_in_a_header(post):
    body = {**DOCUMENTED_REQUEST, "clientToken": "comment-42", "requestedAttributes": {"SPAM": {}}}
    response = post(ANALYZE, body)
    assert response.json()["clientToken"] == "comment-42"
    spam = scoring.loaded_models()["spam"]
    assert response.headers["X-Model-Versions"] == f"spam={spam.version}"
    both = post(ANALYZE, {**body, "requestedAttributes": {"SPAM": {}, "TOXICITY": {}}})
    toxicity = scoring.loaded_models()["toxicity"]
    assert both.headers["X-Model-Versions"] == (f"spam={spam.version}, toxicity={toxicity.version}")


def test_a_bcp47_english_tag_is_english(post):
    body = {**DOCUMENTED_REQUEST, "languages": ["en-US"]}
    response = post(ANALYZE, body)
    assert response.status_code == 200
    assert response.json()["languages"] == ["en"]


def test_without_languages_a_clearly_english_comment_is_detected(post):
    text = "Great article, thanks for explaining the budget so clearly."
    body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
    response = post(ANALYZE, body).json()
    assert response["languages"] == ["en"] and response["detectedLanguages"] == ["en"]


def test_without_languages_a_short_unclear_comment_is_taken_as_english(post):
    body = {"comment": {"text": "lol"}, "requestedAttributes": {"TOXICITY": {}}}
    response = post(ANALYZE, body)
    assert response.status_code == 200
    assert response.json()["languages"] == ["en"]
    assert response.json()["detectedLanguages"] == []


def test_a_detected_german_comment_gets_perspectives_language_error(post):
    text = "Das ist ein sehr schöner Tag, ich gehe heute im Park spazieren."
    body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}
    response = post(ANALYZE, body)
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Attribute TOXICITY does not support request languages: de",
            "status": "INVALID_ARGUMENT",
        }
    }


def test_a_requested_language_other_than_english_is_refused_unless_dropped(post):
    body = {**DOCUMENTED_REQUEST, "languages": ["de"]}
    response = post(ANALYZE, body)
    assert response.json()["error"]["message"] == (
        "Attribute TOXICITY does not support request languages: de"
    )
    dropped = post(ANALYZE, {**body, "dropUnsupportedAttributes": True})
    assert dropped.status_code == 200
    assert dropped.json()["attributeScores"] == {}
    assert dropped.headers["X-Model-Versions"] == ""


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I am going to shoot you and your family tomorrow.", "I am going to shoot you"),
        ("You are an idiot and I will find you and hurt you.", "I will find you and hurt you"),
    ],
)
def test_a_threat_phrase_lifts_threat_to_at_least_0_8_with_the_phrase_as_span(
    post, served, text, phrase
):
    if "THREAT" not in served:
        pytest.skip("the shipped toxicity artifact has no threat label")
    body = {
        "comment": {"text": text},
        "requestedAttributes": {"THREAT": {}},
        "spanAnnotations": True,
    }
    threat = post(ANALYZE, body).json()["attributeScores"]["THREAT"]
    assert threat["summaryScore"]["value"] >= 0.8
    spans = [s for s in threat["spanScores"] if s["score"]["value"] >= 0.8]
    assert [text[s["begin"] : s["end"]] for s in spans] == [phrase]


def test_dehumanisation_lifts_identity_attack_and_a_quote_does_not(post):
    def identity_attack(text: str) -> float:
        body = {"comment": {"text": text}, "requestedAttributes": {"IDENTITY_ATTACK": {}}}
        scores = post(ANALYZE, body).json()["attributeScores"]
        return scores["IDENTITY_ATTACK"]["summaryScore"]["value"]

    assert identity_attack("Those people are cockroaches.") >= 0.8
    assert identity_attack('He wrote "those people are cockroaches" and was banned.') < 0.8
