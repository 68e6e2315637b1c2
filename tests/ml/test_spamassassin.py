import hashlib
from pathlib import Path

import pytest

from ml.data import DataError, Source
from ml.spamassassin import (
    RELATIVE,
    email_text,
    fetch,
    load_spamassassin,
    locate,
)
from tests.ml.conftest import FIXTURE_DATA


@pytest.fixture
def empty_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "downloads"
    monkeypatch.setenv("ML_DOWNLOAD_DIR", str(folder))
    return folder


def test_mails_load_as_labelled_comment_sized_texts(empty_downloads: Path) -> None:
    sources: list[Source] = []
    rows = load_spamassassin(FIXTURE_DATA, sources)
    texts = {ex.text: ex.labels["spam"] for ex in rows}
    # 8 mails in the five folders (one repeated), the `cmds` folder and .json files ignored.
    assert sources[0].rows_read == 8 and sources[0].rows_kept == len(rows) == 7
    assert sum(texts.values()) == 4
    html_spam = next(t for t in texts if t.startswith("You have WON"))
    assert "Claim your £1000 prize at" in html_spam
    assert "color" not in html_spam and "<" not in html_spam
    # An unknown charset name (DEFAULT_CHARSET) still decodes.
    assert texts["Cheap meds online No prescription needed, order now http://bit.ly/abc"] == 1.0
    multipart = next(t for t in texts if t.startswith("Work from home"))
    assert "Earn $5000 a week" in multipart and "<b>" not in multipart
    assert (
        texts["Your weekly newsletter Top stories this week: the council budget & the new library"]
        == 0.0
    )


def test_long_mails_are_cut_to_comment_size() -> None:
    raw = b"Subject: hello\n\n" + b"word " * 1000
    assert len(email_text(raw, max_chars=200)) == 200
    assert email_text(raw, max_chars=200).startswith("hello word word")


def test_a_missing_tarball_says_how_to_fetch_it(tmp_path: Path, empty_downloads: Path) -> None:
    with pytest.raises(DataError, match="make data"):
        locate(tmp_path)


def test_the_download_folder_is_searched_after_the_data_folder(
    tmp_path: Path, empty_downloads: Path
) -> None:
    target = empty_downloads / RELATIVE
    target.parent.mkdir(parents=True)
    target.write_bytes((FIXTURE_DATA / RELATIVE).read_bytes())
    assert locate(tmp_path) == target
    assert locate(FIXTURE_DATA) == FIXTURE_DATA / RELATIVE


def test_fetch_keeps_only_bytes_with_the_pinned_sha256(tmp_path: Path) -> None:
    origin = tmp_path / "origin.tgz"
    origin.write_bytes(b"pretend tarball")
    good = hashlib.sha256(b"pretend tarball").hexdigest()
    dest = tmp_path / "dest"

    with pytest.raises(DataError, match="not the pinned"):
        fetch(dest, origin.as_uri(), "0" * 64)
    assert not (dest / RELATIVE).exists()
    assert list((dest / RELATIVE).parent.iterdir()) == []  # no partial download left

    path = fetch(dest, origin.as_uri(), good)
    assert path == dest / RELATIVE and path.read_bytes() == b"pretend tarball"
    # Already there with the right bytes: nothing is downloaded (this URL would fail).
    assert fetch(dest, "https://registry.invalid/x.tgz", good) == path


def test_fetch_refuses_plain_http(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="only https"):
        fetch(tmp_path, "http://registry.npmjs.org/x.tgz", "0" * 64)
