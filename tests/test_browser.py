"""The browser tests' guard: skipped with how to install Chromium, but failed in CI."""

from pathlib import Path

import pytest

from tests import browser


def test_without_chromium_browser_tests_skip_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser.require_chromium()


def test_in_ci_a_missing_chromium_fails_instead(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        browser.require_chromium()
