"""Admin login is rate-limited per account and per address by django-axes (issue 19)."""

import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from tests.moderation.factories import StaffFactory

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"


def attempt(username, password, ip="198.51.100.9"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": password})
    return response, client


def logged_in(client):
    return client.get("/admin/").status_code == 200


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 5
    return StaffFactory(username="editor", is_superuser=True)


def test_the_right_password_logs_in(staff):
    response, client = attempt("editor", "pw")
    assert response.status_code == 302 and logged_in(client)


def test_after_the_limit_even_the_right_password_is_refused_for_that_account(staff, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        statuses = [attempt("editor", "wrong")[0].status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]  # the fifth failure locks
    # From another address too: the account is locked, not only the address.
    response, client = attempt("editor", "pw", ip="203.0.113.50")
    assert response.status_code == 429 and not logged_in(client)
    assert AccessFailureLog.objects.filter(username="editor").count() >= 5
    assert any("editor" in r.getMessage() for r in caplog.records)


def test_an_address_guessing_many_accounts_is_locked_out(staff):
    for n in range(5):
        attempt(f"nobody{n}", "guess", ip="192.0.2.77")
    response, client = attempt("editor", "pw", ip="192.0.2.77")
    assert response.status_code == 429 and not logged_in(client)
    response, client = attempt("editor", "pw", ip="192.0.2.78")
    assert response.status_code == 302 and logged_in(client)


def test_a_success_before_the_limit_starts_the_count_afresh(staff):
    for _ in range(4):
        attempt("editor", "wrong")
    assert attempt("editor", "pw")[0].status_code == 302
    for _ in range(4):
        attempt("editor", "wrong")
    assert attempt("editor", "pw")[0].status_code == 302


def test_the_documented_command_unlocks_an_account(staff):
    for _ in range(5):
        attempt("editor", "wrong", ip="192.0.2.1")
    assert attempt("editor", "pw", ip="192.0.2.2")[0].status_code == 429
    call_command("axes_reset_username", "editor")
    assert not AccessAttempt.objects.filter(username="editor").exists()
    response, client = attempt("editor", "pw", ip="192.0.2.2")
    assert response.status_code == 302 and logged_in(client)


def test_the_test_clients_login_works_given_a_request(staff, client):
    # Axes needs the request to count by address; Client.login passes credentials through.
    assert client.login(request=HttpRequest(), username="editor", password="pw")
    assert logged_in(client)
