import pytest
from django.core.cache import cache

from tests.browser import chromium


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser(monkeypatch):
    """Headless Chromium for tests marked `browser`; skipped (failed in CI) when it is missing."""
    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls stay sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        yield browser
