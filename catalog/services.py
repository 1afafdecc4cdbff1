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

from . import autodesk_csv
from .autodesk_csv import ParsedRow, RowError
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


@dataclass
class ImportReport:
    """What an import did, or would do (dry run), and the rows it refused."""

    total_rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


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


def _existing(ids: list[str]) -> dict[str, Subscription]:
    found: dict[str, Subscription] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for sub in Subscription.objects.filter(autodesk_id__in=chunk):
            found[sub.autodesk_id] = sub
    return found


def subscriptions_import_csv(
    *,
    company: Company,
    data: bytes,
    user: User | None = None,
    filename: str = "",
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert a company's subscriptions from an Autodesk Account export.

    Every row is validated first. If any row is invalid nothing is written, unless
    ``skip_invalid`` (then the valid rows are written and the others reported). A
    ``dry_run`` writes nothing and reports what would change. Raises
    ``ValidationError`` if the file as a whole is unreadable. ``progress`` is called
    with the number of rows read so far.
    """
    try:
        table = autodesk_csv.read_table(autodesk_csv.decode(data))
    except autodesk_csv.FileError as exc:
        raise ValidationError(str(exc)) from exc
    report = ImportReport(dry_run=dry_run, ignored_columns=table.ignored_columns)

    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for line, cells in table.records:
        report.total_rows += 1
        if progress and report.total_rows % 1000 == 0:
            progress(report.total_rows)
        try:
            row = autodesk_csv.parse_row(line, cells, table.columns)
        except ValidationError as exc:
            sub_id = _cell(cells, table.columns.get("subscription_id"))
            report.errors.append(RowError(line, exc.messages, sub_id))
            continue
        if row.subscription_id in seen:
            report.errors.append(
                RowError(
                    line,
                    [f"subscription_id déjà présent ligne {seen[row.subscription_id]}"],
                    row.subscription_id,
                )
            )
            continue
        seen[row.subscription_id] = line
        rows.append(row)
    if progress:
        progress(report.total_rows)

    products = _ProductIndex()
    existing = _existing([row.subscription_id for row in rows])
    to_create: list[Subscription] = []
    to_update: list[tuple[Subscription, list[str]]] = []
    for row in rows:
        problems = []
        product = products.find(row)
        if product is None:
            offering = row.offering_code or row.offering_name
            problems.append(f"offre inconnue « {offering} » : créez le produit")
        current = existing.get(row.subscription_id)
        if current is not None and current.company_id != company.pk:
            problems.append(
                f"l'abonnement {row.subscription_id} appartient à une autre société"
            )
        if problems:
            report.errors.append(RowError(row.line, problems, row.subscription_id))
            continue
        values = _values(row, product)
        if current is None:
            to_create.append(
                Subscription(company=company, autodesk_id=row.subscription_id, **values)
            )
            report.created.append(row.subscription_id)
            continue
        changed = [f for f in IMPORTED_FIELDS if getattr(current, f) != values[f]]
        if changed:
            for name in changed:
                setattr(current, name, values[name])
            to_update.append((current, changed))
            report.updated.append(row.subscription_id)
        else:
            report.unchanged.append(row.subscription_id)

    report.errors.sort(key=lambda e: e.line)
    if dry_run or (report.errors and not skip_invalid):
        return report
    _write(to_create, to_update, user=user, filename=filename, company=company)
    report.applied = True
    return report


def _cell(cells: list[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return cells[position].strip()


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
) -> None:
    now = timezone.now()
    created = Subscription.objects.bulk_create(to_create, batch_size=BATCH)
    for sub in created:
        sub.created_at = sub.updated_at = now
    if to_update:
        for sub, _changed in to_update:
            sub.updated_at = now
        Subscription.objects.bulk_update(
            [sub for sub, _ in to_update],
            [*IMPORTED_FIELDS, "updated_at"],
            batch_size=BATCH,
        )
    # The audit trail: one entry per subscription written, shown in its history.
    content_type = ContentType.objects.get_for_model(Subscription)
    products = {p.pk: p.name for p in Product.objects.only("pk", "name")}
    batch = uuid.uuid4()
    entries = [
        ModelLogEntry(
            content_type=content_type,
            object_id=str(sub.pk),
            label=f"{products[sub.product_id]} — {sub.autodesk_id}",
            action=IMPORT_ACTION,
            data={"file": filename, "company": company.customer_number, **extra},
            timestamp=now,
            uuid=batch,
            user=user,
            content_changed=True,
        )
        for sub, extra in [(s, {"created": True}) for s in created]
        + [(s, {"changed": changed}) for s, changed in to_update]
    ]
    ModelLogEntry.objects.bulk_create(entries, batch_size=BATCH)


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
