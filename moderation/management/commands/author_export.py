"""Write everything stored about an author as JSON (the answer to a subject access request)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moderation.errors import ApplicationError
from moderation.models import Site
from moderation.privacy.services import author_export


def site_by_domain(domain: str | None) -> Site | None:
    if domain is None:
        return None
    site = Site.objects.filter(domain=domain).first()
    if site is None:
        raise CommandError(f"No site with domain {domain!r}.")
    return site


class Command(BaseCommand):
    help = (
        "Write everything stored about the author with this email as JSON: comments, "
        "subscriptions, trust and bans, and the events that name them. "
        "Recorded as a privacy request."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--site", help="Only this site's domain (default: every site)")
        parser.add_argument("--out", help="Write to this file instead of standard output")

    def handle(self, *args, email: str, site: str | None, out: str | None, **options) -> None:
        try:
            data = author_export(email=email, site=site_by_domain(site))
        except ApplicationError as error:
            raise CommandError(error.message) from error
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {len(data['comments'])} comments and the rest to {out}.")
        else:
            self.stdout.write(text)
