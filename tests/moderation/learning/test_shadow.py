"""Shadow trials: a candidate scores new comments beside the live model and decides nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from moderation import scoring, services
from moderation.learning.models import ModelVersion, ShadowScore
from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteFactory, group_member

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_shadow_candidate_scores_beside_the_live_model_without_deciding(client, label_history):
    site, other = SiteFactory(domain="a.example.com"), SiteFactory(domain="b.example.com")
    label_history(site)
    out = StringIO()
    call_command(
        "retrain", "--model", "toxicity", "--site", "a.example.com", "--shadow", stdout=out
    )
    assert "Shadow trial started" in out.getvalue()
    shadow = ModelVersion.objects.get(site=site)
    assert shadow.status == ModelVersion.Status.SHADOW
    assert scoring.site_layers(site.pk) == {}  # nothing live: the shadow decides nothing

    body = "Who pays for the new stadium in the end? grobnik grobnik"
    comment = CommentFactory(article=ArticleFactory(site=site), body=body)
    elsewhere = CommentFactory(article=ArticleFactory(site=other), body=body)
    for c in (comment, elsewhere):
        services.comment_score(comment_id=c.pk)
    comment.refresh_from_db()
    row = ShadowScore.objects.get()
    assert row.comment == comment and row.version == shadow
    # The live decision is the shared model's; the shadow's is only recorded.
    shared = scoring.loaded_models()["toxicity"].score([body])[0]
    assert comment.scores["toxicity"] == pytest.approx(shared, abs=1e-6)
    assert row.live_status == comment.status
    # How far the site's word lifts depends on which labels the id-hashed held-out quarter
    # took (ids differ from run to run); it lifts, by 0.03 to 0.2 in the runs seen.
    assert row.shadow_score > row.live_score + 0.02

    client.force_login(group_member("Moderators", sites=[site]))
    page = client.get("/admin/moderation/shadowscore/").content.decode()
    assert f"{row.shadow_score - row.live_score:+.3f}" in page
    client.force_login(group_member("Moderators", sites=[other]))
    page = client.get("/admin/moderation/shadowscore/").content.decode()
    assert "0 shadow scores" in page


def test_a_shadow_trial_needs_a_site(db):
    with pytest.raises(CommandError, match="--shadow needs --site"):
        call_command("retrain", "--model", "toxicity", "--shadow")


def test_comments_record_the_site_version_that_scored_them(label_history):
    site = SiteFactory(domain="a.example.com")
    label_history(site)
    call_command("retrain", "--model", "toxicity", "--site", "a.example.com", stdout=StringIO())
    live = ModelVersion.objects.get(site=site, status=ModelVersion.Status.LIVE)
    comment = CommentFactory(article=ArticleFactory(site=site), body="A fair question. grobnik")
    services.comment_score(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.status != Comment.Status.PENDING
    assert comment.model_versions["toxicity"].endswith(f"+{live.version}")


def test_the_perspective_endpoint_scores_a_sites_key_with_its_promoted_layer(client, label_history):
    import json

    from moderation.keys.services import api_key_create

    site, other = SiteFactory(domain="a.example.com"), SiteFactory(domain="b.example.com")
    label_history(site)
    call_command("retrain", "--model", "toxicity", "--site", "a.example.com", stdout=StringIO())
    live = ModelVersion.objects.get(site=site, status=ModelVersion.Status.LIVE)
    body = {
        "comment": {"text": "Who pays for the new stadium in the end? grobnik"},
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
        "doNotStore": True,  # nothing kept, not even a usage count to flush at exit
    }
    answers = {}
    for s in (site, other):
        _, secret = api_key_create(site=s, name="CMS")
        response = client.post(
            f"/v1alpha1/comments:analyze?key={secret}",
            json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code == 200
        answers[s.domain] = response
    mine, theirs = (
        answers[d].json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
        for d in ("a.example.com", "b.example.com")
    )
    assert mine > theirs + 0.1
    assert live.version in answers["a.example.com"]["X-Model-Versions"]
    assert live.version not in answers["b.example.com"]["X-Model-Versions"]


def test_a_broken_shadow_candidate_never_stops_the_live_decision(label_history, caplog):
    import shutil

    from moderation.learning import versions

    site = SiteFactory(domain="a.example.com")
    label_history(site)
    call_command(
        "retrain", "--model", "toxicity", "--site", "a.example.com", "--shadow", stdout=StringIO()
    )
    shutil.rmtree(versions.versions_dir() / ModelVersion.objects.get(site=site).folder)
    comment = CommentFactory(article=ArticleFactory(site=site), body="A fair question.")
    assert services.comment_score(comment_id=comment.pk) is not None
    comment.refresh_from_db()
    assert comment.status != Comment.Status.PENDING
    assert not ShadowScore.objects.exists()
    assert "could not score" in caplog.text
