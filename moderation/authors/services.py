"""Writes about authors: trust and bans, each logged as an AuthorAction.

A moderator scoped to some sites trusts and bans on those sites only, and rejecting a banned
author's existing comments touches only comments the moderator may decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from moderation.authors import hashing
from moderation.authors.models import AuthorAction, AuthorBan, AuthorTrust
from moderation.authors.selectors import comments_covered_by_ban, email_domain
from moderation.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from moderation.models import MODERATE_COMMENT, Actor, Comment, Site
from moderation.selectors import comments_visible_to, scoped_site_ids, sites_visible_to
from moderation.services import comment_transition

Kind = AuthorBan.Kind
Standing = TypeVar("Standing", AuthorTrust, AuthorBan)
# What a ban's "reject existing comments" option reaches: everything not already rejected.
REJECTABLE = [Comment.Status.PENDING, Comment.Status.HELD, Comment.Status.APPROVED]


@dataclass(frozen=True)
class BanTarget:
    key: str  # what is stored and matched: lower-case email or domain, or a keyed hash
    display: str  # what the admin may show


def ban_target(*, kind: str, value: str) -> BanTarget:
    """Validate and normalise what a ban names; raises ApplicationError naming `value`."""
    value = (value or "").strip()
    try:
        if kind == Kind.EMAIL:
            validate_email(value)
            return BanTarget(key=value.lower(), display=value.lower())
        if kind == Kind.DOMAIN:
            domain = value.lower().removeprefix("@")
            validate_email(f"someone@{domain}")
            return BanTarget(key=domain, display=domain)
        if kind == Kind.IP:
            address = hashing.parse_address(value)
            return BanTarget(
                key=hashing.address_hash(address), display=f"IPv{address.version} address (hashed)"
            )
        if kind == Kind.NETWORK:
            network = hashing.parse_network(value)
            return BanTarget(
                key=hashing.network_hash(network),
                display=f"IPv{network.version} /{network.prefixlen} network (hashed)",
            )
    except (ValueError, ValidationError) as error:
        message = "; ".join(getattr(error, "messages", [])) or str(error)
        raise ApplicationError(
            f"Not a valid {Kind(kind).label.lower()}: {message}", fields={"value": [message]}
        ) from error
    raise ApplicationError(f"Unknown ban kind {kind!r}.", fields={"kind": ["Unknown kind."]})


def _check_site(*, moderator: User, site: Site | None) -> None:
    """A scoped moderator must name one of their sites; nobody may name a site they can't see."""
    if not moderator.has_perm(MODERATE_COMMENT):
        raise PermissionDeniedError("You need the moderate_comment permission to manage authors.")
    if site is None:
        if scoped_site_ids(user=moderator) is not None:
            raise PermissionDeniedError(
                "You moderate only some sites: choose one of them.",
                fields={"site": ["Choose one of your sites."]},
            )
        return
    if not sites_visible_to(user=moderator).filter(pk=site.pk).exists():
        raise PermissionDeniedError(
            "You do not moderate that site.", fields={"site": ["Not one of your sites."]}
        )


def author_trust_check(*, email: str, moderator: User, site: Site | None) -> str:
    """What author_trust would refuse, refused first (the admin form asks); the email normalised."""
    _check_site(moderator=moderator, site=site)
    try:
        email = ban_target(kind=Kind.EMAIL, value=email).key  # same validation and normal form
    except ApplicationError as error:
        raise ApplicationError(error.message, fields={"email": error.fields["value"]}) from error
    if AuthorTrust.objects.filter(
        email__iexact=email, site=site, withdrawn_at__isnull=True
    ).exists():
        raise ConflictError(
            f"{email} is already trusted there.", fields={"email": ["Already trusted."]}
        )
    return email


def author_trust(
    *, email: str, moderator: User, site: Site | None = None, note: str = ""
) -> AuthorTrust:
    """Trust an author by email, on one site or (unscoped moderators only) on every site."""
    with transaction.atomic():
        email = author_trust_check(email=email, moderator=moderator, site=site)
        trust = AuthorTrust.objects.create(email=email, site=site, note=note, created_by=moderator)
        AuthorAction.objects.create(
            action=AuthorAction.Action.TRUST, trust=trust, moderator=moderator, note=note
        )
    return trust


def author_untrust(*, trust_id: int, moderator: User, note: str = "") -> AuthorTrust:
    """Withdraw trust: the author's new comments are scored like anyone's."""
    return _standing_withdraw(
        model=AuthorTrust,
        pk=trust_id,
        action=AuthorAction.Action.UNTRUST,
        moderator=moderator,
        note=note,
        missing=f"There is no trusted author {trust_id}.",
        already=lambda trust: f"Trust in {trust.email} was already withdrawn.",
    )


def _refuse_duplicate_ban(*, kind: str, target: BanTarget, site: Site | None) -> None:
    if AuthorBan.objects.filter(
        kind=kind, key=target.key, site=site, withdrawn_at__isnull=True
    ).exists():
        raise ConflictError("That is already banned there.", fields={"value": ["Already banned."]})


def author_ban_check(*, kind: str, value: str, moderator: User, site: Site | None) -> BanTarget:
    """What author_ban would refuse, refused first (the admin form asks); the target normalised."""
    _check_site(moderator=moderator, site=site)
    target = ban_target(kind=kind, value=value)
    _refuse_duplicate_ban(kind=kind, target=target, site=site)
    return target


