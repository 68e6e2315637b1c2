"""Thin Celery tasks of the privacy capability."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from moderation.privacy.services import comments_network_data_expire


@shared_task
def erase_expired_comment_addresses() -> int:
    """Run by beat: erase comments' IP addresses and user agents past their retention."""
    return comments_network_data_expire(retention_days=settings.COMMENT_IP_RETENTION_DAYS)
