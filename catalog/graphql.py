"""GraphQL for the client catalogue: the caller's company, its subscriptions,
licences and support contract, and SLA deadlines.

Resolvers are thin: what a caller may see is decided in :mod:`catalog.selectors`.
"""

from __future__ import annotations

import datetime

import graphene
from django.utils import timezone
from grapple.registry import registry

from accounts.graphql import CompanyType, company_field_add
from cms.access import caller_of
from cms.api.errors import NotFound
from cms.api.pagination import page_arguments, page_bounds, page_of, paginated_type

from . import selectors, sla
from .models import LicenceType as LicenceTypeChoices
from .models import Product
from .models import SubscriptionStatus as StatusChoices
from .models import SupportLevel as SupportLevelChoices
from .models import Term as TermChoices

Criticality = graphene.Enum.from_enum(sla.Criticality)
SubscriptionStatus = graphene.Enum.from_enum(StatusChoices)
SubscriptionTerm = graphene.Enum.from_enum(TermChoices, name="SubscriptionTerm")
LicenceType = graphene.Enum.from_enum(LicenceTypeChoices)
SupportLevel = graphene.Enum.from_enum(SupportLevelChoices)


class SlaBasis(graphene.Enum):
    CONTRACT = "contract"
    CHARTER = "charter"


def _value(enum_member):
    """The plain value of an enum argument, whatever graphene hands over."""
    return getattr(enum_member, "value", enum_member)


def _today(info) -> datetime.date:
    """Today's date, read once per request: every row of a list is dated alike (no
    midnight in the middle of 200 subscriptions), and 400 clock reads are saved."""
    context = info.context
    today = getattr(context, "catalog_today", None)
    if today is None:
        today = timezone.localdate()
        if context is not None:
            context.catalog_today = today
    return today


def mask_secret(value: str) -> str:
    """'562-12345678' -> '••••-5678': at most the last 4 characters and at most a
    third of them stay readable, enough to tell two licences apart."""
    if not value:
        return value
    visible = min(4, len(value) // 3)
    return "••••-" + value[-visible:] if visible else "••••"


def product_type():
    """The one ``Product`` type: grapple's, from :attr:`Product.graphql_fields`."""
    return registry.models[Product]


class CatalogLicence(graphene.ObjectType):
    class Meta:
        name = "Licence"

    id = graphene.ID(required=True)
    licence_type = graphene.Field(LicenceType, required=True)
    quantity = graphene.Int(required=True, description="Seats, or Flex tokens.")
    product = graphene.Field(product_type, required=True)
    subscription_id = graphene.ID(description="The subscription it comes with.")
    serial_number = graphene.String(description="Masked for company members.")
    product_key = graphene.String(description="Masked for company members.")
    server_host = graphene.String(description="Licence server (network licences).")
    valid_until = graphene.Date(description="Without subscription: null = perpetual.")

    @staticmethod
    def resolve_serial_number(licence, info) -> str:
        if getattr(licence, "secrets_visible", False):
            return licence.serial_number
        return mask_secret(licence.serial_number)

    @staticmethod
    def resolve_product_key(licence, info) -> str:
        if getattr(licence, "secrets_visible", False):
            return licence.product_key
        return mask_secret(licence.product_key)


class CatalogSubscription(graphene.ObjectType):
    """An Autodesk subscription held by a company. Not named ``Subscription``: a
    schema read from SDL takes a type of that name for the subscription root."""

    class Meta:
        name = "AutodeskSubscription"

    id = graphene.ID(required=True)
    autodesk_id = graphene.String(
        required=True, description="Autodesk Account's subscription ID."
    )
    contract_number = graphene.String(required=True)
    product = graphene.Field(
        product_type, required=True, description="A product or a collection."
    )
    seats = graphene.Int(required=True)
    term = graphene.Field(SubscriptionTerm)
    start_date = graphene.Date(required=True)
    end_date = graphene.Date(required=True)
    auto_renew_date = graphene.Date()
    auto_renew = graphene.Boolean(
        required=True, description="Renewed automatically (a renewal date is set)."
    )
    status = graphene.Field(SubscriptionStatus, required=True)
    days_remaining = graphene.Int(required=True, description="Negative once ended.")
    reseller_name = graphene.String(required=True)
    reseller_email = graphene.String(required=True)
    team = graphene.String(required=True)
    licences = graphene.List(graphene.NonNull(CatalogLicence), required=True)

    @staticmethod
    def resolve_term(sub, info):
        return sub.term or None

    @staticmethod
    def resolve_status(sub, info) -> StatusChoices:
        return sub.status_on(_today(info))

    @staticmethod
    def resolve_days_remaining(sub, info) -> int:
        return sub.days_remaining_on(_today(info))

    @staticmethod
    def resolve_auto_renew_date(sub, info):
        return sub.autorenew_date

    @staticmethod
    def resolve_auto_renew(sub, info) -> bool:
        return sub.autorenew_date is not None

    @staticmethod
    def resolve_licences(sub, info):
        return sub.visible_licences  # prefetched by the selector, with its scoping


class SlaTarget(graphene.ObjectType):
    criticality = graphene.Field(Criticality, required=True)
    response_minutes = graphene.Int(
        required=True, description="Business minutes to take a ticket into account."
    )


class BusinessHours(graphene.ObjectType):
    opens_at = graphene.Time(required=True)
    closes_at = graphene.Time(required=True)
    weekdays = graphene.List(
        graphene.NonNull(graphene.Int), required=True, description="ISO: 1 = Monday."
    )
    time_zone = graphene.String(required=True)
    public_holidays = graphene.String(
        required=True, description="Country whose public holidays are closed."
    )


class CatalogSupportContract(graphene.ObjectType):
    class Meta:
        name = "SupportContract"

    id = graphene.ID(required=True)
    level = graphene.Field(SupportLevel, required=True)
    reference = graphene.String(required=True)
    term = graphene.Field(SubscriptionTerm)
    start_date = graphene.Date(required=True)
    end_date = graphene.Date(description="Null: renewed tacitly.")
    sla_targets = graphene.List(graphene.NonNull(SlaTarget), required=True)
    business_hours = graphene.Field(BusinessHours, required=True)

    @staticmethod
    def resolve_term(contract, info):
        return contract.term or None

    @staticmethod
    def resolve_sla_targets(contract, info):
        return [
            SlaTarget(criticality=c, response_minutes=minutes)
            for c, minutes in contract.sla_targets.items()
        ]

    @staticmethod
    def resolve_business_hours(contract, info):
        calendar = contract.calendar
        return BusinessHours(
            opens_at=calendar.opens,
            closes_at=calendar.closes,
            weekdays=sorted(day + 1 for day in calendar.weekdays),
            time_zone=str(calendar.tz),
            public_holidays="FR",
        )


CatalogLicenceList = paginated_type(
    "LicenceList", CatalogLicence, "One page of a company's licences."
)
CatalogSubscriptionList = paginated_type(
    "AutodeskSubscriptionList",
    CatalogSubscription,
    "One page of a company's subscriptions, by end date.",
)


def resolve_company_support_contract(company, info):
    return selectors.support_contract_for(
        caller=caller_of(info.context), company_id=company.pk
    )


def resolve_company_subscriptions(
    company, info, page=1, per_page=50, status=None, product=None
):
    offset, limit = page_bounds(page, per_page)
    items, total = selectors.subscription_page_for(
        caller=caller_of(info.context),
        company_id=company.pk,
        offset=offset,
        limit=limit,
        status=_value(status) if status else None,
        product=product,
    )
    return page_of(items, total=total, page=page, per_page=per_page)


def resolve_company_licences(company, info, page=1, per_page=50, product=None):
    offset, limit = page_bounds(page, per_page)
    licences = selectors.licences_for(
        caller=caller_of(info.context), company_id=company.pk, product=product
    )
    items = list(licences[offset : offset + limit])
    return page_of(items, total=licences.count(), page=page, per_page=per_page)


def resolve_company_held_products(company, info):
    return selectors.held_products_for(
        caller=caller_of(info.context), company_id=company.pk
    ).prefetch_related("includes")


# The catalogue's fields of the one ``Company`` type (accounts declares it; the
# catalogue sits above accounts). Each resolver scopes to the caller in a selector.
for _name, _field in {
    "support_contract": graphene.Field(
        CatalogSupportContract,
        description="The contract in force today.",
        resolver=resolve_company_support_contract,
    ),
    "subscriptions": graphene.Field(
        CatalogSubscriptionList,
        required=True,
        status=graphene.Argument(SubscriptionStatus),
        product=graphene.String(
            description="Product code; also matches collections including it."
        ),
        **page_arguments(per_page=50),
        resolver=resolve_company_subscriptions,
    ),
    "licences": graphene.Field(
        CatalogLicenceList,
        required=True,
        product=graphene.String(description="Product code."),
        **page_arguments(per_page=50),
        resolver=resolve_company_licences,
    ),
    "held_products": graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(product_type))),
        description="Products held today, collections expanded.",
        resolver=resolve_company_held_products,
    ),
}.items():
    company_field_add(_name, _field)


