"""GraphQL for the ticket context (``ticketContext``): one round trip tells the
engineer everything about a ticket's client. Resolvers only call
:mod:`tickets.selectors`; the types of the catalogue, the search and the downloads
are reused where they fit.
"""

from __future__ import annotations

import graphene
from grapple.registry import registry

from accounts.graphql import CompanyType
from catalog.graphql import (
    BusinessHours,
    CatalogLicence,
    CatalogSubscription,
    CatalogSupportContract,
    Criticality,
    SlaBasis,
    SlaTarget,
    SupportLevel,
)
from cms.access import caller_of
from cms.api.selection import selected_fields
from downloads.models import DownloadFile, DownloadPage
from search.graphql import SearchItem, article_type

from . import selectors


def _value(enum_member):
    return getattr(enum_member, "value", enum_member)


class TicketSupport(graphene.ObjectType):
    """The support the company is promised: its contract in force when the ticket
    was opened, or the charter's targets and hours (``basis: CHARTER``)."""

    basis = graphene.Field(SlaBasis, required=True)
    level = graphene.Field(SupportLevel, description="Null under the charter.")
    reference = graphene.String(description="Null under the charter.")
    sla_targets = graphene.List(graphene.NonNull(SlaTarget), required=True)
    business_hours = graphene.Field(BusinessHours, required=True)
    contract = graphene.Field(
        CatalogSupportContract, description="The contract; null under the charter."
    )

    @staticmethod
    def resolve_basis(deadline, info):
        return deadline.basis

    @staticmethod
    def resolve_level(deadline, info):
        return deadline.contract.level if deadline.contract else None

    @staticmethod
    def resolve_reference(deadline, info):
        return deadline.contract.reference if deadline.contract else None

    @staticmethod
    def resolve_sla_targets(deadline, info):
        return CatalogSupportContract.resolve_sla_targets(deadline, info)

    @staticmethod
    def resolve_business_hours(deadline, info):
        return CatalogSupportContract.resolve_business_hours(deadline, info)

    @staticmethod
    def resolve_contract(deadline, info):
        return deadline.contract


class TicketSla(graphene.ObjectType):
    """The ticket's deadline to be taken into account."""

    criticality = graphene.Field(Criticality, required=True)
    opened_at = graphene.DateTime(required=True)
    due_at = graphene.DateTime(
        required=True,
        description="Europe/Paris time; business hours only, French public "
        "holidays closed.",
    )
    response_minutes = graphene.Int(
        required=True, description="The target, in business minutes."
    )
    minutes_left = graphene.Int(
        required=True,
        description="Business minutes from now to dueAt (the contract's hours, "
        "holidays closed): the clock stops out of hours. Negative: that many "
        "business minutes late.",
    )
    late = graphene.Boolean(required=True, description="Now is past dueAt.")
    basis = graphene.Field(SlaBasis, required=True)

    @staticmethod
    def resolve_criticality(context, info):
        return context.sla.criticality

    @staticmethod
    def resolve_opened_at(context, info):
        return context.sla.opened_at

    @staticmethod
    def resolve_due_at(context, info):
        return context.sla.due_at

    @staticmethod
    def resolve_response_minutes(context, info):
        return context.sla.response_minutes

    @staticmethod
    def resolve_minutes_left(context, info):
        return context.minutes_left

    @staticmethod
    def resolve_late(context, info):
        return context.late

    @staticmethod
    def resolve_basis(context, info):
        return context.sla.basis


class HoldingWarning(graphene.ObjectType):
    code = graphene.String(
        required=True,
        description="NOT_COVERED, ENDED, ENDS_SOON (within 90 days), NOT_STARTED, "
        "RELEASE_NOT_COVERED, UNKNOWN_PRODUCT, UNKNOWN_VERSION.",
    )
    message = graphene.String(required=True, description="In French.")


class TicketHoldings(graphene.ObjectType):
    """What the company holds of the ticket's product (collections including it
    count; everything without a product), serials unmasked."""

    subscriptions = graphene.List(graphene.NonNull(CatalogSubscription), required=True)
    licences = graphene.List(graphene.NonNull(CatalogLicence), required=True)
    warnings = graphene.List(graphene.NonNull(HoldingWarning), required=True)


class TicketDownload(graphene.ObjectType):
    """A file of the latest patch, hotfix or update of the ticket's product and
    release, judged for the ticket's company."""

    page = graphene.Field(lambda: registry.pages[DownloadPage], required=True)
    file = graphene.Field(lambda: registry.models[DownloadFile], required=True)
    can_download = graphene.Boolean(
        required=True, description="Whether the ticket's company may download it."
    )
    reason = graphene.String(description="Why the company may not (French).")
    already_downloaded = graphene.Boolean(
        required=True, description="Someone of the company has downloaded it."
    )


