"""Behavioural suite (CheckList-style): templates filled with identity terms and officials."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ml.model import Model
from ml.thresholds import PUBLISH, decide

SUITE_FILE = Path(__file__).resolve().parent / "suite.json"
# Targets: non-hateful categories published at least this often, hateful ones held or rejected.
PUBLISH_TARGET = 0.80
HOLD_TARGET = 0.90


@dataclass(frozen=True)
class Case:
    """One filled template."""

    category: str
    template: str
    text: str
    expect: str  # "publish" or "hold" (held or rejected)


def _fill(template: str, key: str, value: str) -> str:
    text = template.replace("{" + key + "}", value)
    return text[0].upper() + text[1:] if template.startswith("{") else text


def load_cases(path: Path = SUITE_FILE) -> list[Case]:
    """Every template of every category filled with every term of its fill list."""
    suite = json.loads(path.read_text(encoding="utf-8"))
    cases = []
    for category, spec in suite["categories"].items():
        for template in spec["templates"]:
            for value in suite["fills"][spec["fill"]]:
                text = _fill(template, spec["fill"], value)
                cases.append(Case(category, template, text, spec["expect"]))
    return cases


def run_suite(model: Model, path: Path = SUITE_FILE) -> dict[str, Any]:
    """Share of each category that gets the expected outcome at the model's own thresholds."""
    cases = load_cases(path)
    scores = model.score_labels([c.text for c in cases])
    decisions = decide(scores, model.thresholds)
    out: dict[str, Any] = {}
    for category in dict.fromkeys(c.category for c in cases):
        idx = [i for i, c in enumerate(cases) if c.category == category]
        expect = cases[idx[0]].expect
        ok = [(decisions[i] == PUBLISH) == (expect == PUBLISH) for i in idx]
        target = PUBLISH_TARGET if expect == PUBLISH else HOLD_TARGET
        rate = float(np.mean(ok))
        worst = sorted(
            (i for i, good in zip(idx, ok, strict=True) if not good),
            key=lambda i: -scores["toxicity"][i] if expect == PUBLISH else scores["toxicity"][i],
        )[:3]
        out[category] = {
            "expect": expect if expect == PUBLISH else "hold or reject",
            "cases": len(idx),
            "rate": round(rate, 4),
            "target": target,
            "met": rate >= target,
            "examples_missed": [
                f"{cases[i].text} ({decisions[i]}, toxicity {scores['toxicity'][i]:.2f})"
                for i in worst
            ],
        }
    return out


def format_suite(result: dict[str, Any]) -> str:
    """Human-readable summary."""
    lines = []
    for category, r in result.items():
        flag = "ok" if r["met"] else "BELOW TARGET"
        lines.append(
            f"{category}: {r['rate']:.1%} {r['expect']} of {r['cases']} "
            f"(target {r['target']:.0%}) {flag}"
        )
        lines += [f"    missed: {m}" for m in r["examples_missed"]]
    return "\n".join(lines)
