import pytest

from moderation import scoring
from moderation.scoring import CommentScores
from project import celery_app
from tests.moderation.factories import ArticleFactory, ModeratorFactory, StaffFactory

DEFAULT_THRESHOLDS: dict[str, dict[str, float | None]] = {
    "spam": {"publish": 0.3, "reject": 0.9},
    "toxicity": {"publish": 0.3, "reject": 0.9},
}


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def moderator(db):
    """Staff holding moderation.moderate_comment, as the Moderators group grants."""
    return ModeratorFactory()


@pytest.fixture
def celery_eager():
    """Unit tests run tasks in-process; end-to-end tests use a real worker instead."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def fake_scores(monkeypatch):
    """Make the models say given scores, to test the decision logic around them."""
    calls = []

    def install(spam: float, toxicity: float, thresholds=DEFAULT_THRESHOLDS):
        def score(text: str, site_id: int | None = None) -> CommentScores:
            calls.append(text)
            return CommentScores(
                scores={"spam": spam, "toxicity": toxicity, "insult": 0.0},
                versions={"spam": "spam-test", "toxicity": "toxicity-test"},
                explanations={"spam": [], "toxicity": []},
                default_thresholds=thresholds,
            )

        def score_many(texts: list[str], site_id: int | None = None) -> list[CommentScores]:
            return [score(text, site_id) for text in texts]

        # The one-comment path (scores_for_text) and the batch path (scores_for_texts, with
        # explanations asked for apart) say the same.
        monkeypatch.setattr(scoring, "scores_for_text", score)
        monkeypatch.setattr(scoring, "scores_for_texts", score_many)
        monkeypatch.setattr(
            scoring, "explanations_for_text", lambda text, models=None: {"spam": [], "toxicity": []}
        )
        return calls

    return install


def _spam_for(text: str) -> float:
    if "SPAM" in text:
        return 0.95
    if "MAYBE" in text:
        return 0.5
    return 0.05


@pytest.fixture
def models(monkeypatch):
    """Scores that follow the text; the models are down for the sites in `down`."""
    down: set[int] = set()
    calls: list[int] = []

    def score(text: str, site_id: int | None = None) -> CommentScores:
        if site_id in down:
            raise scoring.ModelsUnavailable("model spam not found in /nowhere")
        return CommentScores(
            scores={"spam": _spam_for(text), "toxicity": 0.01},
            versions={"spam": "spam-test", "toxicity": "toxicity-test"},
            explanations={"spam": [{"feature": "x", "weight": 1.0, "start": 0, "end": 1}]},
            default_thresholds=DEFAULT_THRESHOLDS,
        )

    def score_many(texts: list[str], site_id: int | None = None) -> list[CommentScores]:
        calls.append(len(texts))
        return [score(text, site_id) for text in texts]

    monkeypatch.setattr(scoring, "scores_for_text", score)
    monkeypatch.setattr(scoring, "scores_for_texts", score_many)
    monkeypatch.setattr(
        scoring,
        "explanations_for_text",
        lambda text, models=None: {"spam": [{"feature": "x", "weight": 1.0, "start": 0, "end": 1}]},
    )
    return {"down": down, "calls": calls}
