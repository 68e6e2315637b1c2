"""Perspective's operations: check the key, analyze a comment, take a suggested score, purge."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from moderation import scoring
from moderation.errors import AuthenticationError
from moderation.keys.models import ApiKey
from moderation.keys.services import api_key_authenticate
from moderation.models import Site
from moderation.perspective.attributes import (
    ATTRIBUTE_LABELS,
    SUPPORTED_LANGUAGES,
    ScoredBy,
    is_known,
    supported_attributes,
)
from moderation.perspective.errors import PerspectiveError
from moderation.perspective.languages import language_code, language_detect
from moderation.perspective.models import AnalyzedText, AnalyzeUsage, ScoreSuggestion
from moderation.perspective.text import ScoredText, html_text, plain_text
from moderation.policy.phrases import PERSPECTIVE_FLOOR, perspective_floors

logger = logging.getLogger(__name__)

# Words reported per attribute when span annotations are asked for.
SPAN_LIMIT = 10
PROBABILITY_TYPES = {"", "PROBABILITY", "SCORE_TYPE_UNSPECIFIED"}


@dataclass(frozen=True)
class Analysis:
    """What comments:analyze answers, plus the versions of the models that scored the text."""

    attribute_scores: dict[str, dict]
    languages: list[str]
    detected_languages: list[str]
    client_token: str | None
    model_versions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    client_token: str | None
    requested_languages: list[str]
    detected_languages: list[str]


def perspective_key_check(*, secret: str | None) -> ApiKey:
    """The caller's active key within its per-second quota, or the error Google would give."""
    if not secret:
        raise PerspectiveError(
            "The request is missing a valid API key (the `key` query parameter).",
            status_code=403,
            rpc_status="PERMISSION_DENIED",
        )
    api_key = _recently_checked(secret)
    if api_key is None:
        try:
            api_key = api_key_authenticate(secret=secret, field="key")
        except AuthenticationError as error:
            reason = " ".join(error.fields.get("key", []))
            message = f"API key not valid. Please pass a valid API key. {reason}".strip()
            raise PerspectiveError(message) from None
        _remember(secret, api_key)
    _rate_limit(api_key)
    return api_key


# Keys this process checked in the last PERSPECTIVE_KEY_CACHE_SECONDS: looking a key up costs more
# than scoring a comment, and a busy client sends the same key many times a second. The price is
# that a revoked key still works in a process for at most that long.
_checked_keys: dict[str, tuple[float, ApiKey]] = {}
_CHECKED_KEYS_MAX = 1000


def _recently_checked(secret: str) -> ApiKey | None:
    entry = _checked_keys.get(secret)
    if entry is None or time.monotonic() >= entry[0]:
        return None
    return entry[1]


def _remember(secret: str, api_key: ApiKey) -> None:
    ttl = settings.PERSPECTIVE_KEY_CACHE_SECONDS
    if ttl <= 0:
        return
    if len(_checked_keys) >= _CHECKED_KEYS_MAX:
        _checked_keys.clear()
    _checked_keys[secret] = (time.monotonic() + ttl, api_key)


def _rate_limit(api_key: ApiKey) -> None:
    """At most the key's queries per second, counted in the shared cache for this second."""
    limit = api_key.rate_limit_per_second or settings.PERSPECTIVE_DEFAULT_QPS
    counter = f"perspective-qps:{api_key.pk}:{int(time.time())}"
    cache.add(counter, 0, timeout=5)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=5)
        count = 1
    if count > limit:
        raise PerspectiveError(
            f"Quota exceeded for this API key: {limit} queries per second. Retry in a second, "
            "or ask for a higher limit.",
            status_code=429,
            rpc_status="RESOURCE_EXHAUSTED",
        )


def _scored_text(comment: dict) -> ScoredText:
    text = comment["text"]
    return html_text(text) if comment.get("type") == "HTML" else plain_text(text)


def _requested(body: dict, languages: list[str]) -> dict[str, tuple[ScoredBy, dict]]:
    """The attributes to score, each with its model and parameters; the rest refused or dropped."""
    attributes: dict[str, dict] = body.get("requestedAttributes") or {}
    if not attributes:
        raise PerspectiveError("requestedAttributes must name at least one attribute.")
    served = supported_attributes()
    unsupported_languages = [code for code in languages if code not in SUPPORTED_LANGUAGES]
    chosen: dict[str, tuple[ScoredBy, dict]] = {}
    for name, params in attributes.items():
        score_type = params.get("scoreType") or ""
        if score_type not in PROBABILITY_TYPES:
            raise PerspectiveError(
                f"Invalid value at 'requestedAttributes.{name}.scoreType': {score_type} is not "
                "supported; only PROBABILITY scores are returned."
            )
        if not is_known(name):
            raise PerspectiveError(f"Unknown requested attribute: {name}.")
        if name in served and not unsupported_languages:
            chosen[name] = (served[name], params)
        elif not body.get("dropUnsupportedAttributes"):
            shown = ", ".join(unsupported_languages or languages)
            raise PerspectiveError(f"Attribute {name} does not support request languages: {shown}")
    return chosen


