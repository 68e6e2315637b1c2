"""`python -m ml bench`: throughput, latency and memory on one core, against alt-profanity-check."""

from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ml.data import default_data_dir
from ml.features import clear_caches
from ml.model import load_model, resolve_artifacts_dir
from ml.normalize import normalize

BATCH = 1000
LATENCY_CALLS = 1000

_SYNTHETIC = [
    "check out my channel http://bit.ly/xyz subscribe!!!",
    "I love this song, it reminds me of summer 2012",
    "you are a stupid idiot and everyone hates you",
    "Great article, thanks for explaining the budget so clearly.",
    "Who is still listening in 2015? Thumbs up if you are",
    "go back to where you came from, nobody wants your kind here",
    "FREE iPhone giveaway!!! visit www.win-prizes.com now",
    "The referee made a terrible call in the second half.",
]


def _sample_pool() -> tuple[list[str], str]:
    """The texts samples are drawn from, and where they came from."""
    pool: list[str] = []
    data = default_data_dir()
    for path in sorted((data / "spam" / "youtube").glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            pool += [r["CONTENT"] for r in csv.DictReader(fh)]
    for task in ("hate", "offensive"):
        path = data / "toxicity" / "tweeteval" / task / "val_text.txt"
        if path.is_file():
            pool += path.read_text(encoding="utf-8", errors="replace").splitlines()
    if pool:
        return pool, f"{len(pool):,} YouTube comments and TweetEval tweets from {data}"
    return _SYNTHETIC, f"{len(_SYNTHETIC)} synthetic texts (no data folder at {data})"


def sample_source() -> str:
    """Where sample_texts draws from: the share of them held or rejected depends on it."""
    return _sample_pool()[1]


def sample_texts(n: int, seed: int = 0) -> list[str]:
    """Real comments and tweets when the data folder exists, else varied synthetic ones."""
    pool = _sample_pool()[0]
    rng = random.Random(seed)
    # A counter suffix keeps every text distinct, so no cache can flatter the numbers.
    return [f"{rng.choice(pool)} {i}" for i in range(n)]


def _throughput(fn: Callable[[list[str]], object], texts: list[str], warm: list[str]) -> float:
    fn(warm)
    start = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        fn(texts[i : i + BATCH])
    return len(texts) / (time.perf_counter() - start)


def _latency(
    fn: Callable[[list[str]], object], texts: Sequence[str], warm: Sequence[str]
) -> tuple[float, float]:
    for t in warm[:50]:
        fn([t])
    times = []
    for t in texts[:LATENCY_CALLS]:
        start = time.perf_counter()
        fn([t])
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000.0
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def _load_rss(artifacts: Path | None) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process: after imports only, and after loading both models."""
    # VmHWM is this process's own peak; ru_maxrss would include the parent's peak before exec.
    code = (
        "import re, sys\n"
        "from ml import load_model\n"
        "def hwm():\n"
        "    status = open('/proc/self/status').read()\n"
        "    return int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
        "base = hwm()\n"
        "models = [load_model(n, sys.argv[1] or None) for n in ('spam', 'toxicity')]\n"
        "models[0].score(['warm up']); models[1].score(['warm up'])\n"
        "models[0].explain('warm up'); models[1].explain('warm up')\n"
        "print(base, hwm())\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root}
    out = subprocess.run(  # noqa: S603 (our own interpreter running fixed code)
        [sys.executable, "-c", code, str(artifacts or "")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    return int(out[0]) / 1024.0, int(out[1]) / 1024.0


def run(artifacts: Path | None = None, n: int = 5000) -> None:
    """Print the benchmark table."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    spam = load_model("spam", artifacts)
    toxicity = load_model("toxicity", artifacts)
    texts = sample_texts(n)
    warm = sample_texts(BATCH, seed=1)

    def both(batch: list[str]) -> None:
        spam.score(batch)
        toxicity.score_labels(batch)

    rows: list[tuple[str, Callable[[list[str]], object]]] = [
        (f"spam ({spam.version})", spam.score),
        (f"toxicity, {len(toxicity.labels)} labels ({toxicity.version})", toxicity.score_labels),
        ("spam + toxicity", both),
    ]
    try:
        from profanity_check import predict_prob

        rows.append(("alt-profanity-check 1.9.1", predict_prob))
    except ImportError:
        print("alt-profanity-check is not installed; skipping it")
    results = []
    with threadpool_limits(limits=1):
        for name, fn in rows:
            # Each row starts cold: no text it is timed on has been normalised before.
            normalize.cache_clear()
            clear_caches()
            rate = _throughput(fn, texts, warm)
            p50, p99 = _latency(fn, texts, warm)
            results.append((name, rate, p50, p99))
    ref = results[-1] if rows[-1][0].startswith("alt-") else None
    print(f"one core, one BLAS thread; {n} distinct comments, batches of {BATCH}; latency is one")
    print("comment per call. spam + toxicity scores each batch with both models (normalisation")
    print("and the hashed n-grams are shared between them, as in the app)")
    print(f"{'model':<48} {'comments/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'speed vs apc':>13}")
    for name, rate, p50, p99 in results:
        ratio = f"{rate / ref[1]:.2f}x" if ref else "-"
        print(f"{name:<48} {rate:>11,.0f} {p50:>8.3f} {p99:>8.3f} {ratio:>13}")
    base, loaded = _load_rss(artifacts)
    print(
        f"peak RSS of a fresh worker process: {base:.0f} MB after `import ml`, {loaded:.0f} MB "
        f"with both models loaded, scoring and explaining (+{loaded - base:.0f} MB)"
    )
    this = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"peak RSS of this bench process (incl. alt-profanity-check): {this:.0f} MB")
    sizes = {
        p.relative_to(p.parents[1]): p.stat().st_size
        for name in ("spam", "toxicity")
        for p in sorted((resolve_artifacts_dir(artifacts) / name).glob("model.*"))
    }
    if sizes:
        total = sum(sizes.values()) / 1e6
        print(f"artifact size (model.npz + model.json): {total:.2f} MB")
