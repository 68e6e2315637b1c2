from pathlib import Path

import pytest

from ml import data as D
from ml import news
from tests.ml.conftest import FIXTURE_DATA


def test_youtube_loader_reads_content_only_and_drops_duplicates() -> None:
    sources: list[D.Source] = []
    rows = D.load_youtube(FIXTURE_DATA, sources)
    assert len(sources) == 4
    assert sum(s.rows_read for s in sources) == 36
    # Each video repeats one comment; the first video's repeat is also another video's comment.
    assert len(rows) < 36
    texts = [r.text for r in rows]
    assert len({D.text_key(t) for t in texts}) == len(texts)
    assert not any("\ufeff" in t or "&amp;" in t or "&lt;" in t for t in texts)
    assert "multi\nline comment, with a quoted newline" in texts
    assert {r.group for r in rows} == {p.removesuffix(".csv") for p in D.YOUTUBE_FILES}
    eminem_spam = [r for r in rows if r.group == "Youtube04-Eminem" and r.labels["spam"] == 1]
    assert eminem_spam  # DATE is empty for these, and the loader never looked at it


def test_sms_loader_keeps_quotes_and_drops_duplicates() -> None:
    sources: list[D.Source] = []
    rows = D.load_sms(FIXTURE_DATA, sources)
    assert [r.text for r in rows][:3] == [
        'WINNER!! claim your "prize" now call 09061701461',
        "are we still meeting at 6?",
        'ok "see you" later',
    ]
    assert len(rows) == 5
    assert sources[0].rows_read == 6


def test_tweets_become_weak_not_spam_examples_that_keep_their_splits() -> None:
    tweets = D.load_davidson(FIXTURE_DATA, []) + D.load_hateval(FIXTURE_DATA, [])
    rows = D.load_tweets_as_not_spam(FIXTURE_DATA, [])
    assert [(r.text, r.split) for r in rows] == [(t.text, t.split) for t in tweets]
    assert all(r.labels == {"spam": 0.0} and r.source == D.TWEET_SOURCE for r in rows)
    assert {r.split for r in rows} == {"train", "val"}


def test_davidson_loader_strips_retweets_and_makes_soft_labels() -> None:
    rows = D.load_davidson(FIXTURE_DATA, [])
    assert not any("RT @" in r.text for r in rows)
    assert not any("&amp;" in r.text or "&#8220;" in r.text for r in rows)
    hate = next(r for r in rows if r.text.startswith("send them all back"))
    assert hate.labels == {"toxicity": 1.0, "identity_attack": pytest.approx(2 / 3)}
    clean = next(r for r in rows if r.text.startswith("have a lovely day"))
    assert clean.labels["toxicity"] == pytest.approx(1 / 3)
    assert {r.split for r in rows} == {"train", "val"}
    assert sum(r.split == "val" for r in rows) == len(rows) // 5


def test_olid_loader_survives_invalid_utf8_and_takes_tweeteval_splits() -> None:
    sources: list[D.Source] = []
    rows = D.load_olid(FIXTURE_DATA, sources)
    assert any("\ufffd" in r.text for r in rows)
    assert len(rows) == 24  # the duplicate row is gone
    insult = next(r for r in rows if "stupid idiot val0" in r.text)
    assert insult.split == "val"
    assert insult.labels == {"toxicity": 1.0, "insult": 1.0, "identity_attack": 0.0}
    group = next(r for r in rows if r.text.startswith("those people are animals"))
    assert group.labels["identity_attack"] == 1.0 and group.labels["insult"] == 0.0
    assert sum(r.split == "val" for r in rows) == 8


def test_labeled_csv_loader_reads_a_sites_decisions(tmp_path: Path) -> None:
    path = tmp_path / "site.csv"
    path.write_text('\ufefftext,label\n"buy pills, cheap",1\nnice article,0\n', encoding="utf-8")
    rows = D.load_labeled_csv(path, "spam")
    assert [(r.text, r.labels) for r in rows] == [
        ("buy pills, cheap", {"spam": 1.0}),
        ("nice article", {"spam": 0.0}),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [("text\nhello\n", "needs `text` and `label`"), ("text,label\nhi,spam\n", "not a number")],
)
def test_labeled_csv_loader_explains_bad_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(D.DataError, match=message):
        D.load_labeled_csv(path, "spam")


def test_news_comments_become_weak_not_spam_examples_that_keep_their_splits() -> None:
    rows = news.load_news_as_not_spam(FIXTURE_DATA, [])
    assert rows and all(r.labels == {"spam": 0.0} and r.source == news.NEWS_NOT_SPAM for r in rows)
    assert {r.split for r in rows} == {"train", "val"}
    assert {r.group for r in rows} == {
        f"{kind}/{source}"
        for kind in ("news-clean", "news-abusive")
        for source in (news.CIVIL_SAMPLE, news.FOX)
    }
