"""News-comment corpora (../shared/data/news/): Civil Comments sample, toxic spans, Fox News.

Labels follow Perspective's names. Each loader keeps its data's own grouping for validation:
Civil Comments sample by article, Fox News by article thread, and the toxic spans by post (they
carry no article id), with SemEval-2021 Task 5's trial posts always out of training.
"""

from __future__ import annotations

import ast
import csv
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ml.data import DataError, Example, Source, _require, clean, file_sha256, text_key
from ml.model import LABELS

CIVIL_SAMPLE = "civil-sample"
CIVIL_SPANS = "civil-spans"
FOX = "fox"
NEWS_SOURCES = (CIVIL_SAMPLE, CIVIL_SPANS, FOX)
TSD_TRIAL_GROUP = "tsd-trial"
# Identity columns of the Civil Comments sample with enough mentions to measure bias on.
IDENTITY_COLUMNS = (
    "male",
    "female",
    "transgender",
    "homosexual_gay_or_lesbian",
    "christian",
    "jewish",
    "muslim",
    "black",
    "white",
    "asian",
    "latino",
    "psychiatric_or_mental_illness",
)
# Raters' span types (a few are cut short in the data: match on these prefixes).
SPAN_TYPES = {
    "Insult": "insult",
    "Threat": "threat",
    "Identity": "identity_attack",
    "Profane": "profanity",
}
_SPANS_DIR = ("news", "civil_comments_toxic_spans")


@dataclass(frozen=True)
class SpanPost:
    """A SemEval-2021 Task 5 post with its gold toxic character offsets."""

    text: str
    spans: frozenset[int]


def _seeded_share(keys: list[str], share: float, seed: int) -> set[str]:
    ordered = sorted(set(keys))
    random.Random(seed).shuffle(ordered)
    return set(ordered[: round(len(ordered) * share)])


def load_civil_sample(
    data_dir: Path, sources: list[Source], seed: int = 13
) -> tuple[list[Example], dict[str, tuple[str, ...]]]:
    """Civil Comments sample: soft labels from rater fractions, a quarter of articles held out.

    Also returns, per text key, the identity subgroups mentioned (fraction >= 0.5), for the
    unintended-bias metrics.
    """
    path = _require(data_dir / "news" / "civil_comments_sample" / "train_sample.csv")
    rows: list[Example] = []
    identities: dict[str, tuple[str, ...]] = {}
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"comment_text", "target", "article_id"} <= set(
            reader.fieldnames
        ):
            raise DataError(f"{path}: expected comment_text, target and article_id columns")
        records = list(reader)
    held = _seeded_share([r["article_id"] for r in records], 0.25, seed)
    for r in records:
        target = float(r["target"])
        labels = {
            "toxicity": target,
            "insult": float(r["insult"]),
            "threat": float(r["threat"]),
            "identity_attack": float(r["identity_attack"]),
            "profanity": float(r["obscene"]),
        }
        if target < 0.5:
            # Severe toxicity has no usable fraction here (it never reaches 0.3): clean posts
            # are not severe, toxic ones are left undefined.
            labels["severe_toxicity"] = 0.0
        text = clean(r["comment_text"])
        split = "val" if r["article_id"] in held else "train"
        rows.append(Example(text, labels, CIVIL_SAMPLE, split, f"article-{r['article_id']}"))
        mentioned = tuple(c for c in IDENTITY_COLUMNS if r.get(c) and float(r[c]) >= 0.5)
        if r.get("male"):
            identities[text_key(text)] = mentioned
    sources.append(Source(str(path), file_sha256(path), len(records), len(rows)))
    sources[-1].notes.append(
        f"split by article_id: {len(held)} of {len({r['article_id'] for r in records})} "
        f"articles (seed {seed}) held out"
    )
    return rows, identities


def read_tsd(path: Path) -> list[SpanPost]:
    """A SemEval-2021 Task 5 CSV (`spans,text`)."""
    posts = []
    with _require(path).open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            offsets = ast.literal_eval(r["spans"]) if r["spans"].strip() else []
            posts.append(SpanPost(r["text"], frozenset(int(i) for i in offsets)))
    return posts


