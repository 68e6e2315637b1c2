import pytest

from moderation import services
from moderation.models import Comment
from moderation.notify.models import CommentSubscription, Subscriber
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteFactory

Status = Comment.Status
ANA = "ana.private@example.org"


@pytest.fixture
def ours(db):
    return SiteFactory(domain="ours.example.com")


@pytest.fixture
def theirs(db):
    return SiteFactory(domain="theirs.example.com")


@pytest.fixture
def ana(ours, theirs, moderator):
    """Ana's comments on two sites (one with a reply by Bob), a subscription, and events."""
    article = ArticleFactory(site=ours, external_id="prison-fee")
    top = CommentFactory(
        article=article,
        author_name="Ana Private",
        author_email="Ana.Private@Example.org",  # as typed; matched without regard to case
        author_url="https://ana-private.example.net/",
        body="Ana's own words about the prison fee.",
        ip_address="198.51.100.23",
        user_agent="AnaBrowser/1.0",
        status=Status.HELD,
    )
    services.comment_approve(
        comment_id=top.pk, moderator=moderator, reason=f"Checked with {ANA} by phone."
    )
    reply = CommentFactory(
        article=article,
        parent=top,
        author_name="Bob",
        author_email="bob@example.org",
        body="Bob answers Ana.",
        status=Status.APPROVED,
    )
    elsewhere = CommentFactory(
        article=ArticleFactory(site=theirs),
        author_name="Ana Private",
        author_email=ANA,
        body="Ana on another site.",
        ip_address="198.51.100.23",
        status=Status.APPROVED,
    )
    subscriber = Subscriber.objects.create(site=ours, email=ANA)
    CommentSubscription.objects.create(comment=top, subscriber=subscriber)
    return {"top": Comment.objects.get(pk=top.pk), "reply": reply, "elsewhere": elsewhere}
