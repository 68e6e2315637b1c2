"""The queue page and its JSON actions; each decision goes through moderation.services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import SafeString
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation import policy, services
from moderation.api.permissions import CanModerateComments
from moderation.desk import cards
from moderation.desk import selectors as desk_selectors
from moderation.desk.highlight import highlighted_html
from moderation.desk.serializers import (
    ACTIONS,
    DEFAULT_NOTES,
    DecideInput,
    DecideOutput,
    QueueFilterInput,
    UndoOutput,
)
from moderation.errors import ConflictError, NotFoundError
from moderation.models import MODERATE_COMMENT, Comment
from moderation.policy.verdict import RULE_WORDS
from moderation.selectors import comments_visible_to

Status = Comment.Status


@dataclass(frozen=True)
class Card:
    id: str  # rendered often; a string skips number localisation
    comment: Comment
    text: SafeString
    badges: list[cards.Badge]
    reason: str
    email_history: str
    ip_history: str
    email_link: str
    ip_link: str
    change_url: str


def _history_link(**lookup: str) -> str:
    return reverse("admin:moderation_comment_changelist") + "?" + urlencode(lookup)


def _cards(request: HttpRequest, comments: list[Comment]) -> list[Card]:
    history = desk_selectors.author_history(user=request.user, comments=comments)
    thresholds_by_site: dict[int, dict[str, policy.Thresholds]] = {}
    # One reverse() for the page; the per-comment URLs only differ by the id.
    change_url = reverse("admin:moderation_comment_change", args=[0]).replace("/0/", "/{}/")
    result = []
    for comment in comments:
        site = comment.article.site
        if site.pk not in thresholds_by_site:
            thresholds_by_site[site.pk] = cards.site_thresholds(site)
        thresholds = thresholds_by_site[site.pk]
        ip_hash = comment.ip_hash
        explanation = cards.explanations_that_held(comment, thresholds)
        services.comment_explanation_store(comment=comment, explanation=explanation)
        result.append(
            Card(
                id=str(comment.pk),
                comment=comment,
                text=highlighted_html(comment.body, explanation),
                badges=cards.score_badges(comment.scores or {}, thresholds),
                reason=cards.plain_reason(comment, thresholds),
                email_history=cards.history_summary(history.by_email.get(comment.author_email, {})),
                ip_history=(
                    cards.history_summary(history.by_ip_hash.get(ip_hash, {})) if ip_hash else ""
                ),
                email_link=_history_link(author_email=comment.author_email),
                ip_link=_history_link(ip_hash=ip_hash) if ip_hash else "",
                change_url=change_url.format(comment.pk),
            )
        )
    return result


def counts_payload(request: HttpRequest) -> dict[str, Any]:
    sites, totals = desk_selectors.status_counts(user=request.user)
    return {
        "sites": [{"site_id": s.site_id, "name": s.name, "counts": s.counts} for s in sites],
        "totals": totals,
    }


def queue_view(request: HttpRequest, admin_site: AdminSite) -> TemplateResponse:
    """GET the queue: filters, counts per status and site, and one page of comment cards."""
    if not request.user.has_perm(MODERATE_COMMENT):
        raise PermissionDenied
    form = QueueFilterInput(data=request.GET)
    context: dict[str, Any] = {
        **admin_site.each_context(request),
        "title": "Moderation queue",
        "statuses": Status.choices,
        "bands": list(desk_selectors.BANDS),
        "labels": sorted(cards.LABEL_WORDS),
        "rules": list(RULE_WORDS.items()),
        "shortcuts": SHORTCUTS,
        "desk_config": {
            "decideUrl": reverse("admin:moderation_desk_decide"),
            "undoUrl": reverse("admin:moderation_desk_undo"),
        },
    }
    sites, totals = desk_selectors.status_counts(user=request.user)
    count_rows = [
        {"site_id": s.site_id, "name": s.name, "cells": [(v, str(s.counts[v])) for v in Status]}
        for s in sites
    ]
    all_sites = [(v, str(totals[v])) for v in Status.values]
    count_rows.append({"site_id": "all", "name": "", "cells": all_sites})
    context.update(count_rows=count_rows, sites=[(s.site_id, s.name) for s in sites])
    if not form.is_valid():
        context.update(errors=form.errors, filters={}, cards=[], articles=[])
        return TemplateResponse(request, "admin/moderation/desk/queue.html", context, status=400)
    data = form.validated_data
    filters = desk_selectors.QueueFilters(
        status="" if data["status"] == "all" else data["status"],
        site_id=data.get("site"),
        article_id=data.get("article"),
        label=data.get("label", ""),
        rule=data.get("rule", ""),
        band=data.get("band", ""),
        since=data.get("since"),
        until=data.get("until"),
        search=data.get("q", ""),
    )
    paginator = Paginator(
        desk_selectors.queue_comments(user=request.user, filters=filters), data["per_page"]
    )
    page = paginator.get_page(data["page"])
    query = {k: v for k, v in request.GET.items() if k != "page" and v != ""}
    context.update(
        filters={**data},
        cards=_cards(request, list(page.object_list)),
        page=page,
        page_query=urlencode(query),
        articles=desk_selectors.queue_articles(user=request.user, site_id=filters.site_id),
    )
    return TemplateResponse(request, "admin/moderation/desk/queue.html", context)


SHORTCUTS = [
    ("j / k", "next / previous comment"),
    ("a", "approve (publish)"),
    ("s", "reject as spam"),
    ("r", "reject as abuse"),
    ("h or b", "send back to the queue (held)"),
    ("u", "undo your last decision"),
    ("x", "select the comment for a bulk action"),
    ("A, S, R, H", "with Shift: the same decision on every selected comment"),
    ("n", "write a note for the next decision"),
    ("?", "show or hide this help"),
]


def _comment_payload(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "status": comment.status,
        "status_display": comment.get_status_display(),
        "decision_reason": comment.decision_reason,
    }


def histories_payload(request: Request, comments: list[Comment]) -> dict[str, dict[str, str]]:
    """The author history lines of these comments' authors, as the cards show them, after a
    decision changed them: {"email": {address: "1 approved, …"}, "ip": {ip_hash: …}}; by IP
    means by the address's keyed hash, as the cards count it."""
    history = desk_selectors.author_history(user=request.user, comments=comments)
    return {
        "email": {email: cards.history_summary(c) for email, c in history.by_email.items()},
        "ip": {ip_hash: cards.history_summary(c) for ip_hash, c in history.by_ip_hash.items()},
    }


