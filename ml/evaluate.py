"""Metrics, threshold choice and the `evaluate` command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from ml import data as D
from ml.model import Model


def binary_metrics(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """ROC-AUC, AP, Brier, F1/precision/recall and confusion matrix at a threshold."""
    hard = (np.asarray(y) >= 0.5).astype(int)
    p = np.asarray(p, dtype=np.float64)
    pred = (p >= threshold).astype(int)
    both = len(set(hard.tolist())) == 2
    tn, fp, fn, tp = confusion_matrix(hard, pred, labels=[0, 1]).ravel()
    return {
        "rows": len(hard),
        "positives": int(hard.sum()),
        "roc_auc": round(float(roc_auc_score(hard, p)), 4) if both else None,
        "ap": round(float(average_precision_score(hard, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(hard, np.clip(p, 0, 1))), 4),
        "threshold": round(float(threshold), 4),
        "f1": round(float(f1_score(hard, pred, zero_division=0)), 4),
        "precision": round(float(precision_score(hard, pred, zero_division=0)), 4),
        "recall": round(float(recall_score(hard, pred, zero_division=0)), 4),
        "confusion": {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)},
    }


def evaluate_file(model: Model, path: Path) -> dict[str, Any]:
    """Metrics of a model's main label on a `text,label` CSV at its publish and reject
    thresholds (the decision itself also looks at the other labels)."""
    rows = D.load_labeled_csv(path, model.labels[0], source=path.name)
    if not rows:
        raise D.DataError(f"{path}: no rows")
    y = np.array([r.labels[model.labels[0]] for r in rows])
    p = model.score([r.text for r in rows])
    main = model.thresholds[model.labels[0]]
    points = {"publish": main["publish"], "reject": main["reject"]}
    return {name: binary_metrics(y, p, t) for name, t in points.items() if t is not None}


def format_report(model: Model, path: Path, report: dict[str, Any]) -> str:
    """Human-readable evaluate output."""
    first = next(iter(report.values()))
    lines = [
        f"model {model.version} on {path} ({first['rows']} rows, {first['positives']} positive)",
        f"ROC-AUC {first['roc_auc']}  average precision {first['ap']}  Brier {first['brier']}",
    ]
    for name, m in report.items():
        c = m["confusion"]
        lines += [
            f"at {name} threshold {m['threshold']}: F1 {m['f1']}  precision {m['precision']}  "
            f"recall {m['recall']}",
            "              predicted 0  predicted 1",
            f"  actual 0   {c['tn']:>11}  {c['fp']:>11}",
            f"  actual 1   {c['fn']:>11}  {c['tp']:>11}",
        ]
    return "\n".join(lines)
