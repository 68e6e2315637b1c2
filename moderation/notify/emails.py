"""The emails: built from plain-text templates; none names a commenter's address or IP to others."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from moderation.models import Comment, Site
from moderation.notify import tokens
from moderation.notify.models import Subscriber


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(reverse("notify-confirm", args=[tokens.make(tokens.CONFIRM, subscriber.pk)]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = tokens.make(tokens.UNSUBSCRIBE, subscriber.pk)
    return absolute(reverse("notify-unsubscribe", args=[token]))


def moderator_unsubscribe_url(site: Site, address: str) -> str:
    token = tokens.make(tokens.MODERATOR_UNSUBSCRIBE, {"site": site.pk, "email": address})
    return absolute(reverse("notify-moderator-unsubscribe", args=[token]))


def admin_comment_url(comment: Comment) -> str:
    return absolute(reverse("admin:moderation_comment_change", args=[comment.pk]))


def _one_line(text: str, limit: int = 200) -> str:
    """A subject from names and titles: a line break in a header would be refused as injection."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _message(
    *, to: str, subject: str, template: str, context: dict, unsubscribe: str
) -> EmailMessage:
    body = render_to_string(f"notify/email/{template}.txt", {**context, "unsubscribe": unsubscribe})
    return EmailMessage(
        subject=_one_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        # RFC 8058: mail clients offer a one-click unsubscribe that POSTs to this URL.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def confirmation(subscriber: Subscriber, comment: Comment) -> EmailMessage:
    return _message(
        to=subscriber.email,
        subject=f"Confirm email notifications from {subscriber.site.name}",
        template="confirm",
        context={
            "site": subscriber.site,
            "comment": comment,
            "article": comment.article,
            "confirm": confirm_url(subscriber),
            "max_age_days": settings.NOTIFY_CONFIRM_MAX_AGE_DAYS,
        },
        unsubscribe=unsubscribe_url(subscriber),
    )


def published(subscriber: Subscriber, comment: Comment) -> EmailMessage:
    return _message(
        to=subscriber.email,
        subject=f"Your comment on “{comment.article.title}” is published",
        template="published",
        context={"site": subscriber.site, "comment": comment, "article": comment.article},
        unsubscribe=unsubscribe_url(subscriber),
    )


def reply(subscriber: Subscriber, reply: Comment) -> EmailMessage:
    return _message(
        to=subscriber.email,
        subject=f"{reply.author_name} replied to your comment on “{reply.article.title}”",
        template="reply",
        context={
            "site": subscriber.site,
            "reply": reply,
            "parent": reply.parent,
            "article": reply.article,
        },
        unsubscribe=unsubscribe_url(subscriber),
    )


def held_comment(site: Site, address: str, comment: Comment) -> EmailMessage:
    return _message(
        to=address,
        subject=f"[{site.name}] A comment is held for moderation",
        template="held",
        context={
            "site": site,
            "comment": comment,
            "article": comment.article,
            "admin_url": admin_comment_url(comment),
        },
        unsubscribe=moderator_unsubscribe_url(site, address),
    )


def held_digest(site: Site, address: str, comments: list[Comment]) -> EmailMessage:
    queue = absolute(reverse("admin:moderation_comment_changelist"))
    return _message(
        to=address,
        subject=f"[{site.name}] {len(comments)} comment(s) held for moderation",
        template="held_digest",
        context={
            "site": site,
            "items": [(comment, admin_comment_url(comment)) for comment in comments],
            "queue_url": f"{queue}?status__exact=held&article__site__id__exact={site.pk}",
        },
        unsubscribe=moderator_unsubscribe_url(site, address),
    )
