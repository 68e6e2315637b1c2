from pathlib import Path

import pytest

from moderation import scoring


class FakeModel:
    def __init__(self, name, labels, scores, thresholds):
        self.name, self.labels, self._scores = name, labels, scores
        self.version = f"{name}-test"
        self.thresholds = thresholds

    def score_labels(self, texts):
        return {label: [self._scores[label] for _ in texts] for label in self.labels}

    def explain(self, text, top=5):
        from ml import Contribution

        return [Contribution(feature="free", weight=1.23456, start=0, end=4)][:top]


@pytest.fixture
def fake_models(monkeypatch):
    models = {
        "spam": FakeModel(
            "spam", ("spam",), {"spam": 0.1234567}, {"spam": {"publish": 0.2, "reject": 0.9}}
        ),
        "toxicity": FakeModel(
            "toxicity",
            ("toxicity", "insult"),
            {"toxicity": 0.5, "insult": 0.25},
            {
                "toxicity": {"publish": 0.3, "reject": 0.95},
                "insult": {"publish": 0.6, "reject": None},
            },
        ),
    }
    monkeypatch.setattr(scoring, "loaded_models", lambda: models)
    return models


def test_it_gathers_every_label_version_and_explanation(fake_models):
    result = scoring.scores_for_text("free money")
    assert result.scores == {"spam": 0.123457, "toxicity": 0.5, "insult": 0.25}
    assert result.versions == {"spam": "spam-test", "toxicity": "toxicity-test"}
    assert result.explanations["spam"] == [
        {"feature": "free", "weight": 1.2346, "start": 0, "end": 4}
    ]


def test_every_labels_thresholds_pass_through_with_none_for_never_reject(fake_models):
    result = scoring.scores_for_text("hello")
    assert result.default_thresholds == {
        "spam": {"publish": 0.2, "reject": 0.9},
        "toxicity": {"publish": 0.3, "reject": 0.95},
        "insult": {"publish": 0.6, "reject": None},
    }


@pytest.mark.slow
def test_the_shipped_models_load_once_and_score_a_comment(settings):
    scoring.models_cache_clear()
    try:
        settings.ML_ARTIFACTS_DIR = str(Path(__file__).resolve().parents[2] / "ml" / "artifacts")
        assert scoring.loaded_models() is scoring.loaded_models()
        result = scoring.scores_for_text("Who inspects the prisons, and how often?")
        assert {"spam", "toxicity"} <= set(result.scores)
        assert all(0.0 <= score <= 1.0 for score in result.scores.values())
        assert set(result.versions) == {"spam", "toxicity"}
        # A site may set thresholds for every label the models score (and the labels of the
        # default thresholds are among them).
        assert set(result.scores) <= set(settings.MODERATION_LABELS)
        assert set(result.default_thresholds) <= set(result.scores)
    finally:
        scoring.models_cache_clear()
