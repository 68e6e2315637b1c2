"""The demo publisher page that `make run` serves on an origin of its own (no Django needed)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template
from urllib.parse import quote

TEMPLATE = Path(__file__).resolve().parent / "demo_page.html"


def demo_page_html(
    *, api_base: str, page_origin: str, public_key: str, external_id: str, title: str, url: str
) -> str:
    """A news article page with the widget's snippet under it, pointing at api_base."""
    values = {
        "api_base": api_base,
        "page_origin": page_origin,
        "public_key": public_key,
        "external_id": external_id,
        "title": title,
        "article_url": url,
        "thread_page_url": f"{api_base}/embed/{quote(public_key)}/{quote(external_id, safe='')}/",
    }
    return Template(TEMPLATE.read_text()).substitute(
        {name: escape(value) for name, value in values.items()}
    )


def demo_page_write(directory: Path, **values: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "index.html"
    page.write_text(demo_page_html(**values))
    return page
