"""Loaders for the training corpora and for plain `text,label` CSV files."""

from __future__ import annotations

import bisect
import csv
import hashlib
import html
import os
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

YOUTUBE_FILES = (
    "Youtube01-Psy.csv",
    "Youtube02-KatyPerry.csv",
    "Youtube03-LMFAO.csv",
    "Youtube04-Eminem.csv",
)
# OLID writes links as "URL"; TweetEval dropped them, so joins ignore that word.
_URL_WORD = re.compile(r"\bURL\b")
# ASCII only: OLID's invalid bytes become U+FFFD where TweetEval kept the real letter.
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_RETWEET = re.compile(r"(?:^|(?<=\s))RT\s+@\w+:?", re.IGNORECASE)


class DataError(Exception):
    """A data file is missing or malformed."""


@dataclass
class Example:
    """One labelled text; labels maps label name -> probability, absent when undefined."""

    text: str
    labels: dict[str, float]
    source: str
    split: str = "train"
    group: str = ""


@dataclass
class Source:
    """A file that fed a dataset, for the model card."""

    path: str
    sha256: str
    rows_read: int
    rows_kept: int = 0
    notes: list[str] = field(default_factory=list)


REPO_DIR = Path(__file__).resolve().parents[1]


def env_path(variable: str, default: Path) -> Path:
    """The folder an environment variable names, else the default."""
    value = os.environ.get(variable)
    return Path(value) if value else default


def default_data_dir() -> Path:
    """Data folder: $ML_DATA_DIR, else ../shared/data next to the repository."""
    return env_path("ML_DATA_DIR", REPO_DIR.parent / "shared" / "data")


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def clean(text: str) -> str:
    """Light cleaning applied at load time: entities, BOM, surrounding blanks."""
    return html.unescape(text).replace("\ufeff", "").strip()


def _require(path: Path) -> Path:
    if not path.is_file():
        raise DataError(f"missing data file {path}")
    return path


def text_key(text: str) -> str:
    """Identity of a text for deduplication and joins: ASCII letters and digits, casefolded."""
    return _NON_ALNUM.sub("", _URL_WORD.sub("", text).casefold())


def dedupe(examples: Iterable[Example]) -> tuple[list[Example], int]:
    """Keep the first example of each text (ignoring case, spacing and punctuation)."""
    seen: set[str] = set()
    kept: list[Example] = []
    dropped = 0
    for ex in examples:
        key = text_key(ex.text)
        if key in seen:
            dropped += 1
            continue
        seen.add(key)
        kept.append(ex)
    return kept, dropped


def load_youtube(data_dir: Path, sources: list[Source]) -> list[Example]:
    """YouTube Spam Collection: CONTENT and CLASS only (DATE leaks the label in Eminem)."""
    rows: list[Example] = []
    for name in YOUTUBE_FILES:
        path = _require(data_dir / "spam" / "youtube" / name)
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"CONTENT", "CLASS"} <= set(reader.fieldnames):
                raise DataError(f"{path}: expected CONTENT and CLASS columns")
            video = name.removesuffix(".csv")
            read = [
                Example(clean(r["CONTENT"]), {"spam": float(r["CLASS"])}, "youtube", group=video)
                for r in reader
            ]
        rows.extend(read)
        sources.append(Source(str(path), file_sha256(path), len(read)))
    kept, dropped = dedupe(rows)
    for src in sources[-len(YOUTUBE_FILES) :]:
        video = Path(src.path).stem
        src.rows_kept = sum(ex.group == video for ex in kept)
    sources[-1].notes.append(f"{dropped} duplicate comments dropped across the four videos")
    return kept


def load_sms(data_dir: Path, sources: list[Source]) -> list[Example]:
    """SMS Spam Collection (tab separated, no quoting), deduplicated."""
    path = _require(data_dir / "spam" / "sms" / "SMSSpamCollection")
    rows = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for rec in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(rec) < 2 or rec[0] not in ("ham", "spam"):
                continue
            text = clean("\t".join(rec[1:]))
            rows.append(Example(text, {"spam": float(rec[0] == "spam")}, "sms", group="sms"))
    kept, dropped = dedupe(rows)
    sources.append(Source(str(path), file_sha256(path), len(rows), len(kept)))
    sources[-1].notes.append(f"{dropped} duplicates dropped")
    return kept


TWEET_SOURCE = "tweets"
HATEVAL_SOURCE = "tweeteval-hate"


def load_tweets_as_not_spam(data_dir: Path, sources: list[Source]) -> list[Example]:
    """Davidson and HatEval tweets as weak "not spam" examples, keeping each dataset's split.

    They are people talking, often with a link: without them the spam model learns from YouTube
    that a link alone is spam. Nobody labelled them for spam, so they train at a low weight.
    """
    tweets = load_davidson(data_dir, sources) + load_hateval(data_dir, sources)
    return [Example(ex.text, {"spam": 0.0}, TWEET_SOURCE, ex.split, TWEET_SOURCE) for ex in tweets]


def strip_retweet(text: str) -> str:
    """Remove `RT @user:` markers that Davidson tweets carry."""
    return _RETWEET.sub(" ", text).strip()


