import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Company, User
from catalog import services


class Command(BaseCommand):
    help = (
        "Import a company's subscriptions from an Autodesk Account CSV export "
        "(upsert by subscription id; nothing is written if a row is invalid)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV export (',' or ';').")
        parser.add_argument(
            "--company", required=True, help="Customer number, e.g. CLI-10421."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; write nothing."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and list the invalid ones.",
        )
        parser.add_argument(
            "--user", help="E-mail of the staff person recorded in the history."
        )

    def handle(self, *args, file, company, dry_run, skip_invalid, user, **options):
        try:
            target = Company.objects.get(customer_number=company)
        except Company.DoesNotExist:
            raise CommandError(f"Unknown customer number {company!r}.") from None
        actor = None
        if user:
            actor = User.objects.filter(email__iexact=user, is_staff=True).first()
            if actor is None:
                raise CommandError(f"No staff person {user!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            report = services.subscriptions_import_csv(
                company=target,
                data=data,
                user=actor,
                filename=file.name,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=self._progress(data),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        for error in report.errors:
            self.stderr.write(f"  {error}")
        if report.ignored_columns:
            self.stdout.write("Ignored columns: " + ", ".join(report.ignored_columns))
        summary = (
            f"{target} ({target.customer_number}): {report.total_rows} rows, "
            f"{len(report.created)} new, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.errors)} invalid"
        )
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported. {summary}."))
        elif dry_run:
            self.stdout.write(f"Dry run, nothing written. {summary}.")
        else:
            raise CommandError(
                f"Nothing imported: {len(report.errors)} invalid row(s) "
                "(fix them, or use --skip-invalid). " + summary
            )

    def _progress(self, data: bytes):
        """A progress line on large files, on a terminal only."""
        expected = data.count(b"\n")
        if expected < 5000 or not sys.stderr.isatty():
            return None

        def show(done: int) -> None:
            width = 30
            filled = min(width, width * done // max(expected, 1))
            self.stderr.write(
                f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{expected} rows",
                ending="",
            )
            if done >= expected:
                self.stderr.write("")

        return show
