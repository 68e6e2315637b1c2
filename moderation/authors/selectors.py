"""Reads about authors: is this author trusted, is this comment's author banned."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from moderation.authors.hashing import comment_ip_hashes
from moderation.authors.models import AuthorBan, AuthorTrust
from moderation.models import MODERATE_COMMENT, Comment
from moderation.selectors import scoped_site_ids

Kind = AuthorBan.Kind


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def author_is_trusted(*, email: str, site_id: int) -> bool:
    """Trusted on this site or on every site, and not withdrawn."""
    return (
        AuthorTrust.objects.filter(email__iexact=email.strip(), withdrawn_at__isnull=True)
        .filter(Q(site__isnull=True) | Q(site_id=site_id))
        .exists()
    )


def ban_for_comment(*, comment: Comment) -> AuthorBan | None:
    """The oldest active ban that covers this comment's email, domain, address or network."""
    address_hash, network_hash = comment.ip_hash, comment.ip_network_hash
    if not address_hash and comment.ip_address:
        address_hash, network_hash = comment_ip_hashes(comment.ip_address)
    targets = Q(kind=Kind.EMAIL, key=comment.author_email.strip().lower()) | Q(
        kind=Kind.DOMAIN, key=email_domain(comment.author_email)
    )
    if address_hash:
        targets |= Q(kind=Kind.IP, key=address_hash) | Q(kind=Kind.NETWORK, key=network_hash)
    return (
        AuthorBan.objects.filter(targets, withdrawn_at__isnull=True)
        .filter(Q(site__isnull=True) | Q(site_id=comment.article.site_id))
        .order_by("created_at", "id")
        .first()
    )


def trusted_comment_ids(*, comments: list[Comment]) -> set[int]:
    """The comments whose author is trusted on the comment's site or everywhere: one query."""
    emails = {comment.author_email.strip().lower() for comment in comments}
    if not emails:
        return set()
    trusted: dict[str, set[int | None]] = {}
    rows = (
        AuthorTrust.objects.annotate(address=Lower("email"))
        .filter(address__in=emails, withdrawn_at__isnull=True)
        .values_list("address", "site_id")
    )
    for address, site_id in rows:
        trusted.setdefault(address, set()).add(site_id)
    return {
        comment.pk
        for comment in comments
        if trusted.get(comment.author_email.strip().lower(), set())
        & {None, comment.article.site_id}
    }


def bans_for_comments(*, comments: list[Comment]) -> dict[int, AuthorBan]:
    """Each comment's oldest active ban (as ban_for_comment), for many comments in one query."""
    keys: dict[int, set[tuple[str, str]]] = {}  # comment -> (kind, key) its bans would have
    for comment in comments:
        address_hash, network_hash = comment.ip_hash, comment.ip_network_hash
        if not address_hash and comment.ip_address:
            address_hash, network_hash = comment_ip_hashes(comment.ip_address)
        own: set[tuple[str, str]] = {
            (str(Kind.EMAIL), comment.author_email.strip().lower()),
            (str(Kind.DOMAIN), email_domain(comment.author_email)),
        }
        if address_hash:
            own |= {(str(Kind.IP), address_hash), (str(Kind.NETWORK), network_hash)}
        keys[comment.pk] = own
    wanted: dict[str, set[str]] = {}
    for pairs in keys.values():
        for kind, key in pairs:
            wanted.setdefault(kind, set()).add(key)
    if not wanted:
        return {}
    targets = Q()
    for kind, values in wanted.items():
        targets |= Q(kind=kind, key__in=values)
    site_ids = {comment.article.site_id for comment in comments}
    bans = list(
        AuthorBan.objects.filter(targets, withdrawn_at__isnull=True)
        .filter(Q(site__isnull=True) | Q(site_id__in=site_ids))
        .order_by("created_at", "id")
    )
    found: dict[int, AuthorBan] = {}
    for comment in comments:
        for ban in bans:  # oldest first
            if (ban.kind, ban.key) in keys[comment.pk] and ban.site_id in (
                None,
                comment.article.site_id,
            ):
                found[comment.pk] = ban
                break
    return found


def comments_covered_by_ban(*, ban: AuthorBan) -> QuerySet[Comment]:
    """Every comment the ban covers, on its site or on every site."""
    by_kind = {
        Kind.EMAIL: Q(author_email__iexact=ban.key),
        Kind.DOMAIN: Q(author_email__iendswith="@" + ban.key),
        Kind.IP: Q(ip_hash=ban.key),
        Kind.NETWORK: Q(ip_network_hash=ban.key),
    }
    comments = Comment.objects.filter(by_kind[Kind(ban.kind)])
    if ban.site_id is not None:
        comments = comments.filter(article__site_id=ban.site_id)
    return comments


def author_standing_visible_to(
    *, user: Any, model: type[AuthorBan] | type[AuthorTrust]
) -> QuerySet:
    """Bans or trusts a user may see: every one if unscoped, else their sites' and global ones."""
    if not (getattr(user, "is_authenticated", False) and user.has_perm(MODERATE_COMMENT)):
        return model.objects.none()
    site_ids = scoped_site_ids(user=user)
    if site_ids is None:
        return model.objects.all()
    return model.objects.filter(Q(site__isnull=True) | Q(site_id__in=site_ids))
