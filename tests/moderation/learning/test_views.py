"""Dashboard, thresholds and shadow-trial pages: charts without scripts, scoped to sites."""

import re

import pytest
from django.urls import reverse

from moderation.learning.models import ThresholdChange
from moderation.models import SiteThreshold
from tests.moderation.factories import SiteFactory, group_member

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/moderation/dashboard/"


def test_the_admin_index_links_the_dashboard(client):
    client.force_login(group_member("Moderators"))
    page = client.get("/admin/").content.decode()
    assert f'href="{DASHBOARD}"' in page and ">Dashboard<" in page


def test_the_dashboard_draws_svg_charts_without_scripts_or_inline_styles(client, label_history):
    site = SiteFactory(name="Mine")
    label_history(site, n=80)
    client.force_login(group_member("Moderators", sites=[site]))
    response = client.get(DASHBOARD, {"site": site.pk, "days": 30})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") >= 7
    for caption in (
        "Comments per day by outcome",
        "Queue size",
        "Waiting time",
        "Automatic versus human decisions",
        "Score distribution",
        "How often moderators overturn the model",
    ):
        assert caption in page
    assert "<script>" not in page and not re.search(r"<script(?![^>]*src=)", page)
    assert ' style="' not in page and " onclick=" not in page
    # 80 comments, all published or rejected: the bars add up to them.
    assert "toxicity (held)" in page


def test_a_scoped_moderator_sees_only_their_own_sites(client):
    mine, theirs = SiteFactory(name="Mine"), SiteFactory(name="Theirs")
    client.force_login(group_member("Moderators", sites=[mine]))
    page = client.get(DASHBOARD).content.decode()
    assert "Mine" in page and "Theirs" not in page
    assert client.get(DASHBOARD, {"site": theirs.pk}).status_code == 404
    assert client.get(DASHBOARD, {"days": "5"}).status_code == 400


def test_a_user_without_the_permission_gets_403(client):
    from tests.moderation.factories import StaffFactory

    client.force_login(StaffFactory())
    assert client.get(DASHBOARD).status_code == 403


def test_the_threshold_page_shows_the_backtest_and_saves_only_on_confirm(client, label_history):
    site = SiteFactory(domain="t.example.com")
    label_history(site, n=400, means=(0.3, 0.75), spread=0.12)
    manager = group_member("Site managers", sites=[site])
    client.force_login(manager)
    url = reverse("admin:moderation_thresholdchange_add")
    target = {"site": site.pk, "model": "toxicity", "reject_precision": "0.98", "max_held": "0.15"}
    page = client.get(url, target).content.decode()
    assert "from site labels" in page and "Reject precision (labelled)" in page
    assert not SiteThreshold.objects.exists()
    response = client.post(url, target)
    assert response.status_code == 302
    change = ThresholdChange.objects.get()
    assert change.confirmed_by == manager
    assert (
        SiteThreshold.objects.get(site=site, label="toxicity").reject_above
        == change.after["reject"]
    )


def test_another_sites_manager_cannot_pick_the_site(client, label_history):
    site = SiteFactory(domain="t.example.com")
    client.force_login(group_member("Site managers", sites=[SiteFactory()]))
    url = reverse("admin:moderation_thresholdchange_add")
    response = client.post(url, {"site": site.pk, "model": "toxicity", "max_held": "0.15"})
    assert response.status_code == 400
    assert not ThresholdChange.objects.exists()
