"""Writes to the catalogue: the Autodesk import and the renewal reminders."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.models import Company, User
from cms.generation import content_changed

from . import autodesk_csv
from .autodesk_csv import ParsedRow, Problem
from .models import EXPIRING_SOON_DAYS, Product, RenewalReminder, Subscription

logger = logging.getLogger(__name__)

IMPORT_ACTION = "catalog.import"
# The fields an import sets (and compares, to tell an update from an unchanged row).
IMPORTED_FIELDS = (
    "product_id",
    "contract_number",
    "seats",
    "term",
    "start_date",
    "end_date",
    "autorenew_date",
    "is_cancelled",
    "reseller_name",
    "reseller_email",
    "team",
)
BATCH = 500


class RowAction:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


ACTION_LABELS = {
    RowAction.CREATED: "création",
    RowAction.UPDATED: "mise à jour",
    RowAction.UNCHANGED: "inchangé",
}


@dataclass
class RowOutcome:
    """What the import does (or would do) with one valid row."""

    line: int
    subscription_id: str
    action: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"ligne {self.line} : {self.subscription_id} — "
        text += ACTION_LABELS[self.action]
        if self.changes:
            text += (
                " ("
                + ", ".join(
                    f"{_field_label(name)} : {_shown(old)} → {_shown(new)}"
                    for name, old, new in self.changes
                )
                + ")"
            )
        return text


@dataclass
class ImportReport:
    """What an import did, or would do (dry run), and every problem of the file."""

    total_rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # advice, e.g. another encoding
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    dry_run: bool = False
    skip_invalid: bool = False
    applied: bool = False

    def _ids(self, action: str) -> list[str]:
        return [o.subscription_id for o in self.outcomes if o.action == action]

    @property
    def created(self) -> list[str]:
        return self._ids(RowAction.CREATED)

    @property
    def updated(self) -> list[str]:
        return self._ids(RowAction.UPDATED)

    @property
    def unchanged(self) -> list[str]:
        return self._ids(RowAction.UNCHANGED)

    @property
    def file_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.line is None]

    @property
    def invalid_rows(self) -> int:
        """Records refused (a record with three bad cells counts once)."""
        return len({p.line for p in self.problems if p.line is not None})

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def writable(self) -> bool:
        """Whether the valid rows can (or could, for a dry run) be written: nothing
        wrong, or only row problems and ``skip_invalid``."""
        return self.ok or (self.skip_invalid and not self.file_problems)


class _ProductIndex:
    """Autodesk offering -> product, loaded in one query."""

    def __init__(self):
        self.by_code: dict[str, Product] = {}
        self.by_name: dict[str, Product] = {}
        for product in Product.objects.all():
            if product.offering_code:
                self.by_code[product.offering_code.casefold()] = product
            for name in (product.offering_name, product.name):
                if name:
                    self.by_name.setdefault(name.casefold(), product)

    def find(self, row: ParsedRow) -> Product | None:
        if row.offering_code and row.offering_code.casefold() in self.by_code:
            return self.by_code[row.offering_code.casefold()]
        return self.by_name.get(row.offering_name.casefold())


def _existing(ids: list[str], *, lock: bool) -> dict[str, Subscription]:
    found: dict[str, Subscription] = {}
    queryset = (
        Subscription.objects.select_for_update() if lock else Subscription.objects
    )
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for sub in queryset.filter(autodesk_id__in=chunk):
            found[sub.autodesk_id] = sub
    return found


# Progress: called with (stage, rows done, rows of the stage), data rows only, in
# three stages: "check" (every row of the file), "compare" (the valid rows against
# the catalogue), "write" (the rows created or updated).
Progress = Callable[[str, int, int], None]
STAGES = {"check": "Vérification", "compare": "Comparaison", "write": "Écriture"}
PROGRESS_EVERY = 250


def _report_progress(progress: Progress | None, stage: str, done: int, total: int):
    if progress and (done % PROGRESS_EVERY == 0 or done == total):
        progress(stage, done, total)


def subscriptions_import_csv(
    *,
    company: Company,
    data: bytes,
    user: User | None = None,
    filename: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    encoding: str = "auto",
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert a company's subscriptions from an Autodesk Account export.

    Every problem of the file (columns, bytes, cells, unknown products, another
    company's subscriptions) is reported at once, never raised. If there is any,
    nothing is written, unless ``skip_invalid`` (then the valid rows are written and
    the others reported; a problem of the file as a whole still writes nothing). A
    ``dry_run`` writes nothing and says what would be created, updated and left
    unchanged. Reading, comparing and writing happen in one transaction, the
    existing rows locked: all or nothing.
    """
    report = ImportReport(dry_run=dry_run, skip_invalid=skip_invalid)
    if len(data) > autodesk_csv.MAX_FILE_BYTES:
        report.problems.append(
            Problem(
                None,
                f"Fichier trop volumineux : {len(data) / 1024 / 1024:.1f} Mo "
                f"({autodesk_csv.MAX_FILE_BYTES // 1024 // 1024} Mo au plus). "
                "Découpez-le.",
            )
        )
        return report
    decoded = autodesk_csv.decode(data, encoding)
    report.encoding = decoded.encoding
    table = autodesk_csv.read_table(decoded.text, decoded.bad_lines)
    report.ignored_columns = table.ignored_columns
    report.problems += table.problems
    if decoded.bad_lines:
        other = "cp1252" if decoded.encoding == "utf-8" else "utf-8"
        report.notes.append(
            f"{len(decoded.bad_lines)} ligne(s) illisible(s) en "
            f"{autodesk_csv.ENCODINGS[decoded.encoding]} : si le fichier est en "
            f"{autodesk_csv.ENCODINGS[other]}, choisissez cet encodage "
            f"(--encoding {other} ou « Encodage » dans le formulaire)."
        )

    records = []
    for record in table.records:
        if len(records) == autodesk_csv.MAX_ROWS:
            report.problems.append(
                Problem(
                    None,
                    f"Plus de {autodesk_csv.thousands(autodesk_csv.MAX_ROWS)} lignes "
                    "de données : découpez le fichier.",
                )
            )
            return report
        records.append(record)
    report.total_rows = len(records)

    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for done, record in enumerate(records, start=1):
        _report_progress(progress, "check", done, report.total_rows)
        row, problems = autodesk_csv.parse_row(record, table)
        if row is None:
            report.problems += problems
            continue
        if row.subscription_id in seen:
            report.problems.append(
                table.problem(
                    row.line,
                    "subscription_id",
                    f"{row.subscription_id} déjà présent ligne "
                    f"{seen[row.subscription_id]}",
                    row.subscription_id,
                )
            )
            continue
        seen[row.subscription_id] = row.line
        rows.append(row)

    try:
        with transaction.atomic():
            writes = _plan(
                rows,
                report,
                table,
                company=company,
                lock=not dry_run,
                progress=progress,
            )
            report.problems.sort(key=autodesk_csv.sort_key)
            if dry_run or not report.writable:
                return report
            _write(
                *writes,
                user=user,
                filename=filename,
                company=company,
                progress=progress,
            )
            report.applied = True
    except IntegrityError as exc:
        # Another import created one of these subscriptions meanwhile.
        raise ValidationError(
            "Un autre import a modifié ces abonnements pendant celui-ci : rien n'a "
            "été enregistré, relancez l'import."
        ) from exc
    return report


