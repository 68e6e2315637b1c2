"""Command line: `python -m ml {fetch,train,evaluate,score,bench,study,steps,site-curve}`."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Sequence
from pathlib import Path

if sys.argv[1:2] == ["bench"]:
    # BLAS reads these once, at numpy import: the benchmark measures one thread on one core.
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

from ml.model import MODEL_NAMES, ModelLoadError, load_model

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ml", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    fetch = sub.add_parser("fetch", help="download the SpamAssassin corpus (sha256-pinned)")
    fetch.add_argument("--dest", type=Path, help="folder (default $ML_DOWNLOAD_DIR or var/data)")

    train = sub.add_parser("train", help="train a model and write its artifacts and card")
    train.add_argument("--model", choices=MODEL_NAMES, required=True)
    train.add_argument("--data", type=Path, help="data folder (default $ML_DATA_DIR or ../shared)")
    train.add_argument("--out", type=Path, help="artifacts folder (default ml/artifacts)")
    train.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        help="extra `text,label` CSV of a site's own decisions (repeatable)",
    )

    evaluate = sub.add_parser(
        "evaluate",
        help="metrics on a labelled `text,label` CSV; toxicity also runs the behavioural suite",
    )
    evaluate.add_argument("--model", choices=MODEL_NAMES, required=True)
    evaluate.add_argument("--input", type=Path, help="labelled CSV (optional for toxicity)")
    evaluate.add_argument("--artifacts", type=Path)

    score = sub.add_parser("score", help="add score columns to a CSV with a `text` column")
    score.add_argument("--model", choices=MODEL_NAMES, required=True)
    score.add_argument("--input", type=Path, required=True)
    score.add_argument("--output", type=Path, required=True)
    score.add_argument("--artifacts", type=Path)
    score.add_argument("--batch-size", type=int, default=1000)

    bench = sub.add_parser("bench", help="throughput, latency and memory on one core")
    bench.add_argument("--artifacts", type=Path)
    bench.add_argument("--n", type=int, default=5000, help="comments per throughput run")

    study = sub.add_parser(
        "study", help="spam: leave-one-video-out against mixed videos and a site's own decisions"
    )
    study.add_argument("--data", type=Path, help="data folder (default $ML_DATA_DIR or ../shared)")

    steps = sub.add_parser(
        "steps", help="toxicity: the README's step table, one row per named setting"
    )
    steps.add_argument("--data", type=Path, help="data folder (default $ML_DATA_DIR or ../shared)")
    steps.add_argument(
        "--step", action="append", help="a step to measure (repeatable; default every step)"
    )

    curve = sub.add_parser(
        "site-curve",
        help="ROC-AUC on a site's held-back rows as its own labels train a site layer",
    )
    curve.add_argument("--model", choices=MODEL_NAMES, required=True)
    curve.add_argument("--input", type=Path, required=True, help="the site's `text,label` CSV")
    curve.add_argument("--sizes", default="100,300,1000", help="comma-separated training sizes")
    curve.add_argument("--seed", type=int, default=13)
    curve.add_argument("--artifacts", type=Path, help="shared model folder (default ml/artifacts)")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _score(args: argparse.Namespace) -> int:
    model = load_model(args.model, args.artifacts)
    try:
        fh = args.input.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as exc:
        return _fail(f"cannot read {args.input}: {exc.strerror}")
    with fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        if "text" not in fields:
            return _fail(f"{args.input} has no `text` column (columns: {', '.join(fields)})")
        rows = list(reader)
    added = ["score", *[label for label in model.labels[1:]]]
    clash = [c for c in added if c in fields]
    if clash:
        return _fail(f"{args.input} already has column(s) {', '.join(clash)}")
    with args.output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields + added)
        writer.writeheader()
        for i in range(0, len(rows), args.batch_size):
            batch = rows[i : i + args.batch_size]
            scores = model.score_labels([r["text"] or "" for r in batch])
            for j, row in enumerate(batch):
                row["score"] = f"{scores[model.labels[0]][j]:.6f}"
                for label in model.labels[1:]:
                    row[label] = f"{scores[label][j]:.6f}"
                writer.writerow(row)
    print(f"scored {len(rows)} rows with {model.version} -> {args.output}")
    return 0


def _site_curve(args: argparse.Namespace) -> int:
    from ml.data import DataError, load_labeled_csv
    from ml.site import SiteLayerError, site_curve

    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        return _fail(f"--sizes must be comma-separated whole numbers, not {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        return _fail("--sizes needs at least one size, each at least 1")
    model = load_model(args.model, args.artifacts)
    try:
        rows = load_labeled_csv(args.input, model.labels[0], source="site")
    except DataError as exc:
        return _fail(str(exc))
    texts = [r.text for r in rows]
    labels = [r.labels[model.labels[0]] for r in rows]
    try:
        points = site_curve(model, texts, labels, sizes, args.seed)
    except SiteLayerError as exc:
        return _fail(str(exc))
    print(
        f"# {model.version} on {args.input}: {len(rows)} rows, seed {args.seed}, "
        f"measured on the {len(rows) - sizes[-1]} rows past the largest size"
    )
    for k, value in points:
        print(f"k={k} auc=" + ("n/a (one class)" if value is None else f"{value:.4f}"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            from ml.data import DataError
            from ml.spamassassin import fetch

            try:
                print(f"have {fetch(args.dest)}")
            except (DataError, OSError) as exc:
                return _fail(str(exc))
            return 0
        if args.command == "train":
            from ml.card import format_summary
            from ml.train import train
            from ml.vectors import VectorsMissingError

            try:
                out = train(args.model, args.data, args.out, args.extra)
            except VectorsMissingError as exc:
                return _fail(str(exc))
            print(format_summary(out / "model_card.json"))
            print(f"wrote {out}")
            return 0
        if args.command == "evaluate":
            from ml.data import DataError
            from ml.evaluate import evaluate_file, format_report

            model = load_model(args.model, args.artifacts)
            if args.input is None and args.model != "toxicity":
                return _fail("--input is required for the spam model")
            if args.input is not None:
                try:
                    report = evaluate_file(model, args.input)
                except DataError as exc:
                    return _fail(str(exc))
                print(format_report(model, args.input, report))
            if args.model == "toxicity":
                from ml.checklist import format_suite, run_suite

                print(f"behavioural suite ({model.version}):")
                print(format_suite(run_suite(model)))
            return 0
        if args.command == "score":
            return _score(args)
        if args.command == "bench":
            from ml.bench import run

            run(args.artifacts, args.n)
            return 0
        if args.command == "site-curve":
            return _site_curve(args)
        if args.command == "study":
            from ml.study import format_study, run_study

            print(format_study(run_study(args.data)))
            return 0
        if args.command == "steps":
            from ml.steps import STEPS, TABLE_HEAD, format_row, run_steps

            unknown = [n for n in args.step or [] if n not in STEPS]
            if unknown:
                return _fail(f"unknown step(s) {', '.join(unknown)}; known: {', '.join(STEPS)}")
            print(TABLE_HEAD, flush=True)
            for name, figures in run_steps(args.data, args.step or tuple(STEPS)):
                print(format_row(name, figures), flush=True)
            return 0
    except ModelLoadError as exc:
        return _fail(str(exc))
    return _fail(f"unknown command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
