"""The `rules` suite: what the house rules add to each comment, in process, figures printed.

Times, per comment, the worker's text rules (phrases, words, links, markup, length, author
fields) on the behavioural suite's texts plus spam-like ones, the submit-time flood counter in
the configured cache, and a campaign comparison (MinHash signature against a window of stored
signatures, without the database round trip).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from io import TextIOBase

from ml.checklist import load_cases
from moderation.bench.suites import BenchOptions, suite
from moderation.policy import history
from moderation.policy.checks import Submission, text_hits
from moderation.policy.submit import check_flood
from moderation.rules.models import SiteRules

_SPAM = [
    "Best deals at http://cheap-pills.example.com and https://bit.ly/x1 and www.casino.example.net",
    "<p><a href='javascript:alert(1)' onclick='x()'>click</a></p><script>steal()</script>",
    "G.r.e.a.t  p-r-i-c-e-s on r3pl1ca watches, visit example[.]com today!!!",
]
CAMPAIGN_WINDOW = 500  # stored signatures a new comment is compared with


def _per_comment(run: Callable[[int], object], count: int) -> str:
    """run(i) for count calls: mean CPU time and wall-clock median and 99th percentile, in ms.

    CPU time is what the rules cost; wall-clock percentiles also show the machine's other load
    (a preempted call waits a scheduler slice, tens of milliseconds on a busy machine).
    """
    timings = []
    cpu_start = time.process_time()
    for index in range(count):
        start = time.perf_counter()
        run(index)
        timings.append((time.perf_counter() - start) * 1000)
    cpu = (time.process_time() - cpu_start) * 1000 / count
    timings.sort()
    median, p99 = timings[len(timings) // 2], timings[int(len(timings) * 0.99)]
    return f"CPU {cpu:.3f} ms mean; wall median {median:.3f} ms, p99 {p99:.3f} ms"


@suite("rules")
def run_rules(options: BenchOptions, out: TextIOBase) -> None:
    rules = SiteRules(site_id=0, newcomers=SiteRules.NewcomerMode.OFF)
    texts = [case.text for case in load_cases()] + _SPAM * 50
    submissions = [
        Submission(body=text, author_name="Ana Reader", author_url="https://example.org/")
        for text in texts
    ]
    for submission in submissions[:50]:  # warm the compiled patterns and the caches
        text_hits(rules, submission)
    # Distinct texts: the normaliser's own cache would otherwise hide its cost on repeats.
    fresh = [
        Submission(body=f"{s.body} ({index})", author_name=s.author_name, author_url=s.author_url)
        for index, s in enumerate(submissions)
    ]
    figures = _per_comment(lambda i: text_hits(rules, fresh[i]), len(fresh))
    out.write(
        f"rules: worker text rules, {len(fresh)} comments, per comment: {figures} (target < 1 ms)\n"
    )
    flood = SiteRules(site_id=0, flood_per_minute=1_000_000)
    figures = _per_comment(
        lambda i: check_flood(flood, site_id=0, ip_address=f"198.51.100.{i % 250}", email="a@b.c"),
        2000,
    )
    out.write(f"rules: flood counters (address and email, configured cache), each: {figures}\n")
    window = [history.signature(text + " " * 40) for text in texts[:CAMPAIGN_WINDOW]]
    stored = [signature for signature in window if signature is not None]

    def campaign(index: int) -> None:
        own = history.signature(fresh[index].body + " " * 40)
        if own is not None:
            history.similarities(own, stored)

    figures = _per_comment(campaign, 500)
    out.write(
        f"rules: campaign signature and comparison with {len(stored)} stored signatures, "
        f"per comment: {figures}\n"
    )
