"""Give comments stored before IP bans existed the address and network hashes bans match."""

from django.db import migrations

from moderation.authors.hashing import comment_ip_hashes

BATCH = 1000


def backfill(apps, schema_editor):
    Comment = apps.get_model("moderation", "Comment")
    todo = Comment.objects.filter(ip_hash="", ip_address__isnull=False).order_by("pk")
    last_pk = 0
    while batch := list(todo.filter(pk__gt=last_pk)[:BATCH]):
        for comment in batch:
            comment.ip_hash, comment.ip_network_hash = comment_ip_hashes(comment.ip_address)
        Comment.objects.bulk_update(batch, ["ip_hash", "ip_network_hash"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("moderation", "0005_authors_trust_bans_and_site_memberships")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
