"""Background tasks (django-tasks): run by ``manage.py db_worker`` in production."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def notify_download_published(page_id: int) -> int:
    """E-mail the people entitled to a newly published download page (once each)."""
    return services.download_notifications_send(page_id=page_id)