class DeskView(APIView):
    """Session (admin login) with CSRF, and the moderate_comment permission."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [CanModerateComments]

    @staticmethod
    def moderator(request: Request) -> User:
        """The signed-in moderator (CanModerateComments has let only such users in)."""
        if not isinstance(request.user, User):
            raise PermissionDenied
        return request.user


class DecideView(DeskView):
    """POST {comment_ids, action, note}: approve, reject as spam or abuse, or send back."""

    @extend_schema(
        request=DecideInput,
        responses={200: DecideOutput},
        summary="Decide comments from the moderation queue (admin session and CSRF token)",
        tags=["desk"],
    )
    def post(self, request: Request) -> Response:
        form = DecideInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        wanted = list(dict.fromkeys(data["comment_ids"]))
        # Comments outside the user's sites are answered as missing, so ids can't be probed.
        visible = set(
            comments_visible_to(user=request.user)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        to_status, label = ACTIONS[data["action"]]
        outcome = services.comments_moderate(
            comment_ids=[i for i in wanted if i in visible],
            to_status=to_status,
            moderator=self.moderator(request),
            reason=data["note"].strip() or DEFAULT_NOTES[data["action"]],
            label=label,
        )
        refused = {i: f"There is no comment {i}." for i in wanted if i not in visible}
        refused.update(outcome.refused)
        if not outcome.decided:
            messages = [f"#{i}: {message}" for i, message in refused.items()]
            error = NotFoundError if all(i not in visible for i in wanted) else ConflictError
            raise error(" ".join(messages), fields={"comment_ids": messages})
        return Response(
            {
                "decided": [{**_comment_payload(c), "label": label} for c in outcome.decided],
                "refused": [{"id": i, "message": m} for i, m in refused.items()],
                "counts": counts_payload(request),
                "histories": histories_payload(request, list(outcome.decided)),
            }
        )


class UndoView(DeskView):
    """POST: take back the moderator's own last decision."""

    @extend_schema(
        request=None,
        responses={200: UndoOutput},
        summary="Undo your own last decision (admin session and CSRF token)",
        tags=["desk"],
    )
    def post(self, request: Request) -> Response:
        comment, event = services.comment_decision_undo(moderator=self.moderator(request))
        return Response(
            {
                "undone": {**_comment_payload(comment), "event_id": event.pk},
                "counts": counts_payload(request),
                "histories": histories_payload(request, [comment]),
            }
        )
