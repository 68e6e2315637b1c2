"""Create a site's secret API key and print it once, alone on the last line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from moderation.keys.services import api_key_create
from moderation.models import Site


class Command(BaseCommand):
    help = "Create a secret API key for a site (the key is shown once; only its hash is kept)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True, help="The site's domain, e.g. demo.localhost")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'CMS sync'")

    def handle(self, *args, site: str, name: str, **options) -> None:
        found = Site.objects.filter(domain=site).first()
        if found is None:
            known = ", ".join(Site.objects.values_list("domain", flat=True)[:10]) or "none yet"
            raise CommandError(f"No site with domain {site!r}. Sites: {known}.")
        api_key, secret = api_key_create(site=found, name=name)
        self.stderr.write(f"Created key {api_key.name!r} ({api_key.prefix}…) for {found.domain}.")
        self.stdout.write(secret)