class SlaDeadline(graphene.ObjectType):
    criticality = graphene.Field(Criticality, required=True)
    opened_at = graphene.DateTime(required=True)
    due_at = graphene.DateTime(
        required=True, description="Europe/Paris time; business hours only."
    )
    response_minutes = graphene.Int(required=True)
    basis = graphene.Field(
        SlaBasis,
        required=True,
        description="CHARTER when the caller has no contract in force: the "
        "charter's targets and hours apply.",
    )
    support_contract = graphene.Field(CatalogSupportContract)

    @staticmethod
    def resolve_basis(deadline, info):
        return deadline.basis

    @staticmethod
    def resolve_support_contract(deadline, info):
        return deadline.contract


class CatalogQuery(graphene.ObjectType):
    my_company = graphene.Field(
        CompanyType,
        description="The caller's company; null if anonymous or staff without one.",
    )
    company = graphene.Field(
        CompanyType,
        id=graphene.ID(required=True),
        description="Any company, for staff; null for everyone else.",
    )
    sla_deadline = graphene.Field(
        SlaDeadline,
        required=True,
        criticality=graphene.Argument(Criticality, required=True),
        opened_at=graphene.DateTime(description="Default: now. Naive = Paris time."),
        company_id=graphene.ID(description="Staff: another company's contract."),
        description="When a ticket must be taken into account (business hours).",
    )

    @staticmethod
    def resolve_my_company(root, info):
        return selectors.company_of(caller_of(info.context))

    @staticmethod
    def resolve_company(root, info, id):
        return selectors.company_for_staff(
            caller=caller_of(info.context), company_id=id
        )

    @staticmethod
    def resolve_sla_deadline(root, info, criticality, opened_at=None, company_id=None):
        deadline = selectors.sla_deadline_for(
            caller=caller_of(info.context),
            criticality=_value(criticality),
            opened_at=opened_at,
            company_id=company_id,
        )
        if deadline is None:
            raise NotFound("Société")
        return deadline
