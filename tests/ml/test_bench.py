"""ml.bench's sample texts: drawn from the data folder when there is one, and they say which."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ml import bench


def test_without_a_data_folder_the_samples_are_synthetic_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setenv("ML_DATA_DIR", str(tmp_path / "absent"))
    texts = bench.sample_texts(20, seed=3)
    assert len(set(texts)) == 20  # the counter suffix keeps them distinct
    assert {t.rsplit(" ", 1)[0] for t in texts} <= set(bench._SYNTHETIC)
    assert bench.sample_source().startswith(f"{len(bench._SYNTHETIC)} synthetic texts")
    assert str(tmp_path / "absent") in bench.sample_source()


def test_with_a_data_folder_the_samples_are_its_comments(tmp_path: Path, monkeypatch):
    folder = tmp_path / "spam" / "youtube"
    folder.mkdir(parents=True)
    with (folder / "one.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["CONTENT"])
        writer.writeheader()
        writer.writerows([{"CONTENT": "first real comment"}, {"CONTENT": "second one"}])
    monkeypatch.setenv("ML_DATA_DIR", str(tmp_path))
    texts = bench.sample_texts(10, seed=1)
    assert {t.rsplit(" ", 1)[0] for t in texts} <= {"first real comment", "second one"}
    assert bench.sample_source() == f"2 YouTube comments and TweetEval tweets from {tmp_path}"
    assert bench.sample_texts(10, seed=1) == texts  # the same seed, the same sample


@pytest.mark.parametrize("seed", [0, 7])
def test_the_seed_picks_the_sample(seed, tmp_path, monkeypatch):
    monkeypatch.setenv("ML_DATA_DIR", str(tmp_path / "absent"))
    assert bench.sample_texts(50, seed=seed) != bench.sample_texts(50, seed=seed + 1)
