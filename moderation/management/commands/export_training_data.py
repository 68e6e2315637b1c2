"""Write a site's own labels as the `text,label` CSV that `python -m ml train --extra` reads."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moderation.models import Site
from moderation.training.selectors import (
    EXPORT_COLUMNS,
    TRAINABLE_MODELS,
    export_row,
    training_labels,
)


class Command(BaseCommand):
    help = (
        "Export moderator decisions and Perspective suggestscore feedback as training data "
        "(text,label CSV for `python -m ml train --model MODEL --extra FILE`), with each "
        "decision's model scores and versions, the automatic decision, the moderator and the time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, help="CSV file to write")
        parser.add_argument("--site", help="Only this site's domain (default: every site)")
        parser.add_argument(
            "--model",
            choices=TRAINABLE_MODELS,
            default="toxicity",
            help="Which model's label the CSV holds (default: toxicity)",
        )

    def handle(self, *args, out: str, site: str | None, model: str, **options) -> None:
        found = None
        if site is not None:
            found = Site.objects.filter(domain=site).first()
            if found is None:
                raise CommandError(f"No site with domain {site!r}.")
        path = Path(out)
        counts = {"moderator": 0, "suggestscore": 0}
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            for row in training_labels(model=model, site=found):
                writer.writerow(export_row(row))
                counts[row.source] += 1
        self.stderr.write(
            f"Wrote {sum(counts.values())} {model} labels to {path} "
            f"({counts['moderator']} moderator decisions, {counts['suggestscore']} suggestscore)."
        )
        self.stdout.write(str(path))
