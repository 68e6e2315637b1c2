"""Erase an author's personal data, keeping their comments' places in the threads."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from moderation.errors import ApplicationError
from moderation.management.commands.author_export import site_by_domain
from moderation.privacy.services import author_erase


class Command(BaseCommand):
    help = (
        "Erase the personal data of the author with this email: name, email, website, IP and "
        "user agent on their comments (shown as [deleted]), their subscriptions, and the copies "
        "in webhook messages, kept Perspective texts and the logs' text. Recorded as a privacy "
        "request."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--site", help="Only this site's domain (default: every site)")
        parser.add_argument(
            "--with-bodies",
            action="store_true",
            help='Also replace the texts of their comments with "[deleted]" (replies stay)',
        )

    def handle(self, *args, email: str, site: str | None, with_bodies: bool, **options) -> None:
        try:
            record = author_erase(email=email, site=site_by_domain(site), with_bodies=with_bodies)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        counts = ", ".join(f"{name} {n}" for name, n in record.counts.items())
        self.stdout.write(f"Erased (privacy request #{record.pk}): {counts}.")