def load_davidson(data_dir: Path, sources: list[Source], seed: int = 13) -> list[Example]:
    """Davidson et al.: soft toxic = (hate+offensive)/votes, identity_attack = hate/votes."""
    path = _require(data_dir / "toxicity" / "davidson" / "labeled_data.csv")
    rows = []
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for r in csv.DictReader(fh):
            votes = float(r["count"])
            if votes <= 0:
                continue
            hate, offensive = float(r["hate_speech"]), float(r["offensive_language"])
            labels = {"toxicity": (hate + offensive) / votes, "identity_attack": hate / votes}
            rows.append(Example(strip_retweet(clean(r["tweet"])), labels, "davidson"))
    kept, dropped = dedupe(rows)
    # A seeded fifth is our validation split (the official held-out fifth is not in the folder).
    order = list(range(len(kept)))
    random.Random(seed).shuffle(order)
    for i in order[: len(kept) // 5]:
        kept[i].split = "val"
    sources.append(Source(str(path), file_sha256(path), len(rows), len(kept)))
    sources[-1].notes.append(f"{dropped} duplicates dropped; seeded ({seed}) fifth held out")
    return kept


def _read_lines(path: Path) -> list[str]:
    with _require(path).open(encoding="utf-8", errors="replace", newline="") as fh:
        return [line.rstrip("\r\n") for line in fh]


def load_tweeteval(data_dir: Path, task: str, sources: list[Source]) -> list[Example]:
    """TweetEval task ('hate' or 'offensive'): label 1 = hate / offensive, train and val splits."""
    rows = []
    for split in ("train", "val"):
        base = data_dir / "toxicity" / "tweeteval" / task
        texts = _read_lines(base / f"{split}_text.txt")
        labels = _read_lines(base / f"{split}_labels.txt")
        if len(texts) != len(labels):
            raise DataError(f"{base}: {split} has {len(texts)} texts but {len(labels)} labels")
        for text, label in zip(texts, labels, strict=True):
            rows.append(Example(clean(text), {"label": float(label)}, f"tweeteval-{task}", split))
        for p in (base / f"{split}_text.txt", base / f"{split}_labels.txt"):
            sources.append(Source(str(p), file_sha256(p), len(texts), len(texts)))
    return rows


def load_hateval(data_dir: Path, sources: list[Source]) -> list[Example]:
    """TweetEval hate (HatEval 2019): hate -> toxicity and identity_attack."""
    rows = load_tweeteval(data_dir, "hate", sources)
    for ex in rows:
        hate = ex.labels.pop("label")
        ex.labels = {"toxicity": hate, "identity_attack": hate}
    kept = [ex for ex in rows if ex.split == "val"]
    train, dropped = dedupe(ex for ex in rows if ex.split == "train")
    sources[-1].notes.append(f"{dropped} duplicate train tweets dropped")
    return train + kept


def load_olid(data_dir: Path, sources: list[Source]) -> list[Example]:
    """OLID levels A/B/C, split as TweetEval offensive splits it (joined on normalised text)."""
    path = _require(data_dir / "toxicity" / "olid" / "olid-training-v1.0.tsv")
    split_of: dict[str, str] = {}
    for ex in load_tweeteval(data_dir, "offensive", sources):
        split_of.setdefault(text_key(ex.text), ex.split)
    ordered = sorted(split_of)
    rows = []
    unmatched = 0
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if not header or header[:3] != ["id", "tweet", "subtask_a"]:
            raise DataError(f"{path}: unexpected header {header}")
        for rec in reader:
            if len(rec) < 5:
                continue
            a, b, c = rec[2], rec[3], rec[4]
            off = float(a == "OFF")
            labels = {
                "toxicity": off,
                "insult": float(off and b == "TIN" and c == "IND"),
                "identity_attack": float(off and b == "TIN" and c == "GRP"),
            }
            text = clean(rec[1])
            key = text_key(text)
            split = split_of.get(key)
            if split is None and len(key) >= 20:
                # Some OLID tweets are cut short where TweetEval kept the whole tweet.
                i = bisect.bisect_left(ordered, key)
                if i < len(ordered) and ordered[i].startswith(key):
                    split = split_of[ordered[i]]
            if split is None:
                unmatched += 1
                split = "train"
            rows.append(Example(text, labels, "olid", split))
    kept, dropped = dedupe(rows)
    sources.append(Source(str(path), file_sha256(path), len(rows), len(kept)))
    sources[-1].notes.append(
        f"split taken from TweetEval offensive by text; {unmatched} OLID rows not found there "
        f"went to train; {dropped} duplicates dropped; TweetEval offensive rows are not "
        "counted a second time"
    )
    return kept


def load_labeled_csv(path: Path, label: str, source: str = "extra") -> list[Example]:
    """A `text,label` CSV (label 0/1 or a probability), e.g. a site's own moderation decisions."""
    with _require(path).open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise DataError(f"{path}: needs `text` and `label` columns, got {reader.fieldnames}")
        rows = []
        for n, r in enumerate(reader, start=2):
            try:
                value = float(r["label"])
            except (TypeError, ValueError):
                raise DataError(f"{path}:{n}: label {r['label']!r} is not a number") from None
            if not 0.0 <= value <= 1.0:
                raise DataError(f"{path}:{n}: label {value} outside [0, 1]")
            rows.append(Example(clean(r["text"] or ""), {label: value}, source, group=source))
    return rows
