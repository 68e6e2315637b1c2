"""Site thresholds become one row per label (SiteThreshold), replacing Site's four columns."""

import json
from pathlib import Path

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The old columns were per model; each model's pair applied to its main label, named like it.
OLD_MODELS = ("spam", "toxicity")


def _shipped_defaults(model_name):
    """The artifact's own thresholds for the model's main label, read from its model.json.

    Reads the JSON rather than importing ml, so this migration keeps working when ml changes;
    handles both the per-model {"publish", "reject"} and the per-label format.
    """
    path = Path(settings.ML_ARTIFACTS_DIR) / model_name / "model.json"
    try:
        thresholds = json.loads(path.read_text())["thresholds"]
    except (OSError, ValueError, KeyError):
        return {}
    if "publish" in thresholds:
        return thresholds
    return thresholds.get(model_name) or {}


def columns_to_rows(apps, schema_editor):
    Site = apps.get_model("moderation", "Site")
    SiteThreshold = apps.get_model("moderation", "SiteThreshold")
    for site in Site.objects.all():
        for model_name in OLD_MODELS:
            publish = getattr(site, f"{model_name}_publish_below")
            reject = getattr(site, f"{model_name}_reject_above")
            if publish is None and reject is None:
                continue
            # A row sets both bounds; fill the one the site left empty as the old policy did:
            # the model's own, never inverting the pair. Without the artifact: publish nothing
            # automatically (0.0) / never reject automatically (None), so a human decides.
            defaults = _shipped_defaults(model_name)
            if publish is None:
                publish = min(defaults.get("publish", 0.0), reject)
            if reject is None and defaults.get("reject") is not None:
                reject = max(defaults["reject"], publish)
            SiteThreshold.objects.create(
                site=site, label=model_name, publish_below=publish, reject_above=reject
            )


def rows_to_columns(apps, schema_editor):
    SiteThreshold = apps.get_model("moderation", "SiteThreshold")
    for row in SiteThreshold.objects.filter(label__in=OLD_MODELS).select_related("site"):
        setattr(row.site, f"{row.label}_publish_below", row.publish_below)
        setattr(row.site, f"{row.label}_reject_above", row.reject_above)
        row.site.save()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_moderators_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteThreshold",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "label",
                    models.CharField(
                        help_text="What a model scores, e.g. spam or threat.", max_length=64
                    ),
                ),
                (
                    "publish_below",
                    models.FloatField(
                        help_text="Publish when this label's score is below this (and every other label's is).",
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                    ),
                ),
                (
                    "reject_above",
                    models.FloatField(
                        blank=True,
                        help_text="Reject when the score reaches this. Empty: never reject on this label alone.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(0.0),
                            django.core.validators.MaxValueValidator(1.0),
                        ],
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="thresholds",
                        to="moderation.site",
                    ),
                ),
            ],
            options={
                "ordering": ["site", "label"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("site", "label"), name="one_threshold_per_site_label"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("reject_above__isnull", True),
                            ("publish_below__lte", models.F("reject_above")),
                            _connector="OR",
                        ),
                        name="publish_at_most_reject",
                    ),
                ],
            },
        ),
        migrations.RunPython(columns_to_rows, rows_to_columns),
        migrations.RemoveField(model_name="site", name="spam_publish_below"),
        migrations.RemoveField(model_name="site", name="spam_reject_above"),
        migrations.RemoveField(model_name="site", name="toxicity_publish_below"),
        migrations.RemoveField(model_name="site", name="toxicity_reject_above"),
    ]
