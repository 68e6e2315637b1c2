"""Loaded models, explanations and the on-disk artifact format (plain arrays + JSON, no pickle)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from ml.features import (
    BatchGrams,
    Vectorizer,
    blend_sentences,
    char_grams,
    tokenize,
    word_grams,
)
from ml.normalize import NORMALIZER_VERSION, normalize, normalize_with_offsets
from ml.vectors import WordVectors

# 3: thresholds per label, stop words stored with the vocabulary, explanation span threshold.
# 4: optional word-vector table (words, float16 vectors, weights) and its coefficients.
FORMAT_VERSION = 4
MODEL_NAMES = ("spam", "toxicity")
# Perspective's attribute names, lower-cased.
LABELS = {
    "spam": ("spam",),
    "toxicity": (
        "toxicity",
        "severe_toxicity",
        "insult",
        "threat",
        "identity_attack",
        "profanity",
    ),
}


# label -> {"publish": below this the label lets a comment through, "reject": at or above this
# the comment is rejected, None = this label never rejects on its own}.
class LabelThresholds(TypedDict):
    """Where one label publishes (below `publish`) and rejects (at or above `reject`)."""

    publish: float
    reject: float | None


Thresholds = dict[str, LabelThresholds]
ARRAYS_FILE = "model.npz"
META_FILE = "model.json"
DEFAULT_ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"


class ModelLoadError(Exception):
    """A model artifact is missing, damaged or written by an incompatible version."""


@dataclass(frozen=True)
class Contribution:
    """One feature's push on the main label's logit, located in the original text if possible."""

    feature: str
    weight: float
    start: int | None
    end: int | None


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, clipped so that large logits do not overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


class Model:
    """A linear TF-IDF model with Platt-calibrated outputs for one or more labels."""

    def __init__(
        self,
        name: str,
        labels: tuple[str, ...],
        vectorizer: Vectorizer,
        coef: np.ndarray,
        intercept: np.ndarray,
        calibration: np.ndarray,
        thresholds: Thresholds,
        version: str = "unsaved",
        meta: dict[str, Any] | None = None,
        vectors: WordVectors | None = None,
        vector_coef: np.ndarray | None = None,
    ) -> None:
        self.name = name
        self.labels = labels
        self.vectorizer = vectorizer
        # Stored as (n_labels, n_features): each label's weights are one contiguous row.
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.calibration = np.asarray(calibration, dtype=np.float64)
        self.thresholds: Thresholds = {
            label: {"publish": t["publish"], "reject": t["reject"]}
            for label, t in thresholds.items()
        }
        self.version = version
        self.meta = meta or {}
        # Mean word vector features (ml.vectors), weighted by vector_coef (n_labels, dim).
        self.vectors = vectors
        self.vector_coef = (
            None if vector_coef is None else np.asarray(vector_coef, dtype=np.float64)
        )

    def __repr__(self) -> str:
        return f"<Model {self.version} labels={self.labels}>"

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Logits, shape (n, n_labels), of raw texts (see `normalized_logits`)."""
        return self.normalized_logits([normalize(t) for t in texts])

    def normalized_logits(self, normalized: Sequence[str]) -> np.ndarray:
        """Logits of normalised texts, shape (n, n_labels): each whole text's, blended with its
        most toxic sentence's at the artifact's `sentence_weight` (0 when it has none)."""
        z = self.text_logits(normalized)
        weight = float(self.meta.get("sentence_weight", 0.0))
        if weight <= 0.0:
            return z
        found = self.vectorizer.sentences(normalized)
        zs = self._grams_logits(found.grams, len(found.owner))
        # A sentence with no feature (punctuation alone, say) says nothing: it takes no part.
        rows, _, _, n = self.vectorizer.entries_of(found.grams, len(found.owner))
        said = np.bincount(rows, minlength=n) > 0
        return blend_sentences(z, zs[said], found.owner[said], weight)

    def text_logits(self, normalized: Sequence[str]) -> np.ndarray:
        """Logits of whole normalised texts, shape (n, n_labels)."""
        return self._grams_logits(self.vectorizer.grams(normalized), len(normalized))

    def _grams_logits(self, grams: BatchGrams, n: int) -> np.ndarray:
        rows, cols, vals, _ = self.vectorizer.entries_of(grams, n)
        z = self._sum_logits(rows, cols, vals, n)
        if self.vectors is not None and self.vector_coef is not None:
            dense = self.vectors.features(grams, n)
            # Row by row (not one BLAS product, whose kernel depends on the batch size), so a
            # comment scores the same alone as in any batch.
            z += (dense[:, None, :] * self.vector_coef[None, :, :]).sum(axis=2)
        return z

    def _sum_logits(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int
    ) -> np.ndarray:
        # Plain numpy on the non-zero entries: cheaper than building scipy matrices per call.
        z = np.empty((n, len(self.labels)))
        for j in range(len(self.labels)):
            # One contiguous gather per label: cheaper than gathering rows of the transpose and
            # then bincounting strided columns, and the same sums in the same order.
            terms = self.coef[j][cols] * vals
            z[:, j] = np.bincount(rows, weights=terms, minlength=n) + self.intercept[j]
        return z

    def _calibrate(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z * self.calibration[:, 0] + self.calibration[:, 1])

    def score_labels(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Calibrated probability of every label, each of shape (n,)."""
        if isinstance(texts, str):
            raise TypeError("score_labels takes a sequence of texts, not one string")
        if len(texts) == 0:
            return {label: np.zeros(0) for label in self.labels}
        p = self._calibrate(self.logits(texts))
        return {label: p[:, i] for i, label in enumerate(self.labels)}

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probability of the main label, shape (n,)."""
        return self.score_labels(texts)[self.labels[0]]

    def _token_weights(
        self, text: str, label: str | None = None
    ) -> list[tuple[str, float, int | None, int | None]]:
        """Each word's push on one label's calibrated logit, with its span in the original text."""
        j = self.labels.index(label) if label is not None else 0
        norm = normalize_with_offsets(text)
        x = self.vectorizer.transform([norm.text])
        contrib = x.multiply(self.coef[j]).tocsr()
        value = dict(zip(contrib.indices.tolist(), contrib.data.tolist(), strict=True))
        wv, cv = self.vectorizer.word_vocab, self.vectorizer.char_vocab
        offset = len(self.vectorizer.word_list)
        tokens = tokenize(norm.text)
        words = [m.group(0) for m in tokens]
        silent = self.vectorizer.silent
        # A silent word (an identity group's name) has no unigram, character gram or vector.
        grams = [char_grams(w) if w not in silent else [] for w in words]
        # A feature seen k times in the text gives each occurrence 1/k of its contribution.
        word_uses = Counter(word_grams(words))
        char_uses = Counter(g for gs in grams for g in gs)
        per_token = [0.0] * len(tokens)
        for i, w in enumerate(words):
            col = wv.get(w)
            if col is not None:
                per_token[i] += value.get(col, 0.0) / word_uses[w]
            for g in grams[i]:
                col = cv.get(g)
                if col is not None:
                    per_token[i] += value.get(offset + col, 0.0) / char_uses[g]
            if i + 1 < len(words):
                pair = f"{w} {words[i + 1]}"
                push = value.get(wv.get(pair, -1), 0.0) / max(word_uses[pair], 1)
                # A bigram's push is shared by its two words.
                per_token[i] += push / 2.0
                per_token[i + 1] += push / 2.0
        if self.vectors is not None and self.vector_coef is not None:
            spoken = [w if w not in silent else "" for w in words]
            pushes = self.vectors.token_pushes(spoken, self.vector_coef[j])
            per_token = [a + b for a, b in zip(per_token, pushes, strict=True)]
        # Contributions to the calibrated logit (the Platt slope rescales the raw one).
        scale = float(self.calibration[j, 0])
        out: list[tuple[str, float, int | None, int | None]] = []
        for i, m in enumerate(tokens):
            word = m.group(0)
            # Only words that carry weight are ever shown: no "this", "and", "up" or ".".
            if word in NO_HIGHLIGHT or not _WORDISH.match(word):
                continue
            start, end = norm.span(*m.span())
            out.append((word, per_token[i] * scale, start, end))
        return out

    def explain(self, text: str, top: int = 5, label: str | None = None) -> list[Contribution]:
        """Words that pushed a label's score up most (default: the main label), with their spans
        in the original text; function words are never among them."""
        weights = self._token_weights(text, label)
        ranked = sorted(range(len(weights)), key=lambda i: (-weights[i][1], i))
        out: list[Contribution] = []
        seen: set[str] = set()
        for i in ranked:
            word, weight, start, end = weights[i]
            if weight <= 0.0 or len(out) >= top:
                break
            if word in seen:
                continue
            seen.add(word)
            out.append(Contribution(word, weight, start, end))
        return out

    def toxic_spans(self, text: str, label: str | None = None) -> list[tuple[int, int]]:
        """Character spans of the original text a moderator should look at: the words that push
        more than the span threshold and at least a share of the strongest word's push (rule
        chosen on training posts, scored like SemEval-2021 Task 5)."""
        cut = float(self.meta.get("span_threshold", 0.0))
        relative = float(self.meta.get("span_relative", 0.0))
        tokens = [
            (weight, start, end)
            for _, weight, start, end in self._token_weights(text, label)
            if start is not None and end is not None
        ]
        strongest = max((w for w, _, _ in tokens), default=0.0)
        return [(s, e) for w, s, e in tokens if w > cut and w >= relative * strongest]


# Words never highlighted by any model, whatever their push: function words, pronouns but
# "you" and "your" (insults), auxiliaries and particles. Negations and "never" stay.
_NO_HIGHLIGHT_WORDS = (
    "a an the is are was were be been being am of to in on at for with by from as and or "
    "that this these those it its there then than so if into about i me my mine we us our "
    "ours he him his she her hers they them their theirs myself himself herself itself "
    "ourselves themselves one up down out off over under again once just also very too "
    "all any some each both few more most other such same own only now here do does did "
    "doing done have has having had will would shall should can could may might must what "
    "which who whom whose when where why how but because until while after before above "
    "below through during between further s t ll re ve d m"
)
NO_HIGHLIGHT = frozenset(_NO_HIGHLIGHT_WORDS.split())
_WORDISH = re.compile(r"[^\W_]")


def _blob(strings: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def _unblob(arr: np.ndarray) -> list[str]:
    text = arr.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A deterministic .npz: fixed member order and timestamps, so equal arrays give equal bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def save_model(model: Model, out_dir: Path, meta: dict[str, Any]) -> str:
    """Write model.npz and model.json (meta must hold `created`); return the version string."""
    vectorizer = model.vectorizer
    arrays = {
        "word_vocab": _blob(vectorizer.word_list),
        "char_vocab": _blob(vectorizer.char_list),
        "word_idf": vectorizer.word_idf.astype(np.float32),
        "char_idf": vectorizer.char_idf.astype(np.float32),
        "silent_words": _blob(sorted(vectorizer.silent)),
        "coef": np.asarray(model.coef, dtype=np.float32),
        "intercept": np.asarray(model.intercept, dtype=np.float64),
        "calibration": np.asarray(model.calibration, dtype=np.float64),
    }
    if model.vectors is not None and model.vector_coef is not None:
        arrays["vector_words"] = _blob(model.vectors.words)
        arrays["vector_table"] = model.vectors.table.astype(np.float16)
        arrays["vector_weight"] = model.vectors.weight.astype(np.float32)
        arrays["vector_coef"] = np.asarray(model.vector_coef, dtype=np.float32)
    data = _npz_bytes(arrays)
    digest = hashlib.sha256(data).hexdigest()
    # The version covers everything that changes decisions: arrays, labels and thresholds.
    decisive = json.dumps(
        {
            "labels": list(model.labels),
            "thresholds": model.thresholds,
            "sentence_weight": meta.get("sentence_weight", 0.0),
        },
        sort_keys=True,
    )
    content = hashlib.sha256(data + decisive.encode("utf-8")).hexdigest()
    created = str(meta["created"])
    version = f"{model.name}-{created[:10].replace('-', '')}-{content[:8]}"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ARRAYS_FILE).write_bytes(data)
    doc = {
        **meta,
        "format": FORMAT_VERSION,
        "normalizer": NORMALIZER_VERSION,
        "name": model.name,
        "version": version,
        "labels": list(model.labels),
        "thresholds": model.thresholds,
        "arrays_sha256": digest,
    }
    (out_dir / META_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    model.version = version
    model.meta = doc
    return version


def _read_thresholds(raw: Any, labels: tuple[str, ...]) -> Thresholds:
    """Per-label thresholds from model.json, checked: every label, publish <= reject."""
    if not isinstance(raw, dict) or set(raw) != set(labels):
        raise ValueError(f"thresholds must name exactly the labels {labels}")
    out: Thresholds = {}
    for label in labels:
        publish = float(raw[label]["publish"])
        reject = None if raw[label]["reject"] is None else float(raw[label]["reject"])
        if not 0.0 <= publish <= (1.0 if reject is None else reject) <= 1.0:
            raise ValueError(f"thresholds of {label} out of order: {raw[label]}")
        out[label] = {"publish": publish, "reject": reject}
    return out


def resolve_artifacts_dir(artifacts_dir: str | Path | None = None) -> Path:
    """Resolve the artifacts folder: argument, else $ML_ARTIFACTS_DIR, else ml/artifacts."""
    if artifacts_dir is not None:
        return Path(artifacts_dir)
    env = os.environ.get("ML_ARTIFACTS_DIR")
    return Path(env) if env else DEFAULT_ARTIFACTS_DIR


def load_model(name: str, artifacts_dir: str | Path | None = None) -> Model:
    """Load a trained model from `<artifacts_dir>/<name>/` without unpickling anything."""
    if name not in MODEL_NAMES:
        raise ModelLoadError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
    folder = resolve_artifacts_dir(artifacts_dir) / name
    retrain = f"retrain with `python -m ml train --model {name}`"
    meta_path, arrays_path = folder / META_FILE, folder / ARRAYS_FILE
    if not meta_path.is_file() or not arrays_path.is_file():
        raise ModelLoadError(f"model {name} not found in {folder}; {retrain}")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"model {name}: cannot read {meta_path}: {exc}; {retrain}") from exc
    fmt = meta.get("format") if isinstance(meta, dict) else None
    if fmt != FORMAT_VERSION:
        raise ModelLoadError(
            f"model {name} was written with format {fmt}, this code reads format "
            f"{FORMAT_VERSION}; {retrain}"
        )
    if meta.get("normalizer") != NORMALIZER_VERSION:
        raise ModelLoadError(
            f"model {name} was trained on normaliser version {meta.get('normalizer')}, this "
            f"code normalises with version {NORMALIZER_VERSION}; {retrain}"
        )
    data = arrays_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != meta.get("arrays_sha256"):
        raise ModelLoadError(f"model {name}: {arrays_path} does not match {meta_path}; {retrain}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        word = _unblob(arrays["word_vocab"])
        char = _unblob(arrays["char_vocab"])
        vectorizer = Vectorizer(
            word,
            char,
            arrays["word_idf"].astype(np.float64),
            arrays["char_idf"].astype(np.float64),
            _unblob(arrays["silent_words"]) if "silent_words" in arrays else (),
        )
        labels = tuple(meta["labels"])
        coef = arrays["coef"]
        if coef.shape != (len(labels), vectorizer.n_features):
            raise ValueError(f"coef shape {coef.shape} does not fit {len(labels)} labels")
        vectors, vector_coef = None, None
        if "vector_words" in arrays:
            vectors = WordVectors(
                _unblob(arrays["vector_words"]),
                arrays["vector_table"],
                arrays["vector_weight"].astype(np.float64),
            )
            vector_coef = arrays["vector_coef"]
            if vector_coef.shape != (len(labels), vectors.dim):
                raise ValueError(f"vector_coef shape {vector_coef.shape} does not fit")
        return Model(
            name=name,
            labels=labels,
            vectorizer=vectorizer,
            coef=coef,
            intercept=arrays["intercept"],
            calibration=arrays["calibration"],
            thresholds=_read_thresholds(meta["thresholds"], labels),
            version=str(meta["version"]),
            meta=meta,
            vectors=vectors,
            vector_coef=vector_coef,
        )
    except (KeyError, TypeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(
            f"model {name}: damaged artifact in {folder}: {exc}; {retrain}"
        ) from exc
