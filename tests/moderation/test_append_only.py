"""The event, author-action and privacy-request logs are append-only: in the ORM and in PostgreSQL.

The ORM refuses on every database. The trigger (migration …_privacy) is PostgreSQL's own
refusal of whatever bypasses the ORM (raw SQL, another client); those tests run only where the
database is PostgreSQL, which CI covers: it runs the whole suite twice, once on SQLite and once
on PostgreSQL, so a skip here on SQLite is the other run's job, not a gap.
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from moderation import services
from moderation.append_only import erase_personal_data
from moderation.authors.models import AuthorAction
from moderation.authors.services import author_trust
from moderation.models import Comment, ModerationEvent
from moderation.privacy.models import PrivacyRequest
from tests.moderation.factories import CommentFactory, ModeratorFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger is PostgreSQL's; CI's PostgreSQL run covers it",
)


@pytest.fixture
def event(moderator):
    comment = CommentFactory(status=Comment.Status.HELD)
    services.comment_approve(comment_id=comment.pk, moderator=moderator, reason="Fine by ana@x.org")
    return ModerationEvent.objects.get(comment=comment)


def sql(statement: str, *params):
    """Run raw SQL in a savepoint, as something that bypasses the ORM would."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_orm_refuses_changes_except_erasing_the_erasable_fields(event):
    with pytest.raises(ValueError, match="append-only"):
        ModerationEvent.objects.filter(pk=event.pk).update(to_status="rejected")
    with pytest.raises(ValueError, match="append-only"):
        erase_personal_data(ModerationEvent.objects.filter(pk=event.pk), to_status="rejected")
    assert erase_personal_data(ModerationEvent.objects.filter(pk=event.pk), reason="Fine") == 1
    assert ModerationEvent.objects.get(pk=event.pk).reason == "Fine"


def test_the_erasable_fields_are_what_the_trigger_allows():
    from tests.moderation.test_migrations import migration_named

    migration = migration_named("_privacy")
    tables = migration.APPEND_ONLY_TABLES
    assert tables["moderation_moderationevent"][1:] == ModerationEvent.ERASABLE_FIELDS
    assert tables["moderation_authoraction"][1:] == AuthorAction.ERASABLE_FIELDS
    assert tables["moderation_privacyrequest"][1:] == PrivacyRequest.ERASABLE_FIELDS


@on_postgresql
def test_postgresql_refuses_deleting_an_event_or_an_author_action(event, moderator):
    trust = author_trust(email="ana@example.org", moderator=moderator)
    with pytest.raises(IntegrityError, match="append-only"):
        sql("DELETE FROM moderation_moderationevent WHERE id = %s", event.pk)
    with pytest.raises(IntegrityError, match="append-only"):
        sql("DELETE FROM moderation_authoraction WHERE trust_id = %s", trust.pk)
    assert ModerationEvent.objects.filter(pk=event.pk).exists()
    assert AuthorAction.objects.filter(trust=trust).exists()


@on_postgresql
@pytest.mark.parametrize(
    "assignment",
    [
        "to_status = 'rejected'",
        "label = 'spam'",
        "details = '{\"ban_id\": 1}'::jsonb",
        "created_at = now()",
    ],
)
def test_postgresql_refuses_updating_an_event_beyond_its_reason(event, assignment):
    with pytest.raises(IntegrityError, match="only reason may be changed"):
        sql(f"UPDATE moderation_moderationevent SET {assignment} WHERE id = %s", event.pk)  # noqa: S608 - fixed test strings
    with pytest.raises(IntegrityError, match="append-only"):
        sql(
            f"UPDATE moderation_moderationevent SET reason = 'x', {assignment} WHERE id = %s",  # noqa: S608
            event.pk,
        )
    assert ModerationEvent.objects.get(pk=event.pk).to_status == "approved"


@on_postgresql
def test_postgresql_lets_erasure_change_the_reason_and_note_only(event, moderator):
    trust = author_trust(email="ana@example.org", moderator=moderator, note="ana@example.org")
    sql("UPDATE moderation_moderationevent SET reason = '[deleted]' WHERE id = %s", event.pk)
    sql("UPDATE moderation_authoraction SET note = '[deleted]' WHERE trust_id = %s", trust.pk)
    assert ModerationEvent.objects.get(pk=event.pk).reason == "[deleted]"
    assert AuthorAction.objects.get(trust=trust).note == "[deleted]"
    with pytest.raises(IntegrityError, match="append-only"):
        sql("UPDATE moderation_authoraction SET action = 'ban' WHERE trust_id = %s", trust.pk)


@on_postgresql
def test_postgresql_lets_a_deleted_moderator_become_null_but_not_another_moderator(event):
    someone_else = ModeratorFactory()
    with pytest.raises(IntegrityError, match="append-only"):
        sql(
            "UPDATE moderation_moderationevent SET moderator_id = %s WHERE id = %s",
            someone_else.pk,
            event.pk,
        )
    event.moderator.delete()  # ON DELETE SET NULL: the decision stays, the account goes
    assert ModerationEvent.objects.get(pk=event.pk).moderator is None


@on_postgresql
def test_postgresql_refuses_deleting_a_privacy_request(db):
    from moderation.privacy.services import author_export

    author_export(email="ana@example.org")
    with pytest.raises(IntegrityError, match="append-only"):
        sql("DELETE FROM moderation_privacyrequest")
    assert PrivacyRequest.objects.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_logs_because_truncate_fires_no_row_trigger(moderator):
    """pytest-django empties the database after a transactional test with `flush`, which is
    TRUNCATE on PostgreSQL: the row triggers do not fire for it, so the logs empty like the rest."""
    comment = CommentFactory(status=Comment.Status.HELD)
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    author_trust(email="ana@example.org", moderator=moderator)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal",
            ["moderation_%_append_only"],
        )
        assert cursor.fetchone()[0] == 3
    call_command("flush", interactive=False, verbosity=0)
    assert not ModerationEvent.objects.exists() and not AuthorAction.objects.exists()
