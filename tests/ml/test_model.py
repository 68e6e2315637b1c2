import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from ml import ModelLoadError, load_model
from ml.features import fit_vectorizer
from ml.model import FORMAT_VERSION, Model, save_model
from ml.normalize import normalize

CREATED = "2026-11-28T00:00:00+00:00"
TEXTS = ["buy cheap pills now", "lovely song", "cheap pills here", "what a song", "buy now"]


def _write_toy(folder: Path) -> np.ndarray:
    vec = fit_vectorizer([normalize(t) for t in TEXTS], min_df=1)
    rng = np.random.default_rng(0)
    coef = rng.normal(size=(1, vec.n_features)).astype(np.float32)
    model = Model(
        "spam",
        ("spam",),
        vec,
        coef,
        np.array([0.1]),
        np.array([[1.5, -0.2]]),
        {"spam": {"publish": 0.2, "reject": 0.9}},
    )
    save_model(model, folder / "spam", {"params": {}, "created": CREATED})
    x = vec.transform([normalize(t) for t in TEXTS]).toarray()
    return 1.0 / (1.0 + np.exp(-(1.5 * (x @ coef[0].astype(np.float64) + 0.1) - 0.2)))


def test_a_saved_model_loads_back_and_scores_the_same(tmp_path: Path) -> None:
    expected = _write_toy(tmp_path)
    model = load_model("spam", tmp_path)
    assert model.name == "spam" and model.labels == ("spam",)
    assert model.thresholds == {"spam": {"publish": 0.2, "reject": 0.9}}
    assert model.version.startswith("spam-20261128-") and len(model.version) == len("spam-") + 17
    np.testing.assert_allclose(model.score(TEXTS), expected, rtol=1e-5)
    assert set(model.score_labels(TEXTS)) == {"spam"}
    assert model.score([]).shape == (0,)


def test_the_version_changes_when_arrays_or_thresholds_change(tmp_path: Path) -> None:
    _write_toy(tmp_path / "a")
    first = load_model("spam", tmp_path / "a").version
    _write_toy(tmp_path / "b")
    assert load_model("spam", tmp_path / "b").version == first
    vec = fit_vectorizer([normalize(t) for t in TEXTS], min_df=1)
    args = ("spam", ("spam",), vec, np.zeros((1, vec.n_features)), np.array([0.0]))
    cal, meta = np.array([[1.0, 0.0]]), {"created": CREATED}
    v1 = save_model(
        Model(*args, cal, {"spam": {"publish": 0.1, "reject": 0.9}}), tmp_path / "c", meta
    )
    v2 = save_model(
        Model(*args, cal, {"spam": {"publish": 0.2, "reject": None}}), tmp_path / "d", meta
    )
    assert v1 != v2 and v1 != first


def test_it_refuses_an_artifact_of_another_format(tmp_path: Path) -> None:
    _write_toy(tmp_path)
    path = tmp_path / "spam" / "model.json"
    meta = json.loads(path.read_text())
    meta["format"] = FORMAT_VERSION + 1
    path.write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match=r"written with format \d+, this code reads format"):
        load_model("spam", tmp_path)


def test_it_explains_a_missing_artifact(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="python -m ml train --model toxicity"):
        load_model("toxicity", tmp_path)
    with pytest.raises(ModelLoadError, match="unknown model"):
        load_model("nonsense", tmp_path)


def test_it_refuses_arrays_that_do_not_match_the_metadata(tmp_path: Path) -> None:
    _write_toy(tmp_path)
    arrays = tmp_path / "spam" / "model.npz"
    data = bytearray(arrays.read_bytes())
    data[-1] ^= 0xFF
    arrays.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="does not match"):
        load_model("spam", tmp_path)


def test_it_never_unpickles(tmp_path: Path) -> None:
    _write_toy(tmp_path)
    folder = tmp_path / "spam"
    buf = io.BytesIO()
    with np.load(folder / "model.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["coef"] = np.array([{"evil": "pickle"}], dtype=object)
    np.savez(buf, **arrays)  # an object array can only be stored by pickling it
    data = buf.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(data))
    (folder / "model.npz").write_bytes(data)
    meta = json.loads((folder / "model.json").read_text())
    meta["arrays_sha256"] = __import__("hashlib").sha256(data).hexdigest()
    (folder / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelLoadError, match="damaged artifact"):
        load_model("spam", tmp_path)


def test_the_environment_variable_picks_the_artifacts_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_toy(tmp_path)
    monkeypatch.setenv("ML_ARTIFACTS_DIR", str(tmp_path))
    assert load_model("spam").thresholds["spam"]["reject"] == 0.9


def test_it_refuses_thresholds_that_miss_a_label_or_are_out_of_order(tmp_path: Path) -> None:
    _write_toy(tmp_path)
    path = tmp_path / "spam" / "model.json"
    meta = json.loads(path.read_text())
    for bad in ({}, {"spam": {"publish": 0.95, "reject": 0.9}}, {"spam": {"publish": 0.2}}):
        path.write_text(json.dumps({**meta, "thresholds": bad}))
        with pytest.raises(ModelLoadError, match="damaged artifact"):
            load_model("spam", tmp_path)


def test_it_refuses_an_artifact_of_another_normaliser(tmp_path: Path) -> None:
    _write_toy(tmp_path)
    path = tmp_path / "spam" / "model.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps({**meta, "normalizer": meta["normalizer"] - 1}))
    with pytest.raises(ModelLoadError, match="normaliser version"):
        load_model("spam", tmp_path)


def test_no_model_explains_with_function_words_or_punctuation() -> None:
    texts = ["thanks for writing this up. very helpful!", "the idiot is a fool", "what an idiot"]
    vec = fit_vectorizer([normalize(t) for t in texts], min_df=1)
    coef = np.ones((1, vec.n_features), dtype=np.float32)
    model = Model("spam", ("spam",), vec, coef, np.array([0.0]), np.array([[1.0, 0.0]]), {})
    words = [c.feature for c in model.explain("Thanks for writing this up. Very helpful!", top=10)]
    assert words and set(words) <= {"thanks", "writing", "helpful"}
    spans = [c for c in model.explain("The idiot is a fool", top=10) if c.feature == "idiot"]
    assert (spans[0].start, spans[0].end) == (4, 9)
