"""A submission's reads: one query for the article, its site, house rules and webhook flag, read
fresh each time (nothing cached), and comment.created queued only when someone listens."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone
from rest_framework.test import APIClient

from moderation import queue, services
from moderation.api import throttles
from moderation.errors import ConflictError
from moderation.models import Article, Comment
from moderation.notify.models import NotificationOutbox, WebhookEndpoint
from moderation.rules.models import SiteRules
from moderation.rules.selectors import rules_of
from moderation.selectors import article_for_submission
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db
Event = WebhookEndpoint.Event


@pytest.fixture(autouse=True)
def sent(monkeypatch):
    """Scoring messages the broker took, by comment id."""
    messages = []
    monkeypatch.setattr(queue, "task_send", lambda name, *args: messages.append(args[0]))
    return messages


def submit(article, **fields):
    comment, _token = services.comment_submit(
        article_id=article.pk,
        author_name="Ana Reader",
        author_email=fields.pop("author_email", "ana@example.org"),
        body=fields.pop("body", "Renting out prison cells raises questions."),
        ip_address="198.51.100.23",
        **fields,
    )
    return comment


def endpoint(site, events, *, active=True):
    return WebhookEndpoint.objects.create(
        site=site,
        url="https://hooks.example.org/in",
        events=events,
        secret=WebhookEndpoint.new_secret(),
        is_active=active,
    )


def created_queued() -> bool:
    return NotificationOutbox.objects.filter(task="comment_created_task").exists()


@pytest.mark.parametrize(("duplicate_rule", "queries"), [(True, 3), (False, 2)])
def test_a_submission_reads_once_and_inserts_once(
    article,
    sent,
    duplicate_rule,
    queries,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    """The article with its site and rules, the duplicate rule's own read, the INSERT."""
    if not duplicate_rule:
        SiteRules.objects.create(site=article.site, duplicate_minutes=None)
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(queries):
        comment = submit(article)
    assert sent == [comment.pk]
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


def test_the_article_comes_with_its_site_rules_and_webhook_flag_in_one_query(
    article, django_assert_num_queries
):
    SiteRules.objects.create(site=article.site, max_links=7)
    endpoint(SiteFactory(), [Event.CREATED])  # another site's
    with django_assert_num_queries(1):
        found, site_webhooks = article_for_submission(article_id=article.pk)
        assert found == article and found.site.house_rules.max_links == 7
        assert site_webhooks is False
    assert article_for_submission(article_id=article.pk + 1000) is None


def field_values(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("own_rules", [True, False])
def test_the_compiled_read_builds_what_select_related_builds(
    article, own_rules, django_assert_num_queries
):
    """Every column of the article, its site and its rules, as the ORM reads them."""
    article.published_at = timezone.now() - timedelta(days=1)
    article.comments_close_at = timezone.now() + timedelta(days=2)
    article.save()
    if own_rules:
        SiteRules.objects.create(
            site=article.site, banned_words="foo\nbar", max_links=2, close_after_days=9
        )
    expected = Article.objects.select_related("site__house_rules").get(pk=article.pk)
    with django_assert_num_queries(1):
        found, _webhooks = article_for_submission(article_id=article.pk)
        assert field_values(found) == field_values(expected)
        assert field_values(found.site) == field_values(expected.site)
        assert not found._state.adding and found._state.db == expected._state.db
        if own_rules:
            assert field_values(found.site.house_rules) == field_values(expected.site.house_rules)
            assert found.site.house_rules.site is found.site
        else:
            with pytest.raises(SiteRules.DoesNotExist):
                found.site.house_rules  # noqa: B018 - known absent, without a query
    assert rules_of(found.site).pk == (expected.site.house_rules.pk if own_rules else None)


def test_site_settings_changed_between_two_submissions_apply_to_the_second(article):
    top = submit(article, body="Top.")
    Comment.objects.filter(pk=top.pk).update(status=Comment.Status.APPROVED)
    reply = submit(article, body="A reply.", parent_id=top.pk)
    assert reply.parent_id == top.pk
    Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.APPROVED)
    article.site.thread_max_depth = 1
    article.site.save()
    assert submit(article, body="Flat now.", parent_id=reply.pk).parent_id is None


def test_an_article_closed_or_deleted_between_two_submissions_is_refused(article):
    submit(article, body="While open.")
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    with pytest.raises(ConflictError, match="closed"):
        submit(article, body="Once closed.")
    Comment.objects.filter(article=article).delete()
    article_id = article.pk
    article.delete()
    assert article_for_submission(article_id=article_id) is None
    response = APIClient(REMOTE_ADDR="198.51.100.25").post(
        f"/api/v1/articles/{article_id}/comments/",
        {"author_name": "Ana", "author_email": "ana@example.org", "body": "Anyone?"},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {
        "article_id": [f"No article with id {article_id}."]
    }


@pytest.mark.parametrize(
    ("events", "active", "flag"),
    [([Event.CREATED], True, True), ([Event.HELD], True, True), ([Event.CREATED], False, False)],
)
def test_the_webhook_flag_says_whether_the_site_has_an_active_endpoint(
    article, events, active, flag
):
    endpoint(article.site, events, active=active)
    assert article_for_submission(article_id=article.pk) == (article, flag)


def test_comment_created_is_queued_only_when_someone_listens(article):
    other_site = SiteFactory()
    endpoint(other_site, [Event.CREATED])
    endpoint(article.site, [Event.CREATED], active=False)
    endpoint(article.site, [Event.HELD, Event.APPROVED])
    submit(article, body="First.")
    assert not created_queued()  # no active endpoint of this site hears comment.created

    submit(article, body="Second.", author_email="bo@example.org", notify=True)
    assert created_queued()  # its author asked for emails
    NotificationOutbox.objects.all().delete()

    endpoint(article.site, [Event.CREATED])
    submit(article, body="Third.", author_email="cy@example.org")
    assert created_queued()  # an endpoint added a moment ago is heard at once


def test_rules_changed_between_two_submissions_apply_to_the_second(article):
    rules = SiteRules.objects.create(site=article.site)
    submit(article, body="Before the change.")
    article.published_at = timezone.now() - timedelta(days=3)
    article.save()
    rules.close_after_days = 2
    rules.save()
    with pytest.raises(ConflictError, match="closed"):
        submit(article, body="After the change.")
    rules.delete()  # back to the defaults: never closes
    assert submit(article, body="Defaults again.").pk


def test_a_honeypot_catch_is_rejected_with_its_event_and_never_queued(article, sent):
    comment = submit(article, honeypot="https://spam.example")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED and comment.events.count() == 1
    assert sent == [] and not created_queued()


class CountingCache:
    """The throttles' cache, recording which of its methods they call."""

    def __init__(self, cache):
        self.cache, self.calls = cache, []

    def __getattr__(self, name):
        self.calls.append(name)
        return getattr(self.cache, name)


def test_a_valid_submission_makes_three_throttle_cache_round_trips(article, monkeypatch):
    """On arrival one read of both limits' histories; once answered, a fresh read and a write."""
    counting = CountingCache(caches["default"])
    monkeypatch.setattr(throttles.OutcomeThrottle, "cache", counting)
    response = APIClient(REMOTE_ADDR="198.51.100.24").post(
        f"/api/v1/articles/{article.pk}/comments/",
        {"author_name": "Ana", "author_email": "ana@example.org", "body": "A point."},
        format="json",
    )
    assert response.status_code == 202
    assert counting.calls == ["get_many", "get", "set"]
