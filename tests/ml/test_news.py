import pytest

from ml.data import text_key
from ml.news import (
    CIVIL_SAMPLE,
    CIVIL_SPANS,
    FOX,
    TSD_TRIAL_GROUP,
    load_news,
    load_toxic_spans,
    load_tsd_trial,
    rater_agreement,
)
from tests.ml.conftest import FIXTURE_DATA


def test_semeval_trial_posts_are_held_out_wherever_they_appear() -> None:
    rows, _ = load_news(FIXTURE_DATA, [])
    trial = {text_key(p.text) for p in load_tsd_trial(FIXTURE_DATA)}
    assert trial
    for ex in rows:
        if text_key(ex.text) in trial:
            assert ex.split == "val"
    assert {ex.group for ex in rows if text_key(ex.text) in trial} == {TSD_TRIAL_GROUP}


def test_civil_comments_articles_and_fox_threads_are_never_split() -> None:
    rows, _ = load_news(FIXTURE_DATA, [])
    for source in (CIVIL_SAMPLE, FOX):
        splits: dict[str, set[str]] = {}
        for ex in rows:
            if ex.source == source:
                splits.setdefault(ex.group, set()).add(ex.split)
        assert all(len(s) == 1 for s in splits.values())
        assert {"train", "val"} == set().union(*splits.values())


def test_toxic_spans_labels_are_shares_of_the_posts_raters() -> None:
    rows = load_toxic_spans(FIXTURE_DATA, [], exclude=set())
    by_text = {ex.text: ex.labels for ex in rows if ex.source == CIVIL_SPANS}
    # Post 0: three raters, one ticked "not toxic", the two others marked an insult.
    post0 = by_text["you are a stupid idiot and a moron post 0"]
    assert post0["toxicity"] == pytest.approx(2 / 3) and post0["insult"] == pytest.approx(2 / 3)
    assert post0["threat"] == 0
    # Post 1: a threat marked by every rater is a threat and severe.
    post1 = by_text["I will find you and kill you post 1"]
    assert post1["threat"] == 1.0 and post1["severe_toxicity"] == 1.0
    # Post 7's span types are cut short ("Insu"): still read as their type.
    post7 = by_text["what a load of crap, damn it post 7"]
    assert post7["profanity"] == 1.0


def test_the_civil_comments_sample_gives_soft_labels_and_identity_mentions() -> None:
    rows, identities = load_news(FIXTURE_DATA, [])
    sample = [ex for ex in rows if ex.source == CIVIL_SAMPLE]
    assert any(0 < ex.labels["toxicity"] < 0.5 for ex in sample)
    assert all("severe_toxicity" not in ex.labels for ex in sample if ex.labels["toxicity"] >= 0.5)
    assert any(identities.values()) and any(v == () for v in identities.values())


def _write_raters(folder, posts: dict[int, list[str]]) -> None:
    """Toxic-spans annotation files: per post, one span type (or "") per rater."""
    base = folder / "news" / "civil_comments_toxic_spans"
    base.mkdir(parents=True)
    ann, spans = ["annotation,comment_id,worker,country,all toxic,not toxic"], []
    spans.append("annotation,type,start,end")
    n = 0
    for post, marks in posts.items():
        for worker, mark in enumerate(marks):
            n += 1
            ann.append(f"{n},{post},{worker},USA,False,{mark == ''}")
            if mark:
                spans.append(f"{n},{mark},0,4")
    (base / "annotations.csv").write_text("\n".join(ann) + "\n")
    (base / "spans.csv").write_text("\n".join(spans) + "\n")


def test_rater_agreement_is_perfect_when_raters_agree_and_chance_when_they_split(
    tmp_path,
) -> None:
    agree = {i: ["Insult"] * 4 if i % 2 else ["Threat"] * 4 for i in range(40)}
    _write_raters(tmp_path / "agree", agree)
    result = rater_agreement(tmp_path / "agree")
    assert result["insult"] == {"posts": 40, "positive": 20, "half_panel_auc": 1.0}
    assert result["threat"]["half_panel_auc"] == 1.0
    assert result["profanity"]["half_panel_auc"] is None  # nobody marked it: no AUC
    # Every post split down the middle: one half's share says nothing about the other's.
    split = {i: ["Insult", "Insult", "Threat", "Threat"] for i in range(40)}
    split[99] = ["Insult"] * 2  # too few raters: left out
    _write_raters(tmp_path / "split", split)
    result = rater_agreement(tmp_path / "split")
    assert result["insult"]["posts"] == 40
    assert result["insult"]["half_panel_auc"] < 0.5
