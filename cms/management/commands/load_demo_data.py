from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cms import demo


class Command(BaseCommand):
    help = "Load realistic demo companies, people and content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-index", action="store_true", help="Skip rebuilding the search index."
        )

    def handle(self, *args, no_index=False, **options):
        if settings.SETTINGS_MODULE.endswith("production") or not (
            settings.DEBUG or settings.DEMO_DATA_ALLOWED
        ):
            raise CommandError(
                "Refusing to load demo data with production settings "
                f"({settings.SETTINGS_MODULE})."
            )
        with transaction.atomic():
            people = demo.load_people()
            for loader in demo.content_loaders():
                loader()
        if not no_index:
            call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in with:"))
        for user in people:
            who = "staff" if user.is_staff else f"{user.company} ({user.role})"
            self.stdout.write(f"  {user.email:<34} {settings.DEMO_PASSWORD}   {who}")