class TicketContext(graphene.ObjectType):
    """Everything about a ticket's client, side by side."""

    company = graphene.Field(CompanyType, required=True)
    support_contract = graphene.Field(TicketSupport, required=True)
    sla = graphene.Field(TicketSla, required=True)
    holdings = graphene.Field(TicketHoldings, required=True)
    suggestions = graphene.List(
        graphene.NonNull(SearchItem),
        required=True,
        description="Articles for the ticket's text that the company may read, "
        "best first.",
    )
    linked_articles = graphene.List(
        graphene.NonNull(article_type),
        required=True,
        description="Articles linked to the company's tickets about the product, "
        "that the company may read, most recently linked first.",
    )
    downloads = graphene.List(graphene.NonNull(TicketDownload), required=True)

    @staticmethod
    def resolve_company(context, info):
        return context.company

    @staticmethod
    def resolve_support_contract(context, info):
        return context.sla

    @staticmethod
    def resolve_sla(context, info):
        return context

    @staticmethod
    def resolve_holdings(context, info):
        return context.holdings

    @staticmethod
    def resolve_suggestions(context, info):
        hits = context.suggestions(fields=selected_fields(info, "article"))
        return [SearchItem(h.article, h.score, h.highlights) for h in hits]

    @staticmethod
    def resolve_linked_articles(context, info):
        return context.linked_articles(fields=selected_fields(info))

    @staticmethod
    def resolve_downloads(context, info):
        return context.downloads


class TicketQuery(graphene.ObjectType):
    ticket_context = graphene.Field(
        TicketContext,
        required=True,
        # `description` is also graphene's own keyword: declared through `args`.
        args={"description": graphene.String(description="The ticket's text.")},
        company_id=graphene.ID(description="The client company (or customerNumber)."),
        customer_number=graphene.String(description="E.g. « CLI-10421 »."),
        subject=graphene.String(required=True),
        product=graphene.String(description="Product code, e.g. « autocad »."),
        version=graphene.String(description="Release, e.g. « 2026 »."),
        criticality=graphene.Argument(Criticality, required=True),
        opened_at=graphene.DateTime(description="Default: now. Naive = Paris time."),
        description="Everything about a ticket's client company in one round trip "
        "(staff, and service tokens with the scope « tickets »).",
    )

    @staticmethod
    def resolve_ticket_context(root, info, subject, criticality, **arguments):
        return selectors.ticket_context_for(
            caller=caller_of(info.context),
            subject=subject,
            criticality=_value(criticality),
            **arguments,
        )


# The whole context, as the ticketing system asks for it (tests, the bench).
TICKET_CONTEXT = """
query TicketContext($companyId: ID, $customerNumber: String, $subject: String!,
                    $description: String, $product: String, $version: String,
                    $criticality: Criticality!, $openedAt: DateTime) {
  ticketContext(companyId: $companyId, customerNumber: $customerNumber,
                subject: $subject, description: $description, product: $product,
                version: $version, criticality: $criticality, openedAt: $openedAt) {
    company { id name customerNumber isActive }
    supportContract {
      basis level reference
      slaTargets { criticality responseMinutes }
      businessHours { opensAt closesAt weekdays timeZone publicHolidays }
    }
    sla { criticality openedAt dueAt responseMinutes minutesLeft late basis }
    holdings {
      subscriptions {
        autodeskId status term endDate daysRemaining seats contractNumber autoRenew
        product { code name }
      }
      licences { licenceType serialNumber product { code } }
      warnings { code message }
    }
    suggestions { article { slug title } score highlights }
    linkedArticles { slug title }
    downloads {
      page { slug title }
      file { id fileName }
      canDownload reason alreadyDownloaded
    }
  }
}
"""


def ticket_context_variables(
    customer_number: str,
    *,
    product: str | None = "autocad",
    version: str | None = "2026",
    criticality: str = "BLOQUANT",
) -> dict:
    """Variables of :data:`TICKET_CONTEXT` for a typical ticket of a company."""
    return {
        "customerNumber": customer_number,
        "subject": "Plantage à l'ouverture d'un dessin avec des hachures",
        "description": "Bonjour,\nAutoCAD se ferme dès qu'on ouvre le DWG du projet.",
        "product": product,
        "version": version,
        "criticality": criticality,
    }
