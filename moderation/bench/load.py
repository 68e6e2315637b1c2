"""Load from a process of its own: `python -m moderation.bench.load --url URL ...` prints JSON.

Two phases against one endpoint on 127.0.0.1: a fixed rate (open loop: each request is due at
its own time, and latency counts from then, so a slow server cannot hide its queue), then as many
requests as `--concurrency` clients can make. Both are bounded in time and count.
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
from urllib.parse import urlsplit

import numpy as np

from ml.bench import sample_texts

MAX_REQUESTS = 20_000  # an upper bound whatever the arguments say
WARM_UP = 20
ATTRIBUTES = ("TOXICITY", "INSULT", "IDENTITY_ATTACK", "SPAM")


def _request(host: str, port: int, path: str, body: bytes) -> int:
    """The response's status, or 0 when the connection failed or timed out."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


def _body(text: str, do_not_store: bool = False) -> bytes:
    attributes: dict[str, dict] = {name: {} for name in ATTRIBUTES}
    body = {"comment": {"text": text}, "requestedAttributes": attributes}
    if do_not_store:
        body["doNotStore"] = True
    return json.dumps(body).encode()


def _summary(latencies: list[float], failures: Counter, seconds: float) -> dict:
    ms = np.array(latencies) * 1000.0 if latencies else np.array([np.nan])
    return {
        "requests": len(latencies) + sum(failures.values()),
        "errors": sum(failures.values()),
        "error_statuses": {str(status): n for status, n in sorted(failures.items())},
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(np.max(ms)), 2),
    }


def fixed_rate(
    host: str, port: int, path: str, texts: list[str], rate: float, do_not_store: bool
) -> dict:
    latencies: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()

    def one(due: float, text: str) -> None:
        status = _request(host, port, path, _body(text, do_not_store))
        elapsed = time.perf_counter() - due
        with lock:
            if status == 200:
                latencies.append(elapsed)
            else:
                failures[status] += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i, text in enumerate(texts):
            due = start + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(one, due, text)
    return _summary(latencies, failures, time.perf_counter() - start)


def saturate(
    host: str,
    port: int,
    path: str,
    texts: list[str],
    clients: int,
    seconds: float,
    do_not_store: bool,
) -> dict:
    latencies: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    next_text = iter(texts)

    def client() -> None:
        while time.perf_counter() < stop_at:
            with lock:
                text = next(next_text, None)
            if text is None:
                return
            began = time.perf_counter()
            status = _request(host, port, path, _body(text, do_not_store))
            with lock:
                if status == 200:
                    latencies.append(time.perf_counter() - began)
                else:
                    failures[status] += 1

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
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--saturate-seconds", type=float, default=10.0)
    parser.add_argument("--do-not-store", action="store_true", help="send doNotStore: true")
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.hostname != "127.0.0.1" or url.scheme != "http" or url.port is None:
        parser.error("load goes to http://127.0.0.1:PORT only")
    path = f"{url.path}?{url.query}"
    count = min(int(args.rate * args.duration), MAX_REQUESTS)
    # Blank samples would only measure the 400 for an empty comment.
    texts = [t for t in sample_texts(count + MAX_REQUESTS + 100, seed=1) if t.strip()]
    # Warm-up: the first requests of each worker pay for imports the server did not preload.
    for text in texts[:WARM_UP]:
        _request(url.hostname, url.port, path, _body(text))
    result = {
        "warm_up": WARM_UP,
        "fixed_rate": {
            "rate": args.rate,
            **fixed_rate(
                url.hostname,
                url.port,
                path,
                texts[WARM_UP : WARM_UP + count],
                args.rate,
                args.do_not_store,
            ),
        },
        "saturated": {
            "clients": args.concurrency,
            **saturate(
                url.hostname,
                url.port,
                path,
                texts[WARM_UP + count :],
                args.concurrency,
                min(args.saturate_seconds, 60.0),
                args.do_not_store,
            ),
        },
    }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
