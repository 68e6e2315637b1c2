"""Create the demo site, its article and a demo moderator; safe to run again."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from moderation.embed.services import site_origin_add
from moderation.errors import ApplicationError
from moderation.models import Article, Site
from moderation.notify.models import SiteNotificationSettings

DEMO_ARTICLE = {
    "external_id": "el-salvador-prison-offer",
    "title": "El Salvador offers to house US prisoners — for a fee",
    "url": "https://demo.localhost/world/el-salvador-offers-to-house-us-prisoners",
}


class Command(BaseCommand):
    help = "Create a demo site with one article and a demo moderator account."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="An origin whose pages may embed the demo site's comments (repeatable).",
        )

    def handle(self, *args, **options) -> None:
        password = os.environ.get("DEMO_ADMIN_PASSWORD") or ("admin" if settings.DEBUG else "")
        if not password:
            raise CommandError("Set DEMO_ADMIN_PASSWORD: the demo admin needs a real password.")

        site, _ = Site.objects.get_or_create(
            domain="demo.localhost",
            defaults={"name": "The Daily Ledger (demo)", "embed_auto_create_articles": True},
        )
        for origin in options["origin"]:
            try:
                site_origin_add(site=site, origin=origin)
            except ApplicationError as error:
                raise CommandError(f"--origin {origin!r}: {error.message}") from None
        article, _ = Article.objects.get_or_create(
            site=site, external_id=DEMO_ARTICLE["external_id"], defaults=DEMO_ARTICLE
        )
        # Held comments are emailed to the demo moderators (printed in the worker's log).
        SiteNotificationSettings.objects.get_or_create(
            site=site, defaults={"moderator_emails": "moderators@demo.localhost"}
        )
        user_model = get_user_model()
        admin = user_model.objects.filter(username="admin").first()
        if admin is None:
            admin = user_model.objects.create_superuser("admin", "admin@demo.localhost", password)
        token, _ = Token.objects.get_or_create(user=admin)

        self.stdout.write(f"Demo site: {site} (id {site.pk})")
        self.stdout.write(f"Demo site public key: {site.public_key}")
        self.stdout.write(f"Demo article external id: {article.external_id}")
        self.stdout.write(f"Demo article: {article.title!r} (id {article.pk})")
        self.stdout.write(f"Admin login: admin / {password}")
        self.stdout.write(f"Moderator API token: {token.key}")
