"""Signal receivers, connected in :meth:`downloads.apps.DownloadsConfig.ready`."""

from __future__ import annotations

from django.db import transaction

from . import services, tasks


def download_page_published(sender, instance, **kwargs) -> None:
    """``page_published`` of a download page: the "latest" flag moves to it, and the
    notification e-mails are queued once the publication is committed (the task
    skips people already told, so a re-publish sends nothing)."""
    services.download_page_latest_set(page=instance)
    page_id = instance.pk
    transaction.on_commit(lambda: tasks.notify_download_published.enqueue(page_id))
