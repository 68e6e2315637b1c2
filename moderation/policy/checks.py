"""The worker's rules that read only the comment: phrases, words, links, markup, length, author.

Each check returns the RuleHits it fires, with a reason a moderator reads at a glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ml.normalize import normalize
from moderation.policy import links, phrases, words
from moderation.policy.verdict import HOLD, REJECT, RuleHit
from moderation.policy.wordlist import STARTER_BANNED, STARTER_SUSPECT
from moderation.rules.models import SiteRules


@dataclass(frozen=True)
class Submission:
    """What the rules look at: the text and the author's own fields."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""


def _quoted(text: str) -> str:
    return f"“{text}”"


def check_phrases(body: str) -> list[RuleHit]:
    hits = []
    for match in phrases.severe_phrases(body):
        what = phrases.CATEGORY_WORDS[match.category]
        if match.quoted:
            reason = f"quotes a severe phrase ({what}: {_quoted(match.phrase)})"
        else:
            reason = f"severe phrase, {what}: {_quoted(match.phrase)}"
        hits.append(
            RuleHit(
                "severe_phrase",
                HOLD,
                reason,
                {
                    "category": match.category,
                    "phrase": match.phrase,
                    "quoted": match.quoted,
                    "version": phrases.PHRASES_VERSION,
                },
            )
        )
    return hits


@lru_cache(maxsize=256)
def _lists(starter: bool, banned: str, suspect: str) -> tuple[object, object]:
    banned_terms = words.term_list(STARTER_BANNED if starter else (), words.parse_terms(banned))
    suspect_terms = words.term_list(STARTER_SUSPECT if starter else (), words.parse_terms(suspect))
    return words.compile_terms(banned_terms), words.compile_terms(suspect_terms)


def check_words(rules: SiteRules, normalized: str) -> list[RuleHit]:
    banned, suspect = _lists(rules.starter_words, rules.banned_words, rules.suspect_words)
    hits = []
    found = words.matched_terms(banned, normalized)  # type: ignore[arg-type]
    if found:
        shown = ", ".join(_quoted(word) for word in found)
        hits.append(RuleHit("banned_word", REJECT, f"banned word {shown}", {"words": found}))
    found = words.matched_terms(suspect, normalized)  # type: ignore[arg-type]
    if found:
        shown = ", ".join(_quoted(word) for word in found)
        hits.append(RuleHit("suspect_word", HOLD, f"suspect word {shown}", {"words": found}))
    return hits


def _domains(text: str) -> tuple[str, ...]:
    return words.parse_terms(text)


def check_links(rules: SiteRules, body: str) -> list[RuleHit]:
    hosts = links.link_hosts(body)
    if not hosts:
        return []
    allowed, blocked = _domains(rules.allowed_domains), _domains(rules.blocked_domains)
    hits = []
    blocked_hits = sorted({d for d in (links.on_domain(h, blocked) for h in hosts) if d})
    if blocked_hits:
        hits.append(
            RuleHit(
                "blocked_domain",
                REJECT,
                "links to blocked domain " + ", ".join(blocked_hits),
                {"domains": blocked_hits},
            )
        )
    counted = [h for h in hosts if not links.on_domain(h, allowed)]
    if rules.max_links is not None and len(counted) > rules.max_links:
        hits.append(
            RuleHit(
                "links",
                HOLD,
                f"{len(counted)} links (more than {rules.max_links})",
                {"links": len(counted)},
            )
        )
    shorteners = sorted({h for h in counted if links.on_domain(h, links.SHORTENERS)})
    if shorteners:
        hits.append(
            RuleHit(
                "link_shortener",
                HOLD,
                "link through a URL shortener (" + ", ".join(shorteners) + ")",
                {"domains": shorteners},
            )
        )
    return hits


_TAG = re.compile(r"<\s*/?\s*[a-z][^>]*>", re.IGNORECASE)
_DANGEROUS = (
    ("<script", re.compile(r"<\s*script", re.IGNORECASE)),
    ("an event-handler attribute", re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)),
    ("javascript:", re.compile(r"j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:", re.IGNORECASE)),
)
MOSTLY_MARKUP = 0.5


def check_markup(body: str) -> list[RuleHit]:
    if "<" not in body and ":" not in body:
        return []
    for what, pattern in _DANGEROUS:
        if pattern.search(body):
            return [RuleHit("markup", HOLD, f"carries {what}", {"found": what})]
    tags = sum(len(match.group(0)) for match in _TAG.finditer(body))
    share = tags / max(1, len(body.strip()))
    if share >= MOSTLY_MARKUP:
        return [RuleHit("markup", HOLD, f"mostly HTML markup ({share:.0%})", {"share": share})]
    return []


def check_length(rules: SiteRules, body: str) -> list[RuleHit]:
    length = len(body.strip())
    if rules.min_length and length < rules.min_length:
        reason = f"shorter than {rules.min_length} characters ({length})"
        return [RuleHit("length", HOLD, reason, {"length": length})]
    if rules.max_length and length > rules.max_length:
        reason = f"longer than {rules.max_length} characters ({length})"
        return [RuleHit("length", HOLD, reason, {"length": length})]
    return []


# Words of sales spam in a name; a name with two of them (or one and a number) is stuffed.
_SALES = re.compile(
    r"\b(?:casino|bonus|poker|bet(?:ting)?|slots?|loans?|payday|crypto|bitcoin|forex|viagra|"
    r"cialis|pills?|seo|cheap|discount|buy|sale|free|replica|escort|dating|porn|weight\s+loss|"
    r"insurance|mortgage|followers|promo|deals?|best|online|win)\b"
)


def check_author(rules: SiteRules, submission: Submission) -> list[RuleHit]:
    problems = []
    name = submission.author_name.strip()
    if name and (links.link_hosts(name) or name.lower().startswith(("http", "www."))):
        problems.append(f"name is a web address ({_quoted(name)})")
    else:
        sales = _SALES.findall(normalize(name))
        if len(sales) >= 2 or (sales and re.search(r"\d{2,}", name)):
            problems.append(f"name stuffed with sales keywords ({_quoted(name)})")
    if submission.author_url:
        hosts = links.link_hosts(submission.author_url)
        blocked = [h for h in hosts if links.on_domain(h, _domains(rules.blocked_domains))]
        short = [h for h in hosts if links.on_domain(h, links.SHORTENERS)]
        if blocked or short:
            which = "a blocked" if blocked else "a link-shortener"
            problems.append(f"website on {which} domain ({(blocked or short)[0]})")
    if not problems:
        return []
    return [RuleHit("author_fields", HOLD, "; ".join(problems), {"problems": problems})]


def text_hits(rules: SiteRules, submission: Submission) -> list[RuleHit]:
    """Every rule that reads only the comment and fired, hard rules first."""
    normalized = normalize(submission.body)
    hits = check_words(rules, normalized)
    if rules.severe_phrases:
        hits += check_phrases(submission.body)
    hits += check_links(rules, submission.body)
    if rules.markup:
        hits += check_markup(submission.body)
    hits += check_length(rules, submission.body)
    if rules.author_fields:
        hits += check_author(rules, submission)
    return hits
