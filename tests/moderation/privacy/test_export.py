"""author_export: everything stored about an author as JSON, recorded as a privacy request."""

import json

import pytest
from django.core.management import CommandError, call_command

from moderation.authors.hashing import email_hash
from moderation.authors.services import author_ban, author_trust
from moderation.privacy.models import PrivacyRequest
from tests.moderation.privacy.conftest import ANA

pytestmark = pytest.mark.django_db


def export(capsys, *args):
    call_command("author_export", *args)
    return json.loads(capsys.readouterr().out)


def test_it_exports_comments_subscriptions_trust_bans_and_events(capsys, ana, ours, moderator):
    author_trust(email=ANA, moderator=moderator, site=ours, note="Regular reader")
    author_ban(kind="ip", value="198.51.100.23", moderator=moderator, site=None)
    data = export(capsys, "ANA.private@example.org")

    assert data["email"] == ANA
    by_id = {c["id"]: c for c in data["comments"]}
    assert set(by_id) == {ana["top"].pk, ana["elsewhere"].pk}  # not Bob's reply
    top = by_id[ana["top"].pk]
    assert (top["author_name"], top["ip_address"], top["user_agent"]) == (
        "Ana Private",
        "198.51.100.23",
        "AnaBrowser/1.0",
    )
    assert top["site"] == "ours.example.com" and top["body"].startswith("Ana's own words")
    [subscription] = data["subscriptions"]
    assert subscription["comments"] == [ana["top"].pk]
    assert [t["note"] for t in data["trusts"]] == ["Regular reader"]
    assert [b["kind"] for b in data["bans"]] == ["ip"]  # found through the comments' hashes
    assert [(e["comment"], e["to_status"]) for e in data["events"]] == [(ana["top"].pk, "approved")]
    assert [a["action"] for a in data["author_actions"]] == ["trust", "ban"]


def test_site_limits_the_export_and_each_export_is_recorded_without_the_address(capsys, ana, ours):
    data = export(capsys, ANA, "--site", "ours.example.com")
    assert [c["id"] for c in data["comments"]] == [ana["top"].pk]
    record = PrivacyRequest.objects.get()
    assert (record.kind, record.site, record.requested_by) == ("export", ours, None)
    assert record.email_hash == email_hash(ANA) and ANA not in json.dumps(record.counts)
    assert record.counts["comments"] == 1


def test_an_unknown_site_or_a_non_address_is_refused(ana):
    with pytest.raises(CommandError, match="No site"):
        call_command("author_export", ANA, "--site", "nowhere.example")
    with pytest.raises(CommandError, match="Not an email"):
        call_command("author_export", "ana")
    assert not PrivacyRequest.objects.exists()


def test_out_writes_a_file(tmp_path, ana):
    out = tmp_path / "ana.json"
    call_command("author_export", ANA, "--out", str(out))
    assert len(json.loads(out.read_text())["comments"]) == 2
