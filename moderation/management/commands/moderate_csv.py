"""`manage.py moderate_csv`: the whole automatic decision on a CSV, storing and sending nothing."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moderation.authors.selectors import author_is_trusted, ban_for_comment
from moderation.models import Article, Comment, Site
from moderation.policy import engine
from moderation.policy.checks import Submission
from moderation.rules.selectors import site_rules

# Rules that need a live request or stored history beyond the author's: not tried on a CSV.
NOT_APPLICABLE = ("closed", "flood", "duplicate", "honeypot", "campaign")
STATUSES = (Comment.Status.APPROVED, Comment.Status.HELD, Comment.Status.REJECTED)
WORDS = {Comment.Status.APPROVED: "published", Comment.Status.HELD: "held"}


def _read(path: str) -> tuple[list[str], list[dict[str, str]]]:
    """The CSV's columns and rows; a clear CommandError naming the line for what cannot be read."""
    reader = None
    try:
        with Path(path).open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = list(reader.fieldnames or [])
            rows = []
            for row in reader:
                if None in row:  # more cells than the header names
                    raise CommandError(
                        f"{path}, line {reader.line_num}: {len(columns) + len(row[None])} cells "
                        f"but the header names {len(columns)} columns."
                    )
                rows.append(row)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path} is not UTF-8 text ({error.reason}): save it as UTF-8 and try again."
        ) from None
    except csv.Error as error:
        # The row that failed starts after the lines the reader has counted.
        line = (reader.line_num if reader is not None else 0) + 1
        raise CommandError(f"{path}, line {line}: not a CSV row ({error}).") from None
    return columns, rows


class Command(BaseCommand):
    help = (
        "Decide every comment of a CSV (column `text`; optional author_name, author_email, "
        "author_url, article) as the site would: rules, trust and bans, both models and the "
        "site's thresholds. Writes each row with status, reason, rules and scores; stores nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True, help="The site's domain")
        parser.add_argument("--input", required=True, help="CSV of comments")
        parser.add_argument("--output", required=True, help="CSV of decisions to write")
        parser.add_argument(
            "--label-column", help="Print the shares published/held/rejected per value of this"
        )

    def handle(self, *args, site: str, input: str, output: str, label_column, **options) -> None:
        found = Site.objects.filter(domain=site).first()
        if found is None:
            raise CommandError(f"No site with domain {site!r}.")
        columns, rows = _read(input)
        if "text" not in columns:
            raise CommandError(f"{input} has no `text` column (columns: {', '.join(columns)}).")
        if label_column and label_column not in columns:
            raise CommandError(f"{input} has no {label_column!r} column.")

        rules = site_rules(site_id=found.pk)
        article = Article(site=found)
        shares: dict[str, Counter[str]] = defaultdict(Counter)
        decided = []
        labels: list[str] = []
        for row in rows:
            submission = Submission(
                body=row["text"] or "",
                author_name=row.get("author_name") or "",
                author_email=row.get("author_email") or "",
                author_url=row.get("author_url") or "",
            )
            ban = None
            trusted = False
            if submission.author_email:
                probe = Comment(article=article, author_email=submission.author_email)
                ban = ban_for_comment(comment=probe)
                trusted = author_is_trusted(email=submission.author_email, site_id=found.pk)
            judgement = engine.judge(
                site=found,
                rules=rules,
                submission=submission,
                trusted=trusted,
                ban_reason=ban.rejection_reason if ban else "",
            )
            verdict = judgement.verdict
            scores = judgement.scores.scores if judgement.scores else {}
            labels.extend(label for label in scores if label not in labels)
            decided.append((row, verdict, scores))
            if label_column:
                shares[row[label_column]][verdict.status] += 1

        score_columns = [f"score_{label}" for label in labels]
        extra = ["status", "reason", "rules", "not_applicable", *score_columns]
        with Path(output).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=[*columns, *extra])
            writer.writeheader()
            for row, verdict, scores in decided:
                writer.writerow(
                    {
                        **row,
                        "status": verdict.status,
                        "reason": verdict.reason,
                        "rules": " ".join(verdict.rules),
                        "not_applicable": " ".join(NOT_APPLICABLE),
                        **{f"score_{label}": scores.get(label, "") for label in labels},
                    }
                )
        self.stdout.write(f"Decided {len(decided)} comments for {found.domain} into {output}.")
        if label_column:
            self._print_shares(label_column, shares)

    def _print_shares(self, column: str, shares: dict[str, Counter[str]]) -> None:
        width = max([len(column), *(len(value) for value in shares)])
        header = f"{column:<{width}}  {'n':>5}  published   held  rejected"
        self.stdout.write(header)
        for value, counts in shares.items():
            total = sum(counts.values())
            cells = "  ".join(
                f"{counts[status] / total:>{len(WORDS.get(status, 'rejected'))}.1%}"
                for status in STATUSES
            )
            self.stdout.write(f"{value:<{width}}  {total:>5}  {cells}")
