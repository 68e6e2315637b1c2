from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.errors import AuthenticationError, NotFoundError
from moderation.keys.models import ApiKey
from moderation.keys.services import api_key_authenticate, api_key_create, api_key_revoke
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_hash_of_a_new_key():
    api_key, secret = api_key_create(site=SiteFactory(), name="CMS sync")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert secret.startswith("sk_") and len(secret) > 40
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == ApiKey.hash_secret(secret)
    assert secret.startswith(stored.prefix)


def test_each_site_can_have_several_named_keys():
    site = SiteFactory()
    _, first = api_key_create(site=site, name="CMS")
    _, second = api_key_create(site=site, name="Perspective client")
    assert first != second
    assert sorted(site.api_keys.values_list("name", flat=True)) == ["CMS", "Perspective client"]


def test_it_authenticates_a_key_and_records_when_it_was_used():
    api_key, secret = api_key_create(site=SiteFactory(), name="CMS")
    found = api_key_authenticate(secret=secret)
    assert found.pk == api_key.pk
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


def test_it_refreshes_last_used_at_most_once_a_minute():
    api_key, secret = api_key_create(site=SiteFactory(), name="CMS")
    long_ago = timezone.now() - timedelta(hours=1)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=long_ago)
    api_key_authenticate(secret=secret)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert first > long_ago
    api_key_authenticate(secret=secret)
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first


@pytest.mark.parametrize(
    "secret, message",
    [(None, "required"), ("", "required"), ("sk_not-a-real-key", "not valid")],
)
def test_it_refuses_a_missing_or_unknown_key(secret, message):
    api_key_create(site=SiteFactory(), name="CMS")
    with pytest.raises(AuthenticationError, match=message) as error:
        api_key_authenticate(secret=secret)
    assert error.value.status_code == 401
    assert "key" in error.value.fields


def test_a_revoked_key_no_longer_authenticates():
    api_key, secret = api_key_create(site=SiteFactory(), name="CMS")
    api_key_revoke(api_key_id=api_key.pk)
    with pytest.raises(AuthenticationError, match="revoked"):
        api_key_authenticate(secret=secret)


def test_revoking_twice_keeps_the_first_time():
    api_key, _ = api_key_create(site=SiteFactory(), name="CMS")
    first = api_key_revoke(api_key_id=api_key.pk).revoked_at
    assert api_key_revoke(api_key_id=api_key.pk).revoked_at == first


def test_revoking_an_unknown_key_is_not_found():
    with pytest.raises(NotFoundError):
        api_key_revoke(api_key_id=424242)


def test_every_site_gets_its_own_public_key():
    first, second = SiteFactory(), SiteFactory()
    assert first.public_key.startswith("pk_")
    assert first.public_key != second.public_key
