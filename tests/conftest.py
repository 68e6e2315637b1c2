import pytest
from django.core.cache import cache

from moderation import queue
from tests.browser import chromium
from tests.fakes import FakeRedis


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def broker_redis(request, monkeypatch):
    """The scoring key (moderation.queue) in memory, fresh for each test; end-to-end tests use
    their real Redis."""
    if request.node.get_closest_marker("e2e") is not None:
        yield None
        return
    fake = FakeRedis()
    monkeypatch.setattr(queue, "broker_redis", lambda: fake)
    yield fake


@pytest.fixture
def browser(monkeypatch):
    """Headless Chromium for tests marked `browser`; skipped (failed in CI) when it is missing."""
    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls stay sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium() as browser:
        yield browser


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chaos",
        action="store_true",
        help="run only the chaos suite (tests marked chaos: `make chaos`); without it, all else",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The chaos suite runs on its own (`make chaos`, once in CI), never inside `make test`."""
    chaos = config.getoption("--chaos")
    keep = [item for item in items if (item.get_closest_marker("chaos") is not None) == chaos]
    kept = {id(item) for item in keep}
    dropped = [item for item in items if id(item) not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
