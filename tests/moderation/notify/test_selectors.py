"""Reads of moderation.notify.selectors."""

from __future__ import annotations

import pytest

from moderation.notify import selectors
from moderation.notify.models import SiteNotificationSettings, WebhookEndpoint
from tests.moderation.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
HeldEmails = SiteNotificationSettings.HeldEmails


def test_listeners_reads_endpoints_moderators_and_subscriptions_in_one_query(
    django_assert_num_queries,
):
    from moderation.notify import services

    hooked, moderated, muted, blank, quiet = (ArticleFactory().site for _ in range(5))
    WebhookEndpoint.objects.create(site=hooked, url="https://h.example/a", events=["comment.held"])
    WebhookEndpoint.objects.create(
        site=hooked, url="https://h.example/b", events=["comment.approved"]
    )
    WebhookEndpoint.objects.create(
        site=quiet, url="https://h.example/c", events=["comment.held"], is_active=False
    )
    for site, mode, addresses in [
        (moderated, HeldEmails.DIGEST, "mod@publisher.example"),
        (muted, HeldEmails.OFF, "mod@publisher.example"),
        (blank, HeldEmails.EACH, " , \n"),
    ]:
        SiteNotificationSettings.objects.create(
            site=site, held_emails=mode, moderator_emails=addresses
        )
    subscribed, other = CommentFactory(), CommentFactory()
    services.comment_subscription_create(comment=subscribed)
    sites = [hooked.pk, moderated.pk, muted.pk, blank.pk, quiet.pk]
    with django_assert_num_queries(1):
        found = selectors.listeners(
            site_ids=sites, held_site_ids=sites, comment_ids=[subscribed.pk, other.pk]
        )
    assert found.webhook_events == {hooked.pk: {"comment.held", "comment.approved"}}
    assert found.held_sites == {moderated.pk}
    assert found.subscribed == {subscribed.pk}
    with django_assert_num_queries(1):
        found = selectors.listeners(site_ids=[moderated.pk], held_site_ids=[], comment_ids=[])
    assert found == selectors.Listeners({}, set(), set())
    with django_assert_num_queries(0):
        assert selectors.listeners(site_ids=[], held_site_ids=[], comment_ids=[]) == found
