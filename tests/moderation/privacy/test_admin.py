"""Site managers export and erase an author's data in the admin, for their own sites only."""

import json

import pytest

from moderation.models import Comment
from moderation.privacy.models import PrivacyRequest
from tests.moderation.factories import group_member
from tests.moderation.privacy.conftest import ANA

pytestmark = pytest.mark.django_db
EXPORT = "/admin/moderation/privacyrequest/export/"
ERASE = "/admin/moderation/privacyrequest/erase/"
LIST = "/admin/moderation/privacyrequest/"


@pytest.fixture
def manager(client, ours):
    user = group_member("Site managers", sites=[ours], username="manager")
    client.force_login(user)
    client.user = user
    return client


def test_a_site_manager_downloads_the_export_of_their_own_site(manager, ana, ours):
    assert manager.get(EXPORT).status_code == 200
    response = manager.post(EXPORT, {"email": ANA, "site": ours.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert (
        (response["Content-Disposition"])
        == 'attachment; filename="author-export-ours.example.com.json"'
    )
    data = json.loads(response.content)
    assert [c["id"] for c in data["comments"]] == [ana["top"].pk]  # not the other site's
    record = PrivacyRequest.objects.get()
    assert (record.kind, record.site, record.requested_by) == ("export", ours, manager.user)


def test_a_site_manager_cannot_name_another_site_or_every_site(manager, ana, theirs):
    for data in ({"email": ANA, "site": theirs.pk}, {"email": ANA}):
        response = manager.post(EXPORT, data)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors["site"]
    assert not PrivacyRequest.objects.exists()


def test_erasure_asks_for_confirmation_then_erases(manager, ana, ours):
    confirm = manager.post(ERASE, {"email": ANA, "site": ours.pk, "with_bodies": "on"})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Yes, erase it" in page and "1 comment " in page
    # The confirmation carries the choices on, as hidden fields.
    assert 'type="hidden" name="with_bodies" value="True"' in page
    assert f'type="hidden" name="site" value="{ours.pk}"' in page
    assert Comment.objects.get(pk=ana["top"].pk).author_email != ""  # nothing erased yet

    done = manager.post(
        ERASE, {"email": ANA, "site": ours.pk, "with_bodies": "True", "confirm": "yes"}
    )
    assert done.status_code == 302 and done["Location"] == LIST
    top = Comment.objects.get(pk=ana["top"].pk)
    assert (top.author_name, top.body, top.author_email) == ("[deleted]", "[deleted]", "")
    assert Comment.objects.get(pk=ana["elsewhere"].pk).author_email == ANA
    record = PrivacyRequest.objects.get()
    assert (record.kind, record.with_bodies, record.requested_by) == ("erase", True, manager.user)


def test_the_record_list_shows_their_sites_requests_and_never_an_address(
    manager, client, ana, ours, theirs
):
    from moderation.privacy.services import author_export

    author_export(email=ANA, site=ours)
    author_export(email=ANA, site=theirs)
    page = manager.get(LIST)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == list(PrivacyRequest.objects.filter(site=ours))
    html = page.content.decode()
    assert "Export an author" in html and "Erase an author" in html
    assert ANA not in html and "ana.private" not in html


def test_a_moderator_without_the_permissions_is_refused(client, moderator, ana, ours):
    client.force_login(moderator)
    assert client.get(EXPORT).status_code == 403
    assert client.post(ERASE, {"email": ANA, "site": ours.pk, "confirm": "yes"}).status_code == 403
    assert Comment.objects.get(pk=ana["top"].pk).author_email != ""


def test_a_superuser_may_export_every_site_at_once(client, admin_user, ana):
    client.force_login(admin_user)
    data = json.loads(client.post(EXPORT, {"email": ANA}).content)
    assert len(data["comments"]) == 2 and data["site"] is None
