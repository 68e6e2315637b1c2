import csv
from pathlib import Path

import numpy as np
import pytest

from ml import load_model
from ml.__main__ import main
from ml.corpus import load_toxicity, to_corpus
from ml.model import LABELS
from ml.news import TSD_TRIAL_GROUP
from ml.train import train
from ml.validation import news_folds
from tests.ml.conftest import FIXTURE_DATA


def test_training_writes_model_card_and_plots(tiny_artifacts: Path) -> None:
    for name in ("spam", "toxicity"):
        folder = tiny_artifacts / name
        for f in ("model.npz", "model.json", "MODEL_CARD.md", "model_card.json"):
            assert (folder / f).is_file(), f
        assert list(folder.glob("plots_*.png"))
        card = (folder / "MODEL_CARD.md").read_text()
        assert "sha256" in card and "Citations" in card
    spam_card = (tiny_artifacts / "spam" / "MODEL_CARD.md").read_text()
    assert "held-out Youtube04-Eminem" in spam_card
    assert "**email held out whole**" in spam_card and "**sms held out whole**" in spam_card
    tox = load_model("toxicity", tiny_artifacts)
    assert tox.labels == LABELS["toxicity"]
    assert set(tox.thresholds) == set(tox.labels)
    scores = tox.score_labels(["you are a stupid idiot", "have a lovely day everyone"])
    assert scores["toxicity"][0] > scores["toxicity"][1]
    tox_card = (tiny_artifacts / "toxicity" / "MODEL_CARD.md").read_text()
    for section in ("Operating point", "Behavioural suite", "character F1", "Unintended bias"):
        assert section in tox_card
    assert (tiny_artifacts / "toxicity" / "plots_tradeoff.png").is_file()


def test_toxicity_validation_never_trains_on_the_semeval_trial_posts() -> None:
    corpus = to_corpus(load_toxicity(FIXTURE_DATA, [], []), LABELS["toxicity"])
    folds = news_folds(corpus)
    trial = corpus.group == TSD_TRIAL_GROUP
    assert trial.any() and (folds[trial] == -1).all()
    assert (folds[~trial & np.isin(corpus.source, ["davidson", "olid"])] == -2).all()
    # A Civil Comments article (and a Fox thread) is never split across folds.
    for group in set(corpus.group[corpus.source != "civil-spans"]) - {"train-only"}:
        assert len(set(folds[corpus.group == group].tolist())) == 1


@pytest.mark.parametrize("name", ["spam", "toxicity"])
def test_training_is_deterministic(tiny_artifacts: Path, tmp_path: Path, name: str) -> None:
    again = train(name, FIXTURE_DATA, tmp_path)
    first = tiny_artifacts / name / "model.npz"
    assert (again / "model.npz").read_bytes() == first.read_bytes()
    assert load_model(name, tmp_path).version == load_model(name, tiny_artifacts).version
    assert load_model(name, tmp_path).thresholds == load_model(name, tiny_artifacts).thresholds


def test_training_adds_a_sites_own_decisions(tmp_path: Path) -> None:
    site = tmp_path / "site.csv"
    rows = ["text,label"] + [f"zorblax deal number {i},1" for i in range(6)]
    site.write_text("\n".join(rows) + "\n", encoding="utf-8")
    main(["train", "--model", "spam", "--data", str(FIXTURE_DATA), "--out", str(tmp_path),
          "--extra", str(site)])  # fmt: skip
    model = load_model("spam", tmp_path)
    assert "zorblax" in model.vectorizer.word_vocab
    card = (tmp_path / "spam" / "model_card.json").read_text()
    assert "site.csv" in card


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_score_adds_columns_and_keeps_the_others(tiny_artifacts: Path, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    _write_csv(src, ["id", "text"], [["1", "you are a stupid idiot"], ["2", "line\nbreak, ok"]])
    argv = ["score", "--model", "toxicity", "--input", str(src), "--output", str(out)]
    assert main([*argv, "--artifacts", str(tiny_artifacts)]) == 0
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["id"] for r in got] == ["1", "2"]
    assert got[1]["text"] == "line\nbreak, ok"
    for r in got:
        for col in ("score", "severe_toxicity", "insult", "threat", "identity_attack"):
            assert 0.0 <= float(r[col]) <= 1.0


def test_score_without_a_text_column_exits_2(
    tiny_artifacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    _write_csv(src, ["comment"], [["hello"]])
    argv = ["score", "--model", "spam", "--input", str(src), "--output", str(tmp_path / "o.csv")]
    assert main([*argv, "--artifacts", str(tiny_artifacts)]) == 2
    assert "no `text` column" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_evaluate_prints_metrics_at_both_thresholds(
    tiny_artifacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "labeled.csv"
    rows = [["check out my channel http://bit.ly/a subscribe", "1"], ["love this song", "0"]]
    _write_csv(src, ["text", "label"], rows * 3)
    argv = ["evaluate", "--model", "spam", "--input", str(src)]
    assert main([*argv, "--artifacts", str(tiny_artifacts)]) == 0
    out = capsys.readouterr().out
    assert "ROC-AUC" in out and "average precision" in out
    assert "at publish threshold" in out and "at reject threshold" in out
    assert "actual 1" in out


def test_a_missing_model_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    _write_csv(src, ["text"], [["hi"]])
    argv = ["score", "--model", "spam", "--input", str(src), "--output", str(tmp_path / "o.csv")]
    assert main([*argv, "--artifacts", str(tmp_path / "none")]) == 2
    assert "retrain with `python -m ml train --model spam`" in capsys.readouterr().err


def test_explanations_point_at_the_original_text(tiny_artifacts: Path) -> None:
    model = load_model("toxicity", tiny_artifacts)
    text = "Well, you are a STUP1D 1d10t!!"
    top = model.explain(text, top=3)
    assert top and all(c.weight > 0 for c in top)
    assert np.all(np.diff([c.weight for c in top]) <= 0)
    spans = {c.feature: text[c.start : c.end] for c in top if c.start is not None}
    assert spans.get("idiot") == "1d10t" or spans.get("stupid") == "STUP1D"


def test_evaluate_runs_the_behavioural_suite_for_toxicity(
    tiny_artifacts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["evaluate", "--model", "toxicity", "--artifacts", str(tiny_artifacts)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for category in ("neutral mention", "negated hate", "threat", "identity hate"):
        assert f"{category}: " in out


def test_toxic_spans_cover_whole_words_of_the_original_text(tiny_artifacts: Path) -> None:
    model = load_model("toxicity", tiny_artifacts)
    text = "You are a STUP1D idiot"
    spans = model.toxic_spans(text)
    assert all(text[s:e].strip() == text[s:e] and text[s:e] for s, e in spans)
    assert "a" not in {text[s:e].lower() for s, e in spans}