def _plan(
    rows: list[ParsedRow],
    report: ImportReport,
    table: autodesk_csv.Table,
    *,
    company: Company,
    lock: bool,
    progress: Progress | None = None,
) -> tuple[list[Subscription], list[tuple[Subscription, list[str]]]]:
    """Match products and existing subscriptions: what to create and update."""
    products = _ProductIndex()
    existing = _existing([row.subscription_id for row in rows], lock=lock)
    to_create: list[Subscription] = []
    to_update: list[tuple[Subscription, list[str]]] = []
    for done, row in enumerate(rows, start=1):
        _report_progress(progress, "compare", done, len(rows))
        product = products.find(row)
        current = existing.get(row.subscription_id)
        problems = []
        if product is None:
            column = "offering_code" if row.offering_code else "offering_name"
            offering = row.offering_code or row.offering_name
            problems.append(
                table.problem(
                    row.line,
                    column,
                    f"offre inconnue « {offering} » : créez d'abord le produit "
                    "(Catalogue → Produits)",
                    row.subscription_id,
                )
            )
        if current is not None and current.company_id != company.pk:
            problems.append(
                table.problem(
                    row.line,
                    "subscription_id",
                    f"l'abonnement {row.subscription_id} appartient à une autre "
                    "société",
                    row.subscription_id,
                )
            )
        if problems:
            report.problems += problems
            continue
        values = _values(row, product)
        if current is None:
            to_create.append(
                Subscription(company=company, autodesk_id=row.subscription_id, **values)
            )
            report.outcomes.append(
                RowOutcome(row.line, row.subscription_id, RowAction.CREATED)
            )
            continue
        changed = [f for f in IMPORTED_FIELDS if getattr(current, f) != values[f]]
        if not changed:
            report.outcomes.append(
                RowOutcome(row.line, row.subscription_id, RowAction.UNCHANGED)
            )
            continue
        changes = [(name, getattr(current, name), values[name]) for name in changed]
        for name in changed:
            setattr(current, name, values[name])
        to_update.append((current, changed))
        report.outcomes.append(
            RowOutcome(row.line, row.subscription_id, RowAction.UPDATED, changes)
        )
    return to_create, to_update


