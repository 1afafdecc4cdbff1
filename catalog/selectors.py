"""Reads of the catalogue on behalf of a caller: company scoping happens here, once.

Every read of client data starts from a function here that takes the caller (or a
company already resolved for that caller) and returns only what they may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from accounts.models import Company
from cms.access import Caller, per_request
from cms.api.errors import ApiError, object_id

from . import sla
from .models import (
    Licence,
    Product,
    ProductRelease,
    Subscription,
    SubscriptionStatus,
    SupportContract,
)


def company_of(caller: Caller) -> Company | None:
    """The caller's own company: a client's (active, or the caller would read as
    anonymous); None for everyone else."""
    if not caller.is_client:
        return None
    return Company.objects.filter(pk=caller.company_id, is_active=True).first()


def company_for_staff(*, caller: Caller, company_id) -> Company | None:
    """Any company, for staff; None for everyone else (as for an unknown id)."""
    if not caller.is_staff:
        return None
    pk = object_id(company_id)
    return None if pk is None else Company.objects.filter(pk=pk).first()


# --- Subscriptions and licences --------------------------------------------------


def licences_for(
    *,
    caller: Caller,
    company_id: int,
    product: str | None = None,
    with_collections: bool = False,
) -> QuerySet[Licence]:
    """A company's licences as the caller may see them; each carries
    ``secrets_visible`` (:meth:`Caller.sees_secrets_of`). ``product`` is a product
    code; ``with_collections``: also the licences of collections including it."""
    if not caller.sees_company(company_id):
        return Licence.objects.none()
    qs = (
        Licence.objects.filter(company_id=company_id)
        .select_related("product")
        .annotate(secrets_visible=Value(caller.sees_secrets_of(company_id)))
    )
    if product and with_collections:
        qs = qs.filter(
            Q(product__code=product)
            | Q(product__in=Product.objects.filter(includes__code=product))
        )
    elif product:
        qs = qs.filter(product__code=product)
    return qs


def subscriptions_for(
    *,
    caller: Caller,
    company_id: int,
    status: str | None = None,
    product: str | None = None,
    today: datetime.date | None = None,
) -> list[Subscription]:
    """A company's subscriptions, each with its product (``included_products``: what
    a collection includes) and the licences the caller may see
    (``visible_licences``, see :func:`licences_for`).

    Three queries whatever their count (subscriptions, licences, products with their
    inclusions), and one instance per product, shared by the subscriptions and
    licences that refer to it.

    ``product`` is a product code; it also matches a collection including it.
    """
    qs = _subscriptions_filtered(
        caller=caller,
        company_id=company_id,
        status=status,
        product=product,
        today=today,
    )
    return _subscriptions_loaded(caller=caller, company_id=company_id, qs=qs)


def subscription_page_for(
    *,
    caller: Caller,
    company_id: int,
    offset: int,
    limit: int,
    status: str | None = None,
    product: str | None = None,
) -> tuple[list[Subscription], int]:
    """One page of :func:`subscriptions_for` (by end date), and the total."""
    qs = _subscriptions_filtered(
        caller=caller, company_id=company_id, status=status, product=product
    ).order_by("end_date", "autodesk_id", "pk")
    rows = _subscriptions_loaded(
        caller=caller, company_id=company_id, qs=qs[offset : offset + limit]
    )
    return rows, (len(rows) + offset if len(rows) < limit and rows else qs.count())


def _subscriptions_filtered(
    *,
    caller: Caller,
    company_id: int,
    status: str | None = None,
    product: str | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Subscription]:
    if not caller.sees_company(company_id):
        return Subscription.objects.none()
    qs = Subscription.objects.filter(company_id=company_id)
    if status:
        qs = qs.with_status(SubscriptionStatus(status), today)
    if product:
        qs = qs.filter(Q(product__code=product) | Q(product__includes__code=product))
        qs = qs.distinct()
    return qs


def _subscriptions_loaded(
    *, caller: Caller, company_id: int, qs: QuerySet[Subscription]
) -> list[Subscription]:
    # The audit timestamps are not part of the catalogue: deferred, they cost no
    # time-zone conversion (two aware datetimes a row).
    subscriptions = list(qs.defer("created_at", "updated_at"))
    if not subscriptions:
        return subscriptions
    licences: dict[int, list[Licence]] = {sub.pk: [] for sub in subscriptions}
    # The licences' products come with the subscriptions' below, built once each.
    for licence in (
        licences_for(caller=caller, company_id=company_id)
        .select_related(None)
        .filter(subscription__in=list(licences))
    ):
        licences[licence.subscription_id].append(licence)
    product_ids = {sub.product_id for sub in subscriptions}
    product_ids.update(
        licence.product_id for rows in licences.values() for licence in rows
    )
    products = _products_with_included(product_ids)
    for sub in subscriptions:
        sub.product = products[sub.product_id]
        sub.visible_licences = licences[sub.pk]
        for licence in sub.visible_licences:
            licence.product = products[licence.product_id]
    return subscriptions


def _products_with_included(product_ids: set[int]) -> dict[int, Product]:
    """Products by primary key, each with ``included_products`` (by name), in one
    query: the inclusions are LEFT JOINed, and each product is built once however
    many rows, subscriptions or licences refer to it."""
    fields = [f.attname for f in Product._meta.concrete_fields]
    pk, width = fields.index(Product._meta.pk.attname), len(fields)
    rows = (
        Product.objects.filter(pk__in=product_ids)
        .order_by("pk", "includes__name", "includes__pk")
        .values_list(*fields, *(f"includes__{name}" for name in fields))
    )
    products: dict[int, Product] = {}
    included: dict[int, Product] = {}
    for row in rows:
        product = products.get(row[pk])
        if product is None:
            product = Product.from_db(rows.db, fields, row[:width])
            product.included_products = []
            products[row[pk]] = product
        part_pk = row[width + pk]
        if part_pk is not None:  # a collection, and one of the products it includes
            part = included.get(part_pk)
            if part is None:
                part = included[part_pk] = Product.from_db(rows.db, fields, row[width:])
            product.included_products.append(part)
    return products


def products_held_by(*, company_id: int | None) -> QuerySet[Product]:
    """Products the company holds today through a current subscription or a licence
    in force; a collection held counts for itself and every product it includes.

    A lazy queryset without joins or DISTINCT, usable as a subquery:
    ``Article.objects.filter(products__in=products_held_by(company_id=...))`` is one
    SQL query. The knowledge base's ``product_owners`` audience and the download
    entitlement start from here.
    """
    if company_id is None:
        return Product.objects.none()
    today = timezone.localdate()
    direct = Subscription.objects.current(today).filter(company_id=company_id)
    licensed = Licence.objects.in_force(today).filter(company_id=company_id)
    held_ids = Q(pk__in=direct.values("product_id")) | Q(
        pk__in=licensed.values("product_id")
    )
    included = Product.includes.through.objects.filter(
        Q(from_product_id__in=direct.values("product_id"))
        | Q(from_product_id__in=licensed.values("product_id"))
    ).values("to_product_id")
    return Product.objects.filter(held_ids | Q(pk__in=included))


def products_held_as(caller: Caller) -> QuerySet[Product]:
    """:func:`products_held_by` the company ``caller`` reads as (none for a caller
    without one), built once per request: a client's search reads it for the
    engine's reader keys and again in the audience rule of the articles it shows.
    A lazy queryset: each use runs or embeds it afresh."""
    return per_request(
        caller,
        "products_held_as",
        lambda: products_held_by(company_id=caller.company_id),
    ).all()


def product_releases_held_as(caller: Caller) -> list[tuple[int, int | None]]:
    """(product id, release id or None) of every release of :func:`products_held_as`
    (a product without releases once, with None), read once per request in one
    query: a client's search needs the held products for the engine's reader keys
    and the products and releases for its ranking."""
    return per_request(
        caller,
        "product_releases_held_as",
        lambda: list(
            products_held_as(caller).order_by().values_list("pk", "releases__pk")
        ),
    )


def with_holder_counts(products: QuerySet[Product]) -> QuerySet[Product]:
    """``products``, each annotated ``holder_count``: how many active client
    companies hold it today, by the rule of :func:`products_held_by` (a current
    subscription or a licence in force; a collection held counts for every product
    it includes). A subquery per product row, in the same SQL query."""
    today = timezone.localdate()
    holds = Q(product_id=OuterRef(OuterRef("pk"))) | Q(
        product__includes=OuterRef(OuterRef("pk"))
    )
    holders = (
        Company.objects.filter(is_active=True)
        .filter(
            Q(
                pk__in=Subscription.objects.current(today)
                .filter(holds)
                .values("company_id")
            )
            | Q(
                pk__in=Licence.objects.in_force(today)
                .filter(holds)
                .values("company_id")
            )
        )
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return products.annotate(
        holder_count=Subquery(holders, output_field=IntegerField())
    )


def held_products_for(*, caller: Caller, company_id: int) -> QuerySet[Product]:
    """:func:`products_held_by`, for a caller who may see that company."""
    if not caller.sees_company(company_id):
        return Product.objects.none()
    return products_held_by(company_id=company_id)


@dataclass(frozen=True)
class Entitlement:
    """Whether a company may use a product (release) on a date, and why.

    ``reason`` is one of ``"subscription"``, ``"licence"``, ``"no_subscription"``,
    ``"ended"``, ``"cancelled"``, ``"not_started"``, ``"release_not_covered"``;
    ``subscription`` is the one that grants it or, when refused, the latest one that
    did, so a caller can say "subscription ended on 2026-06-30".
    """

    entitled: bool
    reason: str
    subscription: Subscription | None = None
    licence: Licence | None = None

    @property
    def ended_on(self) -> datetime.date | None:
        return self.subscription.end_date if self.subscription else None


def subscription_for_product(
    *,
    company_id: int | None,
    product_id: int,
    release=None,
    at: datetime.date | None = None,
) -> Entitlement:
    """Explain whether ``company_id`` holds ``product_id`` on ``at`` (default today),
    directly or through a collection, by subscription or by licence.

    Refusals are explained: with a ``release`` (a ``ProductRelease``) that came out
    after the last subscription ended, the reason is ``release_not_covered`` rather
    than ``ended``. For many products at once, load :class:`Holdings` once.
    """
    return Holdings.load(company_id, at).entitlement(product_id, release)


@dataclass
class Holdings:
    """A company's subscriptions and licences in force, loaded once (4 queries):
    the entitlement rule for any number of products, answered in memory."""

    company_id: int | None
    at: datetime.date
    subscriptions: list[Subscription] = field(default_factory=list)
    licences: list[Licence] = field(default_factory=list)

    @classmethod
    def load(
        cls,
        company_id: int | None,
        at: datetime.date | None = None,
        *,
        product: str | None = None,
    ):
        """``product`` (a code): load only what may cover that product (itself, or a
        collection including it); the entitlement of any other product is then not
        answered by this instance (a ticket's context asks about one product)."""
        at = at or timezone.localdate()
        if not Company.objects.filter(pk=company_id, is_active=True).exists():
            return cls(None, at)  # no company, or a deactivated one: holds nothing
        covering = Q()
        if product:
            covering = Q(
                product__in=Product.objects.filter(
                    Q(code__iexact=product) | Q(includes__code__iexact=product)
                ).values("pk")
            )
        subscriptions = list(
            Subscription.objects.filter(covering, company_id=company_id)
            .select_related("product")
            .prefetch_related("product__includes")
            .order_by("-end_date", "-pk")
        )
        licences = list(
            Licence.objects.in_force(at)
            .filter(covering, company_id=company_id)
            .select_related("product")
            .prefetch_related("product__includes")
        )
        return cls(company_id, at, subscriptions, licences)

    @staticmethod
    def _covers(product: Product, product_id: int) -> bool:
        return product.pk == product_id or any(
            p.pk == product_id for p in product.includes.all()
        )

    def entitlement(self, product_id: int, release=None) -> Entitlement:
        if self.company_id is None:
            return Entitlement(False, "no_subscription")
        at = self.at
        subscriptions = [
            s for s in self.subscriptions if self._covers(s.product, product_id)
        ]
        current = [
            s
            for s in subscriptions
            if not s.is_cancelled and s.start_date <= at <= s.end_date
        ]
        if current:
            return Entitlement(True, "subscription", subscription=current[0])
        licence = next(
            (lic for lic in self.licences if self._covers(lic.product, product_id)),
            None,
        )
        if licence is not None:
            return Entitlement(True, "licence", licence=licence)
        if not subscriptions:
            return Entitlement(False, "no_subscription")
        latest = subscriptions[0]
        if latest.is_cancelled:
            return Entitlement(False, "cancelled", subscription=latest)
        if latest.start_date > at:
            return Entitlement(False, "not_started", subscription=latest)
        if release is not None and release.release_date:
            # A release out before the subscription ended was paid for (Autodesk's
            # "previous versions" rights are not modelled; staff decide case by case).
            if release.release_date > latest.end_date:
                return Entitlement(False, "release_not_covered", subscription=latest)
        return Entitlement(False, "ended", subscription=latest)


# --- Support contract and SLA ----------------------------------------------------


def support_contract_for(
    *, caller: Caller, company_id: int | None, today: datetime.date | None = None
) -> SupportContract | None:
    """The contract in force today (the latest started if several overlap)."""
    if not caller.sees_company(company_id):
        return None
    return (
        SupportContract.objects.in_force(today)
        .filter(company_id=company_id)
        .order_by("-start_date", "-pk")
        .first()
    )


@dataclass(frozen=True)
class SlaDeadline:
    criticality: sla.Criticality
    opened_at: datetime.datetime
    due_at: datetime.datetime
    response_minutes: int
    contract: SupportContract | None

    @property
    def basis(self) -> str:
        """ "contract", or "charter" when the caller has no contract in force."""
        return "contract" if self.contract else "charter"

    @property
    def sla_targets(self) -> dict[sla.Criticality, int]:
        """The contract's targets, or the charter's."""
        return self.contract.sla_targets if self.contract else sla.CHARTER_TARGETS

    @property
    def calendar(self) -> sla.BusinessCalendar:
        """The contract's business hours, or the charter's."""
        return self.contract.calendar if self.contract else sla.CHARTER_CALENDAR

    def minutes_left(self, now: datetime.datetime) -> int:
        """Business minutes from ``now`` to :attr:`due_at` (negative: that many
        business minutes late), on the same calendar as the deadline."""
        return self.calendar.business_minutes_between(now, self.due_at)


# Tickets are opened in this century; business-hour arithmetic needs real dates.
SLA_YEARS = (2000, 2100)


def sla_deadline_for(
    *,
    caller: Caller,
    criticality: sla.Criticality,
    opened_at: datetime.datetime | None = None,
    company_id: int | None = None,
) -> SlaDeadline | None:
    """When a ticket must be taken into account under the caller's contract (or,
    for staff, ``company_id``'s); the charter's targets and hours without one.
    None if ``company_id`` is not a company the caller may see."""
    if company_id is None:
        company_id = caller.company_id if caller.is_client else None
    elif str(company_id) == str(caller.company_id) and caller.sees_company(
        caller.company_id
    ):  # a client's own company, or the ticket's the ticketing system acts for
        company_id = caller.company_id
    else:
        company = company_for_staff(caller=caller, company_id=company_id)
        if company is None:
            return None
        company_id = company.pk
    opened_at = opened_at or timezone.now()
    if not SLA_YEARS[0] <= opened_at.year <= SLA_YEARS[1]:
        raise ApiError(
            f"« openedAt » doit être entre {SLA_YEARS[0]} et {SLA_YEARS[1]}.",
            field="openedAt",
        )
    contract = support_contract_for(
        caller=caller,
        company_id=company_id,
        today=timezone.localdate(opened_at)
        if timezone.is_aware(opened_at)
        else opened_at.date(),
    )
    if contract is not None:
        targets, calendar = contract.sla_targets, contract.calendar
    else:
        targets, calendar = sla.CHARTER_TARGETS, sla.CHARTER_CALENDAR
    criticality = sla.Criticality(criticality)
    return SlaDeadline(
        criticality=criticality,
        opened_at=opened_at,
        due_at=sla.deadline(
            opened_at=opened_at,
            criticality=criticality,
            targets=targets,
            calendar=calendar,
        ),
        response_minutes=targets[criticality],
        contract=contract,
    )


# --- A ticket's company and what it holds of the ticket's product ---------------------


def company_for_ticket(
    *, caller: Caller, company_id=None, customer_number: str | None = None
) -> Company | None:
    """The company of a ticket, by id or customer number, for those who work on
    tickets (staff, the ticketing system); None when there is none or the caller
    does not work on tickets. Deactivated companies too: the engineer must see it."""
    if not caller.works_tickets:
        return None
    if company_id is not None:
        pk = object_id(company_id)
        return None if pk is None else Company.objects.filter(pk=pk).first()
    number = " ".join((customer_number or "").split())
    if not number:
        return None
    return Company.objects.filter(customer_number__iexact=number).first()


@dataclass(frozen=True)
class HoldingWarning:
    """Something the engineer should know about what the company holds.

    ``code``: ``NOT_COVERED`` (nothing covers the product), ``ENDED`` (what covered
    it has ended or was cancelled), ``NOT_STARTED``, ``RELEASE_NOT_COVERED`` (the
    ticket's release came out after the coverage ended), ``ENDS_SOON`` (one
    subscription covering it ends within 90 days), ``UNKNOWN_PRODUCT``,
    ``UNKNOWN_VERSION``."""

    code: str
    message: str


@dataclass
class ProductHoldings:
    """What a company holds of a product (of everything, without one): its
    subscriptions (see :func:`subscriptions_for`), licences (see
    :func:`licences_for`), the warnings, and the :class:`Holdings` they were judged
    on (for the download entitlement, without loading them again)."""

    subscriptions: list[Subscription]
    licences: list[Licence]
    warnings: list[HoldingWarning]
    holdings: Holdings
    product: Product | None = None
    release: ProductRelease | None = None


def _date(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "?"


def product_holdings_for(
    *,
    caller: Caller,
    company_id: int,
    product: str | None = None,
    version: str | None = None,
    today: datetime.date | None = None,
    holdings: Holdings | None = None,
) -> ProductHoldings:
    """What ``company_id`` holds of ``product`` (a code; collections including it
    count) as ``caller`` may see it, with the warnings an engineer needs: whether
    the product (and ``version``) is covered today, and which subscriptions end
    within 90 days. Without ``product``: all the company's holdings, with a
    warning for each product no longer covered. ``holdings``: the company's
    :class:`Holdings`, if already loaded. A constant number of queries."""
    today = today or timezone.localdate()
    if not caller.sees_company(company_id):
        return ProductHoldings([], [], [], Holdings(None, today))
    code = " ".join((product or "").split())
    found = None
    if code:
        found = (
            Product.objects.filter(code__iexact=code)
            .prefetch_related("releases")
            .first()
        )
        if found is None:
            warning = HoldingWarning(
                "UNKNOWN_PRODUCT", f"Produit « {code} » inconnu du catalogue."
            )
            return ProductHoldings([], [], [warning], Holdings(None, today))
    product_code = found.code if found else None
    subscriptions = subscriptions_for(
        caller=caller, company_id=company_id, product=product_code, today=today
    )
    licences = list(
        licences_for(
            caller=caller,
            company_id=company_id,
            product=product_code,
            with_collections=True,
        ).order_by("product__name", "pk")
    )
    if holdings is None or holdings.company_id != company_id or holdings.at != today:
        holdings = Holdings.load(company_id, today)
    result = ProductHoldings(subscriptions, licences, [], holdings, found)
    if found is not None:
        release = _release(found, version)
        result.release = release
        if version and release is None:
            result.warnings.append(
                HoldingWarning(
                    "UNKNOWN_VERSION",
                    f"Version « {version} » inconnue pour {found.name}.",
                )
            )
        products = [found]
    else:  # every product the company has held, each judged on its own
        products = list({sub.product_id: sub.product for sub in subscriptions}.values())
    for each in products:
        warning = _coverage_warning(
            holdings.entitlement(each.pk, result.release), each, result.release
        )
        if warning is not None:
            result.warnings.append(warning)
    for sub in subscriptions:
        if sub.status_on(today) == SubscriptionStatus.EXPIRING:
            days = sub.days_remaining_on(today)
            result.warnings.append(
                HoldingWarning(
                    "ENDS_SOON",
                    f"L'abonnement {sub.product.name} n° {sub.autodesk_id} "
                    f"({sub.seats} poste{'s' if sub.seats > 1 else ''}) prend fin "
                    f"le {_date(sub.end_date)}, dans {days} jour"
                    f"{'s' if days > 1 else ''}.",
                )
            )
    return result


def _release(product: Product, version: str | None) -> ProductRelease | None:
    if not version:
        return None
    wanted = version.strip().lower()
    return next(
        (r for r in product.releases.all() if r.version.lower() == wanted), None
    )


def _coverage_warning(
    entitlement: Entitlement, product: Product, release: ProductRelease | None
) -> HoldingWarning | None:
    """The warning an entitlement refused calls for (None when entitled)."""
    if entitlement.entitled:
        return None
    sub = entitlement.subscription
    reason = entitlement.reason
    if reason == "no_subscription":
        return HoldingWarning(
            "NOT_COVERED",
            f"Aucun abonnement ni licence en cours ne couvre {product.name}.",
        )
    if reason == "cancelled":
        return HoldingWarning(
            "ENDED",
            f"L'abonnement {sub.product.name} n° {sub.autodesk_id} a été résilié : "
            f"{product.name} n'est plus couvert.",
        )
    if reason == "not_started":
        return HoldingWarning(
            "NOT_STARTED",
            f"L'abonnement {sub.product.name} n° {sub.autodesk_id} ne commence que "
            f"le {_date(sub.start_date)}.",
        )
    if reason == "release_not_covered":
        return HoldingWarning(
            "RELEASE_NOT_COVERED",
            f"{product.name} {release.version if release else ''} est sorti après "
            f"la fin de l'abonnement n° {sub.autodesk_id} ({_date(sub.end_date)}).",
        )
    return HoldingWarning(
        "ENDED",
        f"L'abonnement {sub.product.name} n° {sub.autodesk_id} a pris fin le "
        f"{_date(sub.end_date)} : {product.name} n'est plus couvert.",
    )
