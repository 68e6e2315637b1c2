from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from moderation.keys.services import api_key_authenticate
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_it_prints_a_working_key_alone_on_the_last_line():
    site = SiteFactory(domain="paper.example.com")
    out = StringIO()
    call_command("create_api_key", "--site", "paper.example.com", "--name", "CMS", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert api_key_authenticate(secret=secret).site == site


def test_an_unknown_site_is_a_clear_error():
    SiteFactory(domain="paper.example.com")
    with pytest.raises(CommandError, match=r"No site with domain 'nope\.example\.com'"):
        call_command("create_api_key", "--site", "nope.example.com", "--name", "CMS")
