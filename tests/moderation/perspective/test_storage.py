"""What is kept of analyzed texts: counts by default, texts for N days if the site chose so,
and nothing at all, not even a log line, with doNotStore."""

import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation.perspective.models import AnalyzedText, AnalyzeUsage, ScoreSuggestion
from moderation.perspective.services import analyze_usage_flush, analyzed_texts_purge
from moderation.perspective.tasks import purge_analyzed_texts
from tests.moderation.admin_forms import site_change_form
from tests.moderation.factories import SiteFactory
from tests.moderation.perspective.conftest import ANALYZE

pytestmark = pytest.mark.django_db

SECRET_TEXT = "my neighbour Jane Roe at 12 Elm Street is an idiot"


def _body(**extra) -> dict:
    return {
        "comment": {"text": SECRET_TEXT},
        "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
        "languages": ["en"],
        **extra,
    }


def test_by_default_only_a_daily_count_is_kept(post, key):
    api_key, _ = key
    for _ in range(3):
        assert post(ANALYZE, _body()).status_code == 200
    usage = AnalyzeUsage.objects.get(api_key=api_key)
    assert (usage.day, usage.analyze_count, usage.suggest_count) == (
        timezone.localdate(),
        3,
        0,
    )
    assert not AnalyzedText.objects.exists()


def test_counts_are_added_up_in_the_process_and_written_by_the_flush(post, key, settings):
    settings.PERSPECTIVE_USAGE_FLUSH_SECONDS = 3600
    api_key, _ = key
    for _ in range(4):
        assert post(ANALYZE, _body()).status_code == 200
    assert not AnalyzeUsage.objects.exists()
    assert analyze_usage_flush() == 4
    assert AnalyzeUsage.objects.get(api_key=api_key).analyze_count == 4
    post(ANALYZE, _body())
    assert analyze_usage_flush() == 1
    assert AnalyzeUsage.objects.get(api_key=api_key).analyze_count == 5
    assert analyze_usage_flush() == 0


def test_a_site_that_keeps_texts_gets_them_with_scores_and_versions(post, site, key):
    site.analyzed_text_retention_days = 30
    site.save()
    response = post(ANALYZE, _body(communityId="sports"))
    kept = AnalyzedText.objects.get()
    assert kept.site == site and kept.api_key == key[0] and kept.text == SECRET_TEXT
    expected = response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert kept.scores["toxicity"] == pytest.approx(expected)
    assert set(kept.model_versions) == {"toxicity"}
    assert kept.community_id == "sports" and kept.languages == ["en"]


def test_do_not_store_writes_no_row_and_no_log_line(post, site, key, caplog):
    site.analyzed_text_retention_days = 30
    site.save()
    before = AnalyzeUsage.objects.count()
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        response = post(ANALYZE, _body(doNotStore=True, spanAnnotations=True))
    assert response.status_code == 200
    assert not AnalyzedText.objects.exists() and not ScoreSuggestion.objects.exists()
    assert AnalyzeUsage.objects.count() == before == 0
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    # The key's "last used" time is the one write, and it holds nothing of the text.
    assert all("moderation_apikey" in sql and "last_used_at" in sql for sql in writes)
    assert all("idiot" not in q["sql"] and "Elm" not in q["sql"] for q in queries)
    assert not any("Elm Street" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.name.startswith("moderation")]


def test_a_refused_do_not_store_request_logs_no_text_either(post, caplog):
    caplog.set_level(logging.DEBUG)
    body = _body(doNotStore=True, requestedAttributes={"FLIRTATION": {}})
    assert post(ANALYZE, body).status_code == 400
    assert not any("Elm Street" in r.getMessage() for r in caplog.records)


def test_the_purge_keeps_each_sites_retention(site, key):
    api_key, _ = key
    short = SiteFactory(analyzed_text_retention_days=1)
    site.analyzed_text_retention_days = 30
    site.save()
    now = timezone.now()

    def kept(for_site, age_days: float) -> AnalyzedText:
        row = AnalyzedText.objects.create(site=for_site, api_key=api_key, text="t")
        AnalyzedText.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age_days))
        return row

    young, old = kept(site, 29), kept(site, 31)
    short_young, short_old = kept(short, 0.5), kept(short, 2)
    assert analyzed_texts_purge(now=now) == 2
    assert set(AnalyzedText.objects.values_list("pk", flat=True)) == {young.pk, short_young.pk}
    assert not AnalyzedText.objects.filter(pk__in=[old.pk, short_old.pk]).exists()


def test_a_site_that_stops_keeping_texts_loses_the_kept_ones_at_the_next_purge(site, key):
    AnalyzedText.objects.create(site=site, api_key=key[0], text="t")
    assert site.analyzed_text_retention_days == 0
    assert purge_analyzed_texts() == 1
    assert purge_analyzed_texts() == 0


def test_a_site_sets_its_text_retention_in_the_admin(admin_client, site):
    page = admin_client.get(f"/admin/moderation/site/{site.pk}/change/")
    assert b"analyzed_text_retention_days" in page.content
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/",
        site_change_form(site, analyzed_text_retention_days="14"),
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.analyzed_text_retention_days == 14
