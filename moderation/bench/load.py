"""Load from a process of its own: `python -m moderation.bench.load --url URL ...` prints JSON.

Two phases against one endpoint on 127.0.0.1: a fixed rate (open loop: each request is due at
its own time, and latency counts from then, so a slow server cannot hide its queue), then as many
requests as `--concurrency` clients can make (`--saturate-seconds 0` skips it). Both are bounded
in time and count. `--kind` says what is sent: a Perspective `comments:analyze` body, a reader's
comment (the comment API's POST), or a plain GET. `--record FILE` writes one JSON line per
fixed-rate request: when it was due (Unix time), its status and the id the answer named.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import numpy as np

from ml.bench import sample_texts

MAX_REQUESTS = 20_000  # an upper bound whatever the arguments say
WARM_UP = 20
ATTRIBUTES = ("TOXICITY", "INSULT", "IDENTITY_ATTACK", "SPAM")
KINDS = ("perspective", "comment", "get")
AUTHORS = 500  # the comment kind's distinct authors, in turn


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when the connection failed or timed out
    id: int | None = None  # the "id" of a JSON object answer (a submitted comment's)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _request(host: str, port: int, path: str, body: bytes | None) -> Answer:
    """POST body (or GET when it is None) and read the whole answer."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        if body is None:
            connection.request("GET", path)
        else:
            connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        content = response.read()
    except OSError:
        return Answer(0)
    finally:
        connection.close()
    return Answer(response.status, _answer_id(content))


def _answer_id(content: bytes) -> int | None:
    if not content.startswith(b"{"):
        return None
    try:
        value = json.loads(content).get("id")
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def _body(text: str, do_not_store: bool = False) -> bytes:
    attributes: dict[str, dict] = {name: {} for name in ATTRIBUTES}
    body = {"comment": {"text": text}, "requestedAttributes": attributes}
    if do_not_store:
        body["doNotStore"] = True
    return json.dumps(body).encode()


def comment_body(text: str, index: int) -> bytes:
    """A reader's comment as the API takes it, from one of AUTHORS authors."""
    author = index % AUTHORS
    return json.dumps(
        {
            "author_name": f"Bench reader {author}",
            "author_email": f"reader{author}@bench.example",
            "body": text,
        }
    ).encode()


def make_body(kind: str, text: str, index: int, do_not_store: bool = False) -> bytes | None:
    """What one request of this kind sends (None: a GET)."""
    if kind == "perspective":
        return _body(text, do_not_store)
    if kind == "comment":
        return comment_body(text, index)
    if kind == "get":
        return None
    raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")


def percentiles(latencies_s: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of latencies given in seconds, in ms (NaN with none)."""
    ms = np.array(latencies_s) * 1000.0 if latencies_s else np.array([np.nan])
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(np.max(ms)), 2),
    }


def _summary(latencies: list[float], failures: Counter, seconds: float) -> dict:
    return {
        "requests": len(latencies) + sum(failures.values()),
        "errors": sum(failures.values()),
        "error_statuses": {str(status): n for status, n in sorted(failures.items())},
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        **percentiles(latencies),
    }


def fixed_rate(
    host: str,
    port: int,
    path: str,
    bodies: list[bytes | None],
    rate: float,
    record: TextIO | None = None,
) -> dict:
    latencies: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()
    wall_start = time.time()

    def one(offset: float, due: float, body: bytes | None) -> None:
        answer = _request(host, port, path, body)
        elapsed = time.perf_counter() - due
        with lock:
            if answer.ok:
                latencies.append(elapsed)
            else:
                failures[answer.status] += 1
            if record is not None:
                line = {"due": wall_start + offset, "status": answer.status, "id": answer.id}
                record.write(json.dumps(line) + "\n")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i, body in enumerate(bodies):
            due = start + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(one, i / rate, due, body)
    return _summary(latencies, failures, time.perf_counter() - start)


def saturate(
    host: str,
    port: int,
    path: str,
    bodies: list[bytes | None],
    clients: int,
    seconds: float,
) -> dict:
    latencies: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    next_body = iter(bodies)
    exhausted = object()

    def client() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                body = next(next_body, exhausted)
            if body is exhausted:
                return
            began = time.perf_counter()
            answer = _request(host, port, path, body)  # type: ignore[arg-type]
            with lock:
                if answer.ok:
                    latencies.append(time.perf_counter() - began)
                else:
                    failures[answer.status] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(latencies, failures, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT/path?key=...")
    parser.add_argument("--kind", choices=KINDS, default="perspective", help="what to send")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--saturate-seconds", type=float, default=10.0, help="0: no such phase")
    parser.add_argument("--do-not-store", action="store_true", help="send doNotStore: true")
    parser.add_argument("--record", type=Path, help="one JSON line per fixed-rate request")
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.hostname != "127.0.0.1" or url.scheme != "http" or url.port is None:
        parser.error("load goes to http://127.0.0.1:PORT only")
    saturate_seconds = max(0.0, min(args.saturate_seconds, 60.0))
    if not 0 < args.rate <= 1000 or not 0 <= args.duration <= 600:
        parser.error("--rate must be in (0, 1000] and --duration in [0, 600] seconds")
    if not args.duration and not saturate_seconds:
        parser.error("nothing to do: --duration and --saturate-seconds are both 0")
    path = f"{url.path}?{url.query}" if url.query else url.path
    count = min(int(args.rate * args.duration), MAX_REQUESTS)
    # Blank samples would only measure the 400 for an empty comment.
    texts = [t for t in sample_texts(count + MAX_REQUESTS + 100, seed=1) if t.strip()]
    bodies = [
        make_body(args.kind, text, index, args.do_not_store) for index, text in enumerate(texts)
    ]
    # Warm-up: the first requests of each worker pay for imports the server did not preload.
    for body in bodies[:WARM_UP]:
        _request(url.hostname, url.port, path, body)
    result: dict = {"warm_up": WARM_UP}
    if count:
        with ExitStack() as stack:
            record = stack.enter_context(args.record.open("w")) if args.record else None
            fixed = fixed_rate(
                url.hostname, url.port, path, bodies[WARM_UP : WARM_UP + count], args.rate, record
            )
        result["fixed_rate"] = {"rate": args.rate, **fixed}
    if saturate_seconds:
        result["saturated"] = {
            "clients": args.concurrency,
            **saturate(
                url.hostname,
                url.port,
                path,
                bodies[WARM_UP + count :],
                args.concurrency,
                saturate_seconds,
            ),
        }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
