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
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import numpy as np

from ml.bench import sample_texts

MAX_REQUESTS = 20_000  # an upper bound whatever the arguments say
ATTRIBUTES = ("TOXICITY", "INSULT", "IDENTITY_ATTACK", "SPAM")


def _request(host: str, port: int, path: str, body: bytes) -> int:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _body(text: str) -> bytes:
    return json.dumps(
        {"comment": {"text": text}, "requestedAttributes": {name: {} for name in ATTRIBUTES}}
    ).encode()


def _summary(latencies: list[float], errors: int, seconds: float) -> dict:
    ms = np.array(latencies) * 1000.0 if latencies else np.array([np.nan])
    return {
        "requests": len(latencies) + errors,
        "errors": errors,
        "seconds": round(seconds, 2),
        "requests_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(np.max(ms)), 2),
    }


def fixed_rate(host: str, port: int, path: str, texts: list[str], rate: float) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def one(due: float, text: str) -> None:
        nonlocal errors
        status = _request(host, port, path, _body(text))
        elapsed = time.perf_counter() - due
        with lock:
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i, text in enumerate(texts):
            due = start + i / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(one, due, text)
    return _summary(latencies, errors, time.perf_counter() - start)


def saturate(
    host: str, port: int, path: str, texts: list[str], clients: int, seconds: float
) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    next_text = iter(texts)

    def client() -> None:
        nonlocal errors
        while time.perf_counter() < stop_at:
            with lock:
                text = next(next_text, None)
            if text is None:
                return
            began = time.perf_counter()
            status = _request(host, port, path, _body(text))
            with lock:
                if status == 200:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(latencies, errors, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT/path?key=...")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--saturate-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.hostname != "127.0.0.1" or url.scheme != "http" or url.port is None:
        parser.error("load goes to http://127.0.0.1:PORT only")
    path = f"{url.path}?{url.query}"
    count = min(int(args.rate * args.duration), MAX_REQUESTS)
    texts = sample_texts(count + MAX_REQUESTS, seed=1)
    # Warm-up: the first requests of each worker pay for imports the server did not preload.
    for text in texts[:20]:
        _request(url.hostname, url.port, path, _body(text))
    result = {
        "fixed_rate": {
            "rate": args.rate,
            **fixed_rate(url.hostname, url.port, path, texts[20 : 20 + count], args.rate),
        },
        "saturated": {
            "clients": args.concurrency,
            **saturate(
                url.hostname,
                url.port,
                path,
                texts[20 + count :],
                args.concurrency,
                min(args.saturate_seconds, 60.0),
            ),
        },
    }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
