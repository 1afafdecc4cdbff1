"""Background tasks (django-tasks): run by ``manage.py db_worker`` in production."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def send_renewal_reminders() -> dict:
    run = services.renewal_reminders_send()
    return {
        "emails": run.emails,
        "sent": [f"{sub_id}@J-{step}" for sub_id, step in run.sent],
        "skipped_no_admin": run.skipped_no_admin,
    }


@task()
def send_renewal_report() -> int:
    return services.renewal_report_send()