def _spans(scored: ScoredText, by: ScoredBy) -> list[dict]:
    """The words that pushed this label up most, each scored on its own, in UTF-16 offsets."""
    located = [
        (c.start, c.end)
        for c in by.model.explain(scored.plain, top=SPAN_LIMIT, label=by.label)
        if c.start is not None and c.end is not None and c.end > c.start
    ]
    if not located:
        return []
    values = by.model.score_labels([scored.plain[s:e] for s, e in located])[by.label]
    spans = []
    for (start, finish), value in zip(located, values, strict=True):
        begin, end = scored.utf16_span(start, finish)
        spans.append({"begin": begin, "end": end, "score": _score(float(value))})
    return sorted(spans, key=lambda span: span["begin"])


SCORE_DECIMALS = 6


def _score(value: float) -> dict:
    return {"value": round(value, SCORE_DECIMALS), "type": "PROBABILITY"}


def perspective_analyze(*, api_key: ApiKey, body: dict) -> Analysis:
    """Score the comment for each requested attribute; keep what the key's site chose to keep."""
    scored = _scored_text(body["comment"])
    detection = language_detect(scored.plain)
    requested_languages = [language_code(tag) for tag in body.get("languages") or []]
    languages = requested_languages or [detection.language]
    chosen = _requested(body, languages)

    label_scores: dict[str, float] = {}
    versions: dict[str, str] = {}
    # A site's own promoted layer (manage.py retrain --site) scores its key's requests too.
    layers = scoring.site_layers(api_key.site_id)
    for by, _params in chosen.values():
        if by.model.name not in versions:
            if by.model.name in layers:
                layer_version, layer = layers[by.model.name]
                scores = layer.score_labels(by.model, [scored.plain])
                versions[by.model.name] = f"{by.model.version}+{layer_version}"
            else:
                scores = by.model.score_labels([scored.plain])
                versions[by.model.name] = by.model.version
            for label, values in scores.items():
                label_scores[label] = float(values[0])

    # THREAT and IDENTITY_ATTACK combine the model and the severe-phrase layer.
    floors = perspective_floors(scored.plain)
    attribute_scores: dict[str, dict] = {}
    for name, (by, params) in chosen.items():
        # Compared as reported, so a client that passes back a value it was given gets it again.
        value = round(label_scores[by.label], SCORE_DECIMALS)
        phrase = floors.get(by.label)
        if phrase is not None:
            value = max(value, PERSPECTIVE_FLOOR)
        threshold = params.get("scoreThreshold")
        if threshold is not None and value < threshold:
            continue
        entry: dict = {"summaryScore": _score(value)}
        if body.get("spanAnnotations"):
            # With no word pushing the score up, the one span is the whole text.
            whole = {"begin": 0, "end": len(scored.original.encode("utf-16-le")) // 2}
            spans = _spans(scored, by)
            if phrase is not None:
                begin, end = scored.utf16_span(*phrase)
                spans = sorted(
                    [
                        *(s for s in spans if s["end"] <= begin or s["begin"] >= end),
                        {"begin": begin, "end": end, "score": _score(value)},
                    ],
                    key=lambda span: span["begin"],
                )
            entry["spanScores"] = spans or [{**whole, "score": _score(value)}]
        attribute_scores[name] = entry

    if not body.get("doNotStore"):
        _keep(
            api_key=api_key, body=body, scores=label_scores, versions=versions, languages=languages
        )
    return Analysis(
        attribute_scores=attribute_scores,
        languages=languages,
        detected_languages=[detection.language] if detection.confident else [],
        client_token=body.get("clientToken"),
        model_versions=versions,
    )


def _keep(
    *,
    api_key: ApiKey,
    body: dict,
    scores: dict[str, float],
    versions: dict[str, str],
    languages: list[str],
) -> None:
    site: Site = api_key.site
    # No transaction for the count alone: on SQLite each one would take the database's write lock.
    _usage_count(api_key=api_key, counter="analyze_count")
    if site.analyzed_text_retention_days > 0:
        with transaction.atomic():
            AnalyzedText.objects.create(
                site=site,
                api_key=api_key,
                text=body["comment"]["text"],
                text_type=body["comment"].get("type", "PLAIN_TEXT"),
                scores={label: round(value, 6) for label, value in scores.items()},
                model_versions=versions,
                languages=languages,
                community_id=body.get("communityId", "")[:200],
            )


# Today's counts per (key, day, counter), added up in this process and written every few
# seconds: one UPDATE per request would make every analyze call queue for the same row.
_pending_usage: Counter[tuple[int, date, str]] = Counter()
_pending_lock = threading.Lock()
_last_flush = [time.monotonic()]


def _usage_count(*, api_key: ApiKey, counter: str) -> None:
    """Count one request of this key today; written with the next flush."""
    with _pending_lock:
        _pending_usage[(api_key.pk, timezone.localdate(), counter)] += 1
        due = time.monotonic() - _last_flush[0] >= settings.PERSPECTIVE_USAGE_FLUSH_SECONDS
    if due:
        analyze_usage_flush()


def analyze_usage_flush() -> int:
    """Write the counts this process has added up since its last flush; returns how many."""
    with _pending_lock:
        batch = dict(_pending_usage)
        _pending_usage.clear()
        _last_flush[0] = time.monotonic()
    for (api_key_id, day, counter), count in batch.items():
        rows = AnalyzeUsage.objects.filter(api_key_id=api_key_id, day=day)
        with transaction.atomic():
            if rows.update(**{counter: F(counter) + count}):
                continue
            try:
                with transaction.atomic():
                    AnalyzeUsage.objects.create(api_key_id=api_key_id, day=day, **{counter: count})
            except IntegrityError:  # another process created today's row first
                rows.update(**{counter: F(counter) + count})
    return sum(batch.values())


@atexit.register
def _flush_at_exit() -> None:
    if _pending_usage:
        try:
            analyze_usage_flush()
        except Exception:  # the database may already be gone; counts are best effort
            logger.exception("Could not write the last Perspective API usage counts")


def perspective_score_suggest(*, api_key: ApiKey, body: dict) -> Suggestion:
    """Keep the site's own scores for a text as moderator-grade training labels."""
    attribute_scores: dict[str, dict] = body.get("attributeScores") or {}
    if not attribute_scores:
        raise PerspectiveError("attributeScores must name at least one attribute.")
    labels: dict[str, float] = {}
    for name, scores in attribute_scores.items():
        if not is_known(name):
            raise PerspectiveError(f"Unknown attribute: {name}.")
        summary = scores.get("summaryScore")
        spans = scores.get("spanScores") or []
        if summary is None and not spans:
            raise PerspectiveError(
                f"Invalid value at 'attributeScores.{name}': give a summaryScore or spanScores."
            )
        for score in [summary] if summary else [s["score"] for s in spans]:
            if (score.get("type") or "") not in PROBABILITY_TYPES:
                raise PerspectiveError(
                    f"Invalid value at 'attributeScores.{name}': only PROBABILITY scores are taken."
                )
        # A comment with one abusive span is an abusive comment.
        value = summary["value"] if summary else max(s["score"]["value"] for s in spans)
        if name in ATTRIBUTE_LABELS:
            labels[ATTRIBUTE_LABELS[name]] = float(value)

    comment = body["comment"]
    scored = _scored_text(comment)
    requested_languages = list(body.get("languages") or [])
    with transaction.atomic():
        ScoreSuggestion.objects.create(
            site=api_key.site,
            api_key=api_key,
            text=scored.plain,
            text_type=comment.get("type", "PLAIN_TEXT"),
            labels=labels,
            attribute_scores=attribute_scores,
            languages=requested_languages,
            client_token=body.get("clientToken", "")[:200],
            community_id=body.get("communityId", "")[:200],
            session_id=body.get("sessionId", "")[:200],
        )
        _usage_count(api_key=api_key, counter="suggest_count")
    detection = language_detect(scored.plain)
    return Suggestion(
        client_token=body.get("clientToken"),
        requested_languages=requested_languages,
        detected_languages=[detection.language] if detection.confident else [],
    )


def analyzed_texts_purge(*, now: datetime | None = None) -> int:
    """Delete kept texts older than their site's retention (all of them at 0 days)."""
    now = now or timezone.now()
    deleted = 0
    retentions = Site.objects.values_list("analyzed_text_retention_days", flat=True).distinct()
    for days in retentions:
        with transaction.atomic():
            deleted += AnalyzedText.objects.filter(
                site__analyzed_text_retention_days=days, created_at__lt=now - timedelta(days=days)
            ).delete()[0]
    return deleted
