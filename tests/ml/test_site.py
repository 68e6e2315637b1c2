"""Site layers and `python -m ml site-curve`: deterministic, refuses too few rows, safe to load."""

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from ml import load_model
from ml.__main__ import main
from ml.site import fit_site_layer, load_site_layer, save_site_layer

WORDS = [
    *("budget", "council", "tram", "vote", "school"),
    *("road", "minister", "report", "stadium", "repair"),
]


@pytest.fixture(scope="module")
def shipped():
    return load_model("toxicity")


def _site_rows(n: int, seed: int = 3) -> list[tuple[str, int]]:
    """A site whose abuse is a word the shared model has never seen ("grobnik")."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        bad = rng.random() < 0.35
        text = " ".join(rng.choice(WORDS) for _ in range(8)) + (" grobnik" if bad else "") + f" {i}"
        rows.append((text, int(bad)))
    return rows


def _csv(tmp_path: Path, rows) -> Path:
    path = tmp_path / "site.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def test_site_curve_prints_one_line_per_size_and_is_deterministic(tmp_path, capsys):
    path = _csv(tmp_path, _site_rows(320))
    args = ["site-curve", "--model", "toxicity", "--input", str(path), "--sizes", "50,200"]
    assert main([*args, "--seed", "7"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert main([*args, "--seed", "7"]) == 0
    assert capsys.readouterr().out.splitlines() == first
    lines = [line for line in first if not line.startswith("#")]
    assert [line.split()[0] for line in lines] == ["k=0", "k=50", "k=200"]
    aucs = [float(line.split("auc=")[1]) for line in lines]
    # The site's word is learnt: its labels lift the ROC-AUC, and never lower it.
    assert aucs[2] > aucs[0] + 0.1
    assert min(aucs[1:]) >= aucs[0]


def test_site_curve_refuses_fewer_rows_than_the_largest_size_plus_100(tmp_path, capsys):
    path = _csv(tmp_path, _site_rows(250))
    code = main(["site-curve", "--model", "toxicity", "--input", str(path), "--sizes", "100,200"])
    assert code == 2
    assert "250 labelled rows; the largest size 200 needs at least 300" in capsys.readouterr().err


def test_site_curve_refuses_bad_sizes(tmp_path, capsys):
    path = _csv(tmp_path, _site_rows(250))
    code = main(["site-curve", "--model", "toxicity", "--input", str(path), "--sizes", "10,x"])
    assert code == 2 and "--sizes" in capsys.readouterr().err


def test_a_layer_saves_small_and_loads_without_pickle(shipped, tmp_path):
    rows = _site_rows(200)
    layer = fit_site_layer(shipped, [t for t, _ in rows], [y for _, y in rows])
    save_site_layer(layer, tmp_path / "layer")
    size = sum(f.stat().st_size for f in (tmp_path / "layer").iterdir())
    assert size < 200_000
    loaded = load_site_layer(tmp_path / "layer")
    texts = [t for t, _ in rows[:20]]
    assert np.allclose(loaded.score(shipped, texts), layer.score(shipped, texts))
    with np.load(tmp_path / "layer" / "site_layer.npz", allow_pickle=False) as npz:
        assert set(npz.files) == {"index", "value"}


def test_labels_that_teach_nothing_leave_the_ranking_alone(shipped):
    rng = random.Random(5)
    texts = [" ".join(rng.choice(WORDS) for _ in range(8)) for _ in range(200)]
    labels = [rng.random() < 0.3 for _ in texts]  # noise: nothing to learn
    layer = fit_site_layer(shipped, texts, labels)
    assert not layer.meta["uses_words"] and not np.any(layer.weights)
    assert layer.scale > 0  # recalibrated, same order
