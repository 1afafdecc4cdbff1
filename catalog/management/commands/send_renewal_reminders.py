from django.core.management.base import BaseCommand

from catalog import tasks


class Command(BaseCommand):
    help = (
        "Queue the renewal reminders to company admins (each step is sent once); "
        "run daily from cron. The worker (manage.py db_worker) sends them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--staff-report",
            action="store_true",
            help="Also queue the staff report of subscriptions expiring soon.",
        )

    def handle(self, *args, staff_report=False, **options):
        result = tasks.send_renewal_reminders.enqueue()
        self.stdout.write(f"Renewal reminders queued ({result.id}).")
        if staff_report:
            result = tasks.send_renewal_report.enqueue()
            self.stdout.write(f"Staff report queued ({result.id}).")
