"""``manage.py import_autodesk_subscriptions``: one company's Autodesk Account export.

Exit status: 0 when every row was imported (or, with ``--dry-run``, would be);
1 when nothing was written (a problem in the file, or a dry run that found one);
3 when ``--skip-invalid`` wrote the valid rows but refused others. A demanding
operator's script can then tell "all in" (0) from "not all in" (anything else).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts.models import Company, User
from catalog import autodesk_csv, services

PARTIAL_IMPORT_STATUS = 3


class Command(BaseCommand):
    help = (
        "Importe les abonnements d'une société depuis un export CSV d'Autodesk "
        "Account (mise à jour par n° d'abonnement ; rien n'est écrit si une ligne "
        "est invalide). Statut de sortie : 0 tout importé, 1 rien d'écrit, "
        "3 import partiel (--skip-invalid)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Export CSV (« , » ou « ; »).")
        parser.add_argument(
            "--company", required=True, help="N° client, par exemple CLI-10421."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifie et dit ce qui changerait, sans rien écrire.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Importe les lignes valides et liste les autres (statut 3).",
        )
        parser.add_argument(
            "--encoding",
            choices=list(autodesk_csv.ENCODINGS),
            default="auto",
            help="Encodage du fichier (défaut : UTF-8, sinon Windows-1252).",
        )
        parser.add_argument(
            "--details",
            action="store_true",
            help="Une ligne par abonnement créé, mis à jour ou inchangé (= -v 2).",
        )
        parser.add_argument(
            "--user", help="E-mail de la personne du support inscrite à l'historique."
        )

    def handle(
        self,
        *args,
        file,
        company,
        dry_run,
        skip_invalid,
        encoding,
        details,
        user,
        **options,
    ):
        try:
            target = Company.objects.get(customer_number=company)
        except Company.DoesNotExist:
            raise CommandError(f"N° client inconnu : {company!r}.") from None
        actor = None
        if user:
            actor = User.objects.filter(email__iexact=user, is_staff=True).first()
            if actor is None:
                raise CommandError(f"Pas de personne du support {user!r}.")
        try:
            size = file.stat().st_size
            if size > autodesk_csv.MAX_FILE_BYTES:
                raise CommandError(
                    f"{file} : fichier trop volumineux ({size / 1024 / 1024:.1f} Mo, "
                    f"{autodesk_csv.MAX_FILE_BYTES // 1024 // 1024} Mo au plus). "
                    "Découpez-le."
                )
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Impossible de lire {file} : {exc.strerror}") from exc

        bar, bar_stage = None, ""

        def progress(stage: str, done: int, total: int) -> None:
            """One bar per stage (check, compare, write), each from 0 to N/N."""
            nonlocal bar, bar_stage
            if stage != bar_stage:
                if bar is not None:
                    bar.close()
                # The real stream: Django's self.stderr would paint the bar red.
                bar, bar_stage = (
                    tqdm(
                        total=total,
                        unit=" lignes",
                        desc=f"{services.STAGES[stage]:<12}",
                        file=self.stderr._out,
                        dynamic_ncols=True,
                    ),
                    stage,
                )
            bar.update(done - bar.n)

        try:
            report = services.subscriptions_import_csv(
                company=target,
                data=data,
                user=actor,
                filename=file.name,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                encoding=encoding,
                progress=progress if self.stderr.isatty() else None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            if bar is not None:
                bar.close()  # its last line stays, the summary starts a new one

        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if details or options["verbosity"] >= 2:
            for outcome in report.outcomes:
                self.stdout.write(f"  {outcome}")
        if report.ignored_columns:
            self.stdout.write(
                "Colonnes ignorées : " + ", ".join(report.ignored_columns)
            )
        self._conclude(report, target, file.name)

    def _conclude(self, report: services.ImportReport, target: Company, name: str):
        would = report.dry_run
        summary = (
            f"{target} ({target.customer_number}), {name} : "
            f"{report.total_rows} ligne(s) lue(s) ; "
            f"{len(report.created)} {'à créer' if would else 'créé(s)'}, "
            f"{len(report.updated)} {'à mettre à jour' if would else 'mis à jour'}, "
            f"{len(report.unchanged)} inchangé(s), "
            f"{report.invalid_rows} ligne(s) refusée(s), "
            f"{len(report.problems)} problème(s)."
        )
        if report.ok:
            if would:
                self.stdout.write(f"Simulation, rien n'a été écrit. {summary}")
            else:
                self.stdout.write(self.style.SUCCESS(f"Import effectué. {summary}"))
            return
        if report.applied:
            self.stdout.write(summary)
            raise CommandError(
                "Import partiel : les lignes valides sont enregistrées, les lignes "
                "ci-dessus ne le sont pas.",
                returncode=PARTIAL_IMPORT_STATUS,
            )
        if would:
            consequence = (
                "seules les lignes valides le seraient (--skip-invalid)"
                if report.writable
                else "rien ne serait importé"
            )
            raise CommandError(
                f"Simulation : le fichier a des problèmes, {consequence}. {summary}"
            )
        hint = "" if report.file_problems else " (corrigez-les, ou --skip-invalid)"
        raise CommandError(
            f"Rien n'a été importé : problèmes ci-dessus{hint}. {summary}"
        )
