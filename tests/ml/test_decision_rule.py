"""ml.thresholds.decide (which the thresholds are chosen for) decides as the app's policy does."""

import numpy as np

from ml import load_model
from ml.thresholds import decide
from moderation.models import Comment
from moderation.policy import Thresholds
from moderation.policy import decide as policy_decide

STATUS = {
    Comment.Status.APPROVED: "publish",
    Comment.Status.HELD: "hold",
    Comment.Status.REJECTED: "reject",
}


def test_every_label_of_both_models_decides_as_the_policy_does() -> None:
    spam, toxicity = load_model("spam"), load_model("toxicity")
    thresholds = {**spam.thresholds, **toxicity.thresholds}
    rng = np.random.default_rng(0)
    n = 3000
    # Scores around each label's thresholds, so that every band of every label is visited.
    scores = {}
    for label, t in thresholds.items():
        marks = [0.0, t["publish"], t["reject"] if t["reject"] is not None else 1.0, 1.0]
        scores[label] = np.clip(rng.choice(marks, n) + rng.normal(0, 0.02, n), 0.0, 1.0)
    ours = decide(scores, thresholds)
    policy = {
        k: Thresholds(publish=t["publish"], reject=t["reject"]) for k, t in thresholds.items()
    }
    for i in range(n):
        got = policy_decide({k: float(v[i]) for k, v in scores.items()}, policy)
        assert STATUS[got.status] == ours[i], {k: float(v[i]) for k, v in scores.items()}
    assert set(ours.tolist()) == {"publish", "hold", "reject"}
