"""Compute a site's thresholds from a target and show the backtest; save them with --confirm."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from moderation.errors import ApplicationError
from moderation.learning import services
from moderation.learning.thresholds import Target, thresholds_propose
from moderation.models import Site
from moderation.training.selectors import TRAINABLE_MODELS


def _share(value: str) -> float:
    number = float(value)
    if not 0.0 < number <= 1.0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Thresholds for a model's main label from a target (reject precision, share of comments "
        "held for moderators), computed on the site's own moderator labels, with a backtest over "
        "its history. Nothing is saved without --confirm --user (a manager of the site)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True, help="the site's domain")
        parser.add_argument("--model", choices=TRAINABLE_MODELS, default="toxicity")
        parser.add_argument("--reject-precision", type=_share, help="e.g. 0.98")
        parser.add_argument("--max-held", type=_share, help="e.g. 0.15 (15%% of comments)")
        parser.add_argument("--confirm", action="store_true", help="save the proposal")
        parser.add_argument("--user", help="the site manager confirming (with --confirm)")

    def handle(self, *args, **options) -> None:
        site = Site.objects.filter(domain=options["site"]).first()
        if site is None:
            raise CommandError(f"No site with domain {options['site']!r}.")
        target = Target(options["reject_precision"], options["max_held"])
        if not target.as_dict():
            raise CommandError("Give a target: --reject-precision and/or --max-held.")
        if options["confirm"]:
            user = get_user_model().objects.filter(username=options["user"] or "").first()
            if user is None:
                raise CommandError("--confirm needs --user, the username of a manager of the site.")
            try:
                change = services.threshold_change_confirm(
                    site=site, model=options["model"], target=target, user=user
                )
            except ApplicationError as error:
                raise CommandError(error.message) from error
            self.stdout.write(
                f"Saved {change.label} thresholds for {site.domain}: {json.dumps(change.after)} "
                f"(change #{change.pk}, from {change.source})."
            )
            return
        proposal = thresholds_propose(site=site, model=options["model"], target=target)
        self.stdout.write(json.dumps(proposal.as_dict(), indent=2, sort_keys=True))
        self.stdout.write("Nothing saved: rerun with --confirm --user USERNAME to apply.")