def _field_label(name: str) -> str:
    attname = name.removesuffix("_id")
    return str(Subscription._meta.get_field(attname).verbose_name)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _values(row: ParsedRow, product: Product) -> dict:
    return {
        "product_id": product.pk,
        "contract_number": row.contract_number,
        "seats": row.seats,
        "term": row.term,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "autorenew_date": row.autorenew_date,
        "is_cancelled": row.is_cancelled,
        "reseller_name": row.reseller_name,
        "reseller_email": row.reseller_email,
        "team": row.team,
    }


@transaction.atomic
def _write(
    to_create: list[Subscription],
    to_update: list[tuple[Subscription, list[str]]],
    *,
    user: User | None,
    filename: str,
    company: Company,
    progress: Progress | None = None,
) -> None:
    """Create and update in batches, each subscription with its history entry."""
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Subscription)
    products = {p.pk: p.name for p in Product.objects.only("pk", "name")}
    batch_uuid = uuid.uuid4()
    total, done = len(to_create) + len(to_update), 0

    def log(sub: Subscription, extra: dict) -> ModelLogEntry:
        # The audit trail: one entry per subscription written, shown in its history.
        return ModelLogEntry(
            content_type=content_type,
            object_id=str(sub.pk),
            label=f"{products[sub.product_id]} — {sub.autodesk_id}",
            action=IMPORT_ACTION,
            data={"file": filename, "company": company.customer_number, **extra},
            timestamp=now,
            uuid=batch_uuid,
            user=user,
            content_changed=True,
        )

    for start in range(0, len(to_create), BATCH):
        created = Subscription.objects.bulk_create(to_create[start : start + BATCH])
        for sub in created:
            sub.created_at = sub.updated_at = now
        ModelLogEntry.objects.bulk_create(
            [log(sub, {"created": True}) for sub in created]
        )
        done += len(created)
        _report_progress(progress, "write", done, total)
    for start in range(0, len(to_update), BATCH):
        chunk = to_update[start : start + BATCH]
        for sub, _changed in chunk:
            sub.updated_at = now
        Subscription.objects.bulk_update(
            [sub for sub, _ in chunk], [*IMPORTED_FIELDS, "updated_at"]
        )
        ModelLogEntry.objects.bulk_create(
            [log(sub, {"changed": changed}) for sub, changed in chunk]
        )
        done += len(chunk)
        _report_progress(progress, "write", done, total)
    content_changed()  # bulk writes send no signal: the API's kept answers go


# --- Renewal reminders ---------------------------------------------------------


def reminder_steps() -> list[int]:
    """Days before the end at which admins are reminded, largest first."""
    return sorted(set(settings.CATALOG_RENEWAL_REMINDER_DAYS), reverse=True)


def due_step(*, days_left: int, steps: list[int]) -> int | None:
    """The step a subscription with ``days_left`` is in: the smallest step at or
    above it. A late run sends that step only, never the ones already past."""
    candidates = [step for step in steps if days_left <= step]
    return min(candidates) if candidates else None


@dataclass
class ReminderRun:
    sent: list[tuple[str, int]] = field(default_factory=list)  # (autodesk id, step)
    skipped_no_admin: list[str] = field(default_factory=list)
    emails: int = 0


