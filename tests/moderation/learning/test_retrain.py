"""Gated retraining per site: promotion only when better, rollback, a site's model is its own."""

import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ml.site import SiteLayer
from moderation import scoring
from moderation.learning import services, versions
from moderation.learning.models import ModelVersion
from tests.moderation.factories import SiteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _retrain(*args):
    from io import StringIO

    out = StringIO()
    call_command("retrain", "--model", "toxicity", *args, stdout=out)
    return out.getvalue()


def test_a_site_layer_that_learns_the_sites_word_is_promoted_and_scores_only_that_site(
    label_history,
):
    site, other = SiteFactory(domain="a.example.com"), SiteFactory(domain="b.example.com")
    label_history(site)
    output = _retrain("--site", "a.example.com")
    assert "Promoted" in output
    live = ModelVersion.objects.get(site=site, status=ModelVersion.Status.LIVE)
    assert live.metrics["candidate_auc"] > live.metrics["current_auc"]
    assert (versions.versions_dir() / live.folder / "site_layer.npz").is_file()
    marker = json.loads(versions.marker_path().read_text())
    assert marker["sites"][str(site.pk)]["toxicity"]["version"] == live.version

    text = "Who pays for the new stadium in the end? grobnik"
    mine = scoring.scores_for_text(text, site_id=site.pk)
    theirs = scoring.scores_for_text(text, site_id=other.pk)
    shared = scoring.loaded_models()["toxicity"].score([text])[0]
    assert mine.versions["toxicity"].endswith(live.version)
    assert theirs.versions["toxicity"] == scoring.loaded_models()["toxicity"].version
    assert theirs.scores["toxicity"] == pytest.approx(shared, abs=1e-6)
    # How far the site's word lifts depends on which labels the id-hashed held-out quarter
    # took (ids differ from run to run); it lifts, by 0.03 to 0.2 in the runs seen.
    assert mine.scores["toxicity"] > theirs.scores["toxicity"] + 0.02


def test_a_worse_candidate_is_not_promoted(label_history, monkeypatch):
    site = SiteFactory(domain="a.example.com")
    label_history(site)
    # A layer that turns the shared model's ranking upside down.
    monkeypatch.setattr(
        services,
        "fit_site_layer",
        lambda model, texts, labels, **kw: SiteLayer(model.name, model.labels[0], scale=-1.0),
    )
    output = _retrain("--site", "a.example.com")
    assert "Not promoted" in output
    row = ModelVersion.objects.get(site=site)
    assert row.status == ModelVersion.Status.NOT_PROMOTED
    assert row.metrics["candidate_auc"] < row.metrics["current_auc"]
    assert scoring.site_layers(site.pk) == {}


def test_rollback_restores_the_previous_version(label_history):
    site = SiteFactory(domain="a.example.com")
    label_history(site, n=240, word="grobnik", seed=1)
    _retrain("--site", "a.example.com")
    first = ModelVersion.objects.get(site=site, status=ModelVersion.Status.LIVE)
    # More labels with a second word only the new candidate knows: it beats the first.
    label_history(site, n=240, word="quibbly", seed=2)
    assert "Promoted" in _retrain("--site", "a.example.com")
    second = ModelVersion.objects.get(site=site, status=ModelVersion.Status.LIVE)
    assert second.replaces == first
    assert scoring.site_layers(site.pk)["toxicity"][0] == second.version

    assert first.version in _retrain("--site", "a.example.com", "--rollback")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("live", "rolled_back")
    assert scoring.site_layers(site.pk)["toxicity"][0] == first.version

    assert "shipped model" in _retrain("--site", "a.example.com", "--rollback")
    assert scoring.site_layers(site.pk) == {}
    with pytest.raises(CommandError, match="already runs the shipped model"):
        _retrain("--site", "a.example.com", "--rollback")


def test_too_few_labels_says_how_many_more(label_history):
    site = SiteFactory(domain="a.example.com")
    label_history(site, n=50, toxic_share=0.2)
    with pytest.raises(CommandError, match=r"150 more moderator decisions"):
        _retrain("--site", "a.example.com")


def test_without_training_data_it_names_the_setting(label_history, settings, tmp_path):
    settings.ML_DATA_DIR = str(tmp_path / "no-data")
    with pytest.raises(CommandError, match="ML_DATA_DIR"):
        _retrain()


def test_a_promoted_shared_model_is_picked_up_without_a_restart(label_history, settings):
    """The marker is checked at most every ML_RELOAD_CHECK_SECONDS; a change reloads."""
    settings.ML_RELOAD_CHECK_SECONDS = 3600
    site = SiteFactory(domain="a.example.com")
    scoring.scores_for_text("hello", site_id=site.pk)  # this process has looked: no marker
    label_history(site)
    _retrain("--site", "a.example.com")
    assert scoring.site_layers(site.pk) == {}  # not yet: the last look is recent
    scoring._live.checked = float("-inf")  # the interval has passed
    assert "toxicity" in scoring.site_layers(site.pk)


def test_operating_point_counts_mistakes_at_the_thresholds():
    from moderation.policy import Thresholds

    y = np.array([0, 0, 1, 1, 1])
    p = np.array([0.1, 0.9, 0.2, 0.5, 0.95])
    point = services.operating_point(y, p, Thresholds(publish=0.3, reject=0.8))
    assert point == {
        "clean_rejected": 1,
        "bad_published": 1,
        "mistakes": 2,
        "held": 1,
        "reject_precision": 0.5,
    }


def test_a_shared_candidate_no_better_than_the_live_model_is_not_promoted(
    label_history, settings, tmp_path
):
    """The shared path: ml.train's output compared on every site's held-out labels."""
    import shutil

    settings.ML_DATA_DIR = str(tmp_path)  # present; the stand-in trainer does not read it
    label_history(SiteFactory(domain="a.example.com"), n=150)
    label_history(SiteFactory(domain="b.example.com"), n=150, seed=2)
    calls = []

    def same_model(model, data_dir, out_dir, extra):
        calls.append((model, [p.read_text().count("\n") for p in extra]))
        shutil.copytree(Path(settings.ML_ARTIFACTS_DIR) / model, out_dir / model)

    outcome = services.shared_retrain(model="toxicity", train_fn=same_model)
    [(model, [lines])] = calls
    # Every site's training labels went in as one --extra CSV (header + rows).
    assert model == "toxicity" and lines == outcome.comparison.extra["train_rows"] + 1
    assert outcome.comparison.rows > 0
    assert outcome.comparison.candidate_auc == outcome.comparison.current_auc
    assert not outcome.promoted and outcome.version.site is None
    assert json.loads(versions.marker_path().read_text())["shared"] == {}
