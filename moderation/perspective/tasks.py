"""Thin Celery tasks of the Perspective-compatible API."""

from __future__ import annotations

from celery import shared_task

from moderation.perspective.services import analyzed_texts_purge


@shared_task
def purge_analyzed_texts() -> int:
    """Run by beat: drop kept texts past their site's retention. Safe to run twice."""
    return analyzed_texts_purge()