def renewal_reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    """E-mail each company's admins about subscriptions reaching a reminder step.

    One e-mail per company and run; each (subscription, end date, step) is recorded
    before its e-mail goes, in the same transaction, so it is sent at most once even
    with two workers, and a failed e-mail is retried on the next run.
    """
    today = today or timezone.localdate()
    steps = reminder_steps()
    run = ReminderRun()
    if not steps:
        return run
    horizon = today + datetime.timedelta(days=max(steps))
    candidates = (
        Subscription.objects.filter(is_cancelled=False)
        .filter(end_date__gte=today, end_date__lte=horizon)
        .select_related("product", "company")
        .order_by("company_id", "end_date")
    )
    sent_keys = set(
        RenewalReminder.objects.filter(
            subscription__in=candidates.values("pk")
        ).values_list("subscription_id", "end_date", "days_before")
    )
    by_company: dict[int, list[tuple[Subscription, int]]] = defaultdict(list)
    for sub in candidates:
        step = due_step(days_left=(sub.end_date - today).days, steps=steps)
        if step is not None and (sub.pk, sub.end_date, step) not in sent_keys:
            by_company[sub.company_id].append((sub, step))
    if not by_company:
        return run
    admins: dict[int, list[str]] = defaultdict(list)
    for company_id, email in User.objects.filter(
        company_id__in=by_company, role=User.Role.ADMIN, is_active=True
    ).values_list("company_id", "email"):
        admins[company_id].append(email)
    for company_id, items in by_company.items():
        recipients = admins.get(company_id)
        if not recipients:
            # Nobody to tell yet: no record, so an admin added later still hears.
            run.skipped_no_admin += [sub.autodesk_id for sub, _ in items]
            logger.warning("No admin to remind for company %s", company_id)
            continue
        try:
            with transaction.atomic():
                RenewalReminder.objects.bulk_create(
                    [
                        RenewalReminder(
                            subscription=sub,
                            end_date=sub.end_date,
                            days_before=step,
                            recipients=", ".join(recipients),
                        )
                        for sub, step in items
                    ]
                )
                _send_reminder(items, recipients=recipients, today=today)
        except IntegrityError:
            # Another worker recorded (and sent) these in the meantime.
            continue
        run.emails += 1
        run.sent += [(sub.autodesk_id, step) for sub, step in items]
    return run


def _send_reminder(
    items: list[tuple[Subscription, int]], *, recipients: list[str], today
) -> None:
    company = items[0][0].company
    context = {
        "company": company,
        "items": [
            {"subscription": sub, "days_left": (sub.end_date - today).days}
            for sub, _ in items
        ],
        "portal_url": settings.PORTAL_URL,
    }
    soonest = min((sub.end_date - today).days for sub, _ in items)
    send_mail(
        subject=f"Renouvellement de vos abonnements Autodesk (J-{soonest})",
        message=render_to_string("catalog/email/renewal_reminder.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


def renewal_report_send(*, today: datetime.date | None = None) -> int:
    """E-mail staff the subscriptions of every company expiring within 90 days;
    returns how many are listed."""
    today = today or timezone.localdate()
    subscriptions = list(
        Subscription.objects.filter(is_cancelled=False)
        .filter(
            end_date__gte=today,
            end_date__lte=today + datetime.timedelta(days=EXPIRING_SOON_DAYS),
        )
        .select_related("company", "product")
        .order_by("end_date", "company__name")
    )
    recipients = list(settings.CATALOG_RENEWAL_REPORT_RECIPIENTS) or list(
        User.objects.filter(is_staff=True, is_active=True, company__isnull=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        logger.warning("No recipient for the renewal report")
        return len(subscriptions)
    context = {
        "items": [
            {"subscription": sub, "days_left": (sub.end_date - today).days}
            for sub in subscriptions
        ],
        "today": today,
        "days": EXPIRING_SOON_DAYS,
        "admin_url": settings.WAGTAILADMIN_BASE_URL,
    }
    send_mail(
        subject=f"Abonnements expirant sous {EXPIRING_SOON_DAYS} jours : "
        f"{len(subscriptions)}",
        message=render_to_string("catalog/email/renewal_report.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    return len(subscriptions)
