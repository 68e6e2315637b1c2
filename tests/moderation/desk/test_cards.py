from moderation.desk.cards import explanations_that_held, plain_reason, score_badges
from moderation.models import Comment
from moderation.policy import Thresholds

BOUNDS = {"spam": Thresholds(publish=0.3, reject=0.9), "toxicity": Thresholds(0.2, 0.8)}


def test_badges_are_coloured_by_the_thresholds_worst_first():
    badges = score_badges({"spam": 0.1, "toxicity": 0.85, "insult": 0.5, "other": "x"}, BOUNDS)
    assert [(b.label, b.level, b.text) for b in badges] == [
        ("toxicity", "reject", "toxicity 0.85"),
        ("spam", "clear", "spam 0.10"),
        ("insult", "info", "insult 0.50"),
    ]


def test_the_reason_names_what_the_models_are_unsure_or_sure_about():
    held = Comment(status=Comment.Status.HELD, scores={"spam": 0.5, "toxicity": 0.1})
    assert plain_reason(held, BOUNDS) == (
        "The models are unsure whether it is spam (spam 0.50, between its publish and reject "
        "thresholds)."
    )
    rejected = Comment(status=Comment.Status.REJECTED, scores={"spam": 0.1, "toxicity": 0.95})
    assert plain_reason(rejected, BOUNDS).startswith("The models are sure it is abusive")
    assert plain_reason(Comment(status=Comment.Status.PENDING), BOUNDS).startswith("Not scored")


def test_a_label_that_never_rejects_is_held_however_high_its_score():
    bounds = {"toxicity": Thresholds(publish=0.2, reject=None)}
    [badge] = score_badges({"toxicity": 0.99}, bounds)
    assert (badge.level, badge.title) == (
        "hold",
        "toxicity 0.990: publish below 0.200, never rejected automatically",
    )
    held = Comment(status=Comment.Status.HELD, scores={"toxicity": 0.99})
    assert plain_reason(held, bounds) == (
        "The models are unsure whether it is abusive (toxicity 0.99, past its publish threshold, "
        "never rejected automatically)."
    )


EXPLANATION = {
    "spam": [{"feature": "writing", "weight": 0.2, "start": 0, "end": 7}],
    "toxicity": [{"feature": "idiot", "weight": 1.5, "start": 14, "end": 19}],
}


def test_only_the_models_whose_labels_held_the_comment_are_highlighted():
    held_for_insult = Comment(scores={"spam": 0.1, "insult": 0.6}, explanation=EXPLANATION)
    bounds = {**BOUNDS, "insult": Thresholds(0.5, 0.9)}
    assert explanations_that_held(held_for_insult, bounds) == {"toxicity": EXPLANATION["toxicity"]}
    held_for_spam = Comment(scores={"spam": 0.5, "toxicity": 0.1}, explanation=EXPLANATION)
    assert explanations_that_held(held_for_spam, BOUNDS) == {"spam": EXPLANATION["spam"]}


def test_a_comment_no_label_held_shows_every_models_highlights():
    sent_back = Comment(scores={"spam": 0.1, "toxicity": 0.1}, explanation=EXPLANATION)
    assert explanations_that_held(sent_back, BOUNDS) == EXPLANATION