def load_tsd_trial(data_dir: Path) -> list[SpanPost]:
    """SemEval-2021 Task 5 trial posts (never trained on): explanations are scored on them."""
    return read_tsd(data_dir.joinpath(*_SPANS_DIR, "semeval2021_tsd_trial.csv"))


def load_tsd_train(data_dir: Path) -> list[SpanPost]:
    """SemEval-2021 Task 5 train posts: explanation settings are tuned on them."""
    return read_tsd(data_dir.joinpath(*_SPANS_DIR, "semeval2021_tsd_train.csv"))


Vote = tuple[bool, set[str]]  # one rater: ticked "not toxic", span types marked


def _rater_votes(data_dir: Path) -> dict[str, list[Vote]]:
    """Each toxic-spans post's raters: whether they ticked "not toxic", and the span types."""
    base = data_dir.joinpath(*_SPANS_DIR)
    types: dict[str, set[str]] = defaultdict(set)
    with _require(base / "spans.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            for prefix, label in SPAN_TYPES.items():
                if r["type"].startswith(prefix[:4]):
                    types[r["annotation"]].add(label)
    raters: dict[str, list[Vote]] = defaultdict(list)
    with _require(base / "annotations.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            raters[r["comment_id"]].append((r["not toxic"] == "True", types[r["annotation"]]))
    return raters


def _is_severe(types: set[str]) -> bool:
    return bool({"threat", "identity_attack"} & types) or {"insult", "profanity"} <= types


def rater_agreement(data_dir: Path, seed: int = 13, min_raters: int = 4) -> dict[str, dict]:
    """How well raters predict each other on the toxic-spans posts: a ceiling for the labels.

    For every post with at least `min_raters` raters, the raters are shuffled and halved; one
    half's share of a label scores the post, the other half's majority (>= 0.5) is the truth.
    The ROC-AUC of that is what a panel of human raters achieves on the same kind of label the
    model is measured on (with half the panel, so a somewhat low ceiling).
    """
    from sklearn.metrics import roc_auc_score

    rng = random.Random(seed)
    halves: list[tuple[list[Vote], list[Vote]]] = []
    for _, votes in sorted(_rater_votes(data_dir).items()):
        if len(votes) >= min_raters:
            shuffled = list(votes)
            rng.shuffle(shuffled)
            k = len(shuffled) // 2
            halves.append((shuffled[:k], shuffled[k:]))

    def share(votes: list[Vote], label: str) -> float:
        if label == "toxicity":
            return sum(not nt for nt, _ in votes) / len(votes)
        if label == "severe_toxicity":
            return sum(_is_severe(t) for _, t in votes) / len(votes)
        return sum(label in t for _, t in votes) / len(votes)

    out: dict[str, dict] = {}
    for label in LABELS["toxicity"]:
        score = [share(a, label) for a, _ in halves]
        truth = [share(b, label) >= 0.5 for _, b in halves]
        both = 0 < sum(truth) < len(truth)
        out[label] = {
            "posts": len(halves),
            "positive": int(sum(truth)),
            "half_panel_auc": round(float(roc_auc_score(truth, score)), 4) if both else None,
        }
    return out


def load_toxic_spans(
    data_dir: Path, sources: list[Source], exclude: set[str], seed: int = 13
) -> list[Example]:
    """Civil Comments toxic spans: every post was rated toxic; labels are shares of its raters.

    toxicity = share of raters who did not tick "not toxic"; insult, threat, identity_attack,
    profanity = share who marked a span of that type; severe_toxicity = share who marked a
    threat or an identity-based attack, or insult and obscenity together. SemEval's trial posts
    are held out (group `tsd-trial`), its train posts train, and a seeded fifth of the rest is
    held out. Posts whose text is in `exclude` (the Civil Comments sample) are dropped.
    """
    base = data_dir.joinpath(*_SPANS_DIR)
    comments_path = _require(base / "comments.csv")
    ann_path = _require(base / "annotations.csv")
    spans_path = _require(base / "spans.csv")
    raters = _rater_votes(data_dir)
    trial = {text_key(p.text) for p in load_tsd_trial(data_dir)}
    train = {text_key(p.text) for p in load_tsd_train(data_dir)}
    with comments_path.open(encoding="utf-8", newline="") as fh:
        comments = list(csv.DictReader(fh))
    held = _seeded_share([c["comment_id"] for c in comments], 0.2, seed)
    rows: list[Example] = []
    seen: set[str] = set()
    dropped = 0
    for c in comments:
        text = clean(c["comment_text"])
        key = text_key(text)
        votes = raters.get(c["comment_id"], [])
        if not votes or key in seen or key in exclude:
            dropped += 1
            continue
        seen.add(key)
        n = len(votes)

        def share(label: str, votes: list[Vote] = votes) -> float:
            return sum(label in t for _, t in votes) / len(votes)

        severe = sum(_is_severe(t) for _, t in votes)
        labels = {label: share(label) for label in SPAN_TYPES.values()}
        labels["toxicity"] = 1.0 - sum(nt for nt, _ in votes) / n
        labels["severe_toxicity"] = severe / n
        if key in trial:
            split, group = "val", TSD_TRIAL_GROUP
        elif key in train:
            split, group = "train", "tsd-train"
        else:
            split, group = ("val" if c["comment_id"] in held else "train"), "posts"
        rows.append(Example(text, labels, CIVIL_SPANS, split, group))
    for p in (comments_path, ann_path, spans_path):
        sources.append(Source(str(p), file_sha256(p), len(comments), len(rows)))
    sources[-1].notes.append(
        f"{dropped} posts dropped (repeated text, no raters, or also in the Civil Comments "
        "sample); SemEval trial posts held out, train posts trained, a seeded fifth of the "
        "rest held out"
    )
    return rows


def load_fox(data_dir: Path, sources: list[Source], seed: int = 13) -> list[Example]:
    """Fox News comments: hateful = toxicity 1, others 0 (noisy: "hateful" is narrower than
    toxic); sub-labels undefined. Two of the seven article threads are held out."""
    path = _require(data_dir / "news" / "fox_news_comments" / "fox-news-comments.jsonl")
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
    titles = sorted({r["title"] for r in records})
    held = set(random.Random(seed).sample(titles, 2))
    rows = []
    seen: set[str] = set()
    for r in records:
        text = clean(r["text"])
        key = text_key(text)
        if not key or key in seen:
            continue
        seen.add(key)
        split = "val" if r["title"] in held else "train"
        rows.append(Example(text, {"toxicity": float(r["label"])}, FOX, split, r["title"]))
    sources.append(Source(str(path), file_sha256(path), len(records), len(rows)))
    sources[-1].notes.append(f"split by article thread: held out {sorted(held)}")
    return rows


def load_news(
    data_dir: Path, sources: list[Source]
) -> tuple[list[Example], dict[str, tuple[str, ...]]]:
    """All news corpora, and the identity mentions of the Civil Comments sample."""
    sample, identities = load_civil_sample(data_dir, sources)
    trial = {text_key(p.text) for p in load_tsd_trial(data_dir)}
    for ex in sample:
        if text_key(ex.text) in trial:
            ex.split = "val"  # never train on a post the explanations are scored on
    spans = load_toxic_spans(data_dir, sources, {text_key(ex.text) for ex in sample})
    return sample + spans + load_fox(data_dir, sources), identities


NEWS_NOT_SPAM = "news"
# Groups of the news rows the spam model learns from: clean or abusive, and the corpus.
NEWS_CLEAN = "news-clean"
STREAM_CLEAN = f"{NEWS_CLEAN}/{CIVIL_SAMPLE}"  # the natural stream's clean comments


def load_news_as_not_spam(data_dir: Path, sources: list[Source]) -> list[Example]:
    """News comments (Civil Comments sample and Fox) as weak "not spam" examples.

    Readers cite articles: without them the spam model held a reader citing one Reuters story.
    Each corpus keeps its news split (by article or thread), so the held-out ones measure
    linking readers. The toxic-spans posts would add 14,000 rows of the same site's abuse and
    triple the training time for no new kind of comment.
    """
    rows = load_civil_sample(data_dir, sources)[0] + load_fox(data_dir, sources)
    return [
        Example(ex.text, {"spam": 0.0}, NEWS_NOT_SPAM, ex.split, _news_group(ex)) for ex in rows
    ]


def _news_group(ex: Example) -> str:
    kind = NEWS_CLEAN if ex.labels.get("toxicity", 1.0) < 0.5 else "news-abusive"
    return f"{kind}/{ex.source}"