def author_ban(
    *,
    kind: str,
    value: str,
    moderator: User,
    site: Site | None = None,
    note: str = "",
    reject_existing: bool = False,
) -> tuple[AuthorBan, int]:
    """Ban an email, domain, address or network; optionally reject their comments already in.

    New comments it covers are rejected when scored. Returns the ban and how many existing
    comments were rejected (each through the transition helper, with its own event).
    """
    with transaction.atomic():
        target = author_ban_check(kind=kind, value=value, moderator=moderator, site=site)
        return _author_ban_create(
            kind=kind,
            target=target,
            moderator=moderator,
            site=site,
            note=note,
            reject_existing=reject_existing,
        )


def author_ban_from_comment(
    *,
    comment_id: int,
    kind: str,
    moderator: User,
    site: Site | None = None,
    note: str = "",
    reject_existing: bool = False,
) -> tuple[AuthorBan, int]:
    """Ban what a comment came from (its email, domain, address or network) without retyping it.

    IP and network bans take the comment's stored hashes, so this works when only hashes are
    kept. The comment must be one the moderator may see (404 otherwise).
    """
    comment = comments_visible_to(user=moderator).filter(pk=comment_id).first()
    if comment is None:
        raise NotFoundError(
            f"There is no comment {comment_id}.",
            fields={"comment_id": [f"No comment with id {comment_id}."]},
        )
    if kind in (Kind.IP, Kind.NETWORK):
        key = comment.ip_hash if kind == Kind.IP else comment.ip_network_hash
        if not key:
            raise ApplicationError(
                f"Comment {comment_id} has no IP address to ban.",
                fields={"kind": ["The comment has no IP address."]},
            )
        noun = "address" if kind == Kind.IP else "network"
        target = BanTarget(key=key, display=f"{noun} of comment #{comment.pk} (hashed)")
    else:
        value = comment.author_email if kind == Kind.EMAIL else email_domain(comment.author_email)
        target = ban_target(kind=kind, value=value)
    with transaction.atomic():
        _check_site(moderator=moderator, site=site)
        _refuse_duplicate_ban(kind=kind, target=target, site=site)
        return _author_ban_create(
            kind=kind,
            target=target,
            moderator=moderator,
            site=site,
            note=note,
            reject_existing=reject_existing,
            details={"from_comment": comment.pk},
        )


def _author_ban_create(
    *,
    kind: str,
    target: BanTarget,
    moderator: User,
    site: Site | None,
    note: str,
    reject_existing: bool,
    details: dict | None = None,
) -> tuple[AuthorBan, int]:
    ban = AuthorBan.objects.create(
        kind=kind,
        key=target.key,
        display=target.display,
        site=site,
        note=note,
        created_by=moderator,
    )
    rejected = _reject_covered_comments(ban=ban, moderator=moderator) if reject_existing else 0
    AuthorAction.objects.create(
        action=AuthorAction.Action.BAN,
        ban=ban,
        moderator=moderator,
        note=note,
        details={
            **(details or {}),
            "rejected_existing": reject_existing,
            "comments_rejected": rejected,
        },
    )
    return ban, rejected


def _reject_covered_comments(*, ban: AuthorBan, moderator: User) -> int:
    comments = comments_covered_by_ban(ban=ban).filter(
        status__in=REJECTABLE, pk__in=comments_visible_to(user=moderator).values("pk")
    )
    rejected = 0
    for comment in comments.select_related("article__site").order_by("id").iterator():
        try:
            comment_transition(
                comment=comment,
                to_status=Comment.Status.REJECTED,
                actor=Actor.MODERATOR,
                moderator=moderator,
                reason=ban.rejection_reason,
                label="ban",
                details={"ban_id": ban.pk},
            )
        except ConflictError:
            continue  # decided by someone else meanwhile; theirs stands
        rejected += 1
    return rejected


def author_ban_lift(*, ban_id: int, moderator: User, note: str = "") -> AuthorBan:
    """Lift a ban: new comments are scored as usual again. Rejected comments stay rejected."""
    return _standing_withdraw(
        model=AuthorBan,
        pk=ban_id,
        action=AuthorAction.Action.LIFT_BAN,
        moderator=moderator,
        note=note,
        missing=f"There is no ban {ban_id}.",
        already=lambda ban: f"Ban #{ban.pk} was already lifted.",
    )


def _standing_withdraw(
    *,
    model: type[Standing],
    pk: int,
    action: str,
    moderator: User,
    note: str,
    missing: str,
    already: Callable[[Standing], str],
) -> Standing:
    """Withdraw a trust or lift a ban once, logged; a second withdrawal is a conflict."""
    standing = model.objects.select_related("site").filter(pk=pk).first()
    if standing is None:
        raise NotFoundError(missing)
    _check_site(moderator=moderator, site=standing.site)
    with transaction.atomic():
        updated = model.objects.filter(pk=standing.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=moderator
        )
        if not updated:
            raise ConflictError(already(standing))
        target = {"trust": standing} if isinstance(standing, AuthorTrust) else {"ban": standing}
        AuthorAction.objects.create(action=action, moderator=moderator, note=note, **target)
    standing.refresh_from_db()
    return standing
