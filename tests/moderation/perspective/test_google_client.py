"""Google's own Python client, built from our discovery document, against the live server.

The sample from Perspective's documentation, changed only in its discovery URL.
"""

import pytest
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from moderation.perspective.models import ScoreSuggestion


@pytest.fixture
def client_for(live_server):
    def build(api_key: str):
        return discovery.build(
            "commentanalyzer",
            "v1alpha1",
            developerKey=api_key,
            discoveryServiceUrl=f"{live_server.url}/$discovery/rest?version=v1alpha1",
            static_discovery=False,
        )

    return build


@pytest.mark.django_db(transaction=True)
def test_googles_client_analyzes_and_suggests_through_our_discovery_document(client_for, key):
    api_key, secret = key
    client = client_for(secret)
    analyze_request = {
        "comment": {"text": "friendly greetings from python"},
        "requestedAttributes": {"TOXICITY": {}},
    }
    response = client.comments().analyze(body=analyze_request).execute()
    summary = response["attributeScores"]["TOXICITY"]["summaryScore"]
    assert summary["type"] == "PROBABILITY" and 0.0 <= summary["value"] < 0.5
    assert response["languages"] == ["en"]

    suggestion = {
        "comment": {"text": "friendly greetings from python"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.0}}},
        "clientToken": "sample",
    }
    answer = client.comments().suggestscore(body=suggestion).execute()
    assert answer["clientToken"] == "sample"
    assert ScoreSuggestion.objects.get().site == api_key.site


@pytest.mark.django_db(transaction=True)
def test_googles_client_sees_googles_errors(client_for, key):
    client = client_for("sk_wrong")
    request = {"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}
    with pytest.raises(HttpError) as caught:
        client.comments().analyze(body=request).execute()
    assert caught.value.resp.status == 400
    assert caught.value.reason.startswith("API key not valid.")
