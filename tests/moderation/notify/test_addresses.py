import re
import socket

import pytest

from moderation.errors import ApplicationError
from moderation.notify import addresses
from moderation.notify import services as notify
from moderation.notify.addresses import UnsafeUrlError, webhook_target
from moderation.notify.models import WebhookMessage

PUBLIC = "93.184.215.14"


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Make chosen names resolve to chosen addresses, as a hostile DNS server could."""
    records: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in records:
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in records[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(addresses.socket, "getaddrinfo", getaddrinfo)
    return records


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://10.0.0.5/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://172.16.0.1/hook", "private"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://127.8.9.10:8443/hook", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[::1]/hook", "loopback"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[fd00::1]/hook", "private"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://0.0.0.0/hook", "reserved"),
        ("https://100.64.0.1/hook", "not public"),
        ("https://localhost/hook", "loopback"),
    ],
)
def test_it_refuses_urls_that_reach_non_public_addresses(url, reason):
    with pytest.raises(UnsafeUrlError, match=reason):
        webhook_target(url, allow_loopback=False)


def test_it_refuses_a_hostname_that_resolves_to_loopback(dns):
    dns["hooks.attacker.example"] = ["127.0.0.1"]
    with pytest.raises(
        UnsafeUrlError, match=re.escape("resolves to 127.0.0.1, a loopback address")
    ):
        webhook_target("https://hooks.attacker.example/x", allow_loopback=False)


def test_one_private_address_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.example"] = [PUBLIC, "10.1.2.3"]
    with pytest.raises(UnsafeUrlError, match=re.escape("10.1.2.3")):
        webhook_target("https://mixed.example/x", allow_loopback=False)


def test_it_accepts_https_to_a_public_host_and_connects_to_the_checked_address(dns):
    dns["hooks.publisher.example"] = [PUBLIC]
    target = webhook_target("https://hooks.publisher.example:8443/in?x=1", allow_loopback=False)
    assert (target.scheme, target.host, target.port) == ("https", "hooks.publisher.example", 8443)
    assert (target.path, target.address) == ("/in?x=1", PUBLIC)


@pytest.mark.parametrize(
    "url",
    ["http://hooks.publisher.example/x", "ftp://hooks.publisher.example/x", "file:///etc/passwd"],
)
def test_it_refuses_anything_but_https_for_public_hosts(dns, url):
    dns["hooks.publisher.example"] = [PUBLIC]
    with pytest.raises(UnsafeUrlError, match="https"):
        webhook_target(url, allow_loopback=False)


def test_it_refuses_credentials_in_the_url(dns):
    dns["hooks.publisher.example"] = [PUBLIC]
    with pytest.raises(UnsafeUrlError, match="password"):
        webhook_target("https://user:pw@hooks.publisher.example/x", allow_loopback=False)


def test_the_development_setting_allows_loopback_over_http_and_nothing_else():
    assert webhook_target("http://127.0.0.1:8001/h", allow_loopback=True).address == "127.0.0.1"
    assert webhook_target("http://[::1]:8001/h", allow_loopback=True).address == "::1"
    for url in ("https://10.0.0.5/h", "https://169.254.169.254/", "http://10.0.0.5/h"):
        with pytest.raises(UnsafeUrlError):
            webhook_target(url, allow_loopback=True)


def test_a_name_that_does_not_resolve_is_refused(dns):
    dns["nowhere.example"] = []
    with pytest.raises(UnsafeUrlError, match="does not resolve"):
        webhook_target("https://nowhere.example/x", allow_loopback=False)


@pytest.mark.django_db
def test_registration_refuses_a_private_url_naming_the_field(article, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(ApplicationError) as error:
        notify.webhook_endpoint_create(
            site=article.site, url="http://127.0.0.1:8000/h", events=["comment.created"]
        )
    assert "url" in error.value.fields
    assert not article.site.webhook_endpoints.exists()


@pytest.mark.django_db
def test_registration_refuses_unknown_events(article, dns):
    dns["hooks.publisher.example"] = [PUBLIC]
    with pytest.raises(ApplicationError) as error:
        notify.webhook_endpoint_create(
            site=article.site, url="https://hooks.publisher.example/h", events=["comment.deleted"]
        )
    assert "events" in error.value.fields


@pytest.mark.django_db
def test_delivery_checks_dns_again_and_refuses_a_name_now_pointing_inside(
    article, dns, monkeypatch
):
    """DNS rebinding: public at registration, the cloud metadata address at delivery."""
    from moderation import services
    from moderation.notify import webhooks

    dns["hooks.publisher.example"] = [PUBLIC]
    endpoint = notify.webhook_endpoint_create(
        site=article.site, url="https://hooks.publisher.example/h", events=["comment.created"]
    )
    comment, _ = services.comment_submit(
        article_id=article.pk, author_name="Ana", author_email="a@example.org", body="Hello."
    )
    (message,) = notify.webhook_messages_create(
        comment=comment, event="comment.created", status="pending"
    )
    posted = []
    monkeypatch.setattr(webhooks, "post", lambda **kwargs: posted.append(kwargs))
    dns["hooks.publisher.example"] = ["169.254.169.254"]

    delivery = notify.webhook_message_deliver(message_id=message.pk)

    assert posted == []
    assert delivery.status_code is None
    assert delivery.error.startswith("Refused:") and "link-local" in delivery.error
    assert WebhookMessage.objects.get(pk=message.pk).delivered_at is None
    assert endpoint.is_active
