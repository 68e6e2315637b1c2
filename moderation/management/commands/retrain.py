"""Train a candidate on the moderators' labels and promote it only if it is better."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from moderation.learning import services
from moderation.models import Site
from moderation.training.selectors import TRAINABLE_MODELS


class Command(BaseCommand):
    help = (
        "Retrain a model on the moderators' labels and promote the candidate only when it beats "
        "the live model on held-out labels (ROC-AUC higher, no more mistakes at the site's "
        "thresholds). With --site, a layer of the site's own that scores that site only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--model", choices=TRAINABLE_MODELS, required=True)
        parser.add_argument("--site", help="the site's domain (default: the shared model)")
        parser.add_argument(
            "--rollback", action="store_true", help="return to the previous version instead"
        )
        parser.add_argument(
            "--shadow",
            action="store_true",
            help="run the candidate as a shadow trial beside the live model (needs --site)",
        )

    def handle(self, *args, model: str, site: str | None, rollback: bool, shadow: bool, **options):
        found = None
        if site is not None:
            found = Site.objects.filter(domain=site).first()
            if found is None:
                raise CommandError(f"No site with domain {site!r}.")
        if shadow and found is None:
            raise CommandError("--shadow needs --site: shadow trials run on one site.")
        try:
            if rollback:
                retired, previous = services.model_rollback(model=model, site=found)
                back_to = previous.version if previous else "the shipped model"
                self.stdout.write(f"Rolled back {retired.version}; {model} runs {back_to} now.")
                return
            if found is not None:
                outcome = services.site_retrain(model=model, site=found, shadow=shadow)
            else:
                outcome = services.shared_retrain(model=model)
        except services.RetrainError as error:
            raise CommandError(error.message) from error
        c = outcome.comparison
        self.stdout.write(
            f"held-out moderator labels: {c.rows}; ROC-AUC live {_fmt(c.current_auc)}, "
            f"candidate {_fmt(c.candidate_auc)}; mistakes at the site's thresholds "
            f"(clean rejected + abusive published) live {c.current_point['mistakes']}, "
            f"candidate {c.candidate_point['mistakes']}"
        )
        self.stdout.write(json.dumps(c.as_dict(), sort_keys=True))
        status = outcome.version.status
        if status == outcome.version.Status.LIVE:
            self.stdout.write(f"Promoted {outcome.version.version}.")
        elif status == outcome.version.Status.SHADOW:
            self.stdout.write(f"Shadow trial started with {outcome.version.version}.")
        else:
            self.stdout.write(f"Not promoted: {outcome.version.version} is no better.")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
