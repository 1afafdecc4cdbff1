"""A ticket's context: everything the engineer needs about the ticket's client, read
once, on behalf of whoever works on the ticket (staff, the ticketing system).

Each part comes from the selector of the app that owns it, called with the caller
reading for the ticket's company (:meth:`cms.access.Caller.for_ticket_of`): the
company's catalogue (serials included), its SLA, the articles and downloads that
company may read. The parts are computed when first asked for, so a query that
selects only the SLA does not search the knowledge base.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.utils import timezone

from accounts.models import Company
from catalog import sla
from catalog.selectors import (
    Holdings,
    ProductHoldings,
    SlaDeadline,
    company_for_ticket,
    product_holdings_for,
    sla_deadline_for,
)
from cms.access import Caller
from cms.api.errors import ApiError, NotFound, object_id
from downloads.selectors import TicketDownload, ticket_downloads_for
from knowledge.models import ArticlePage
from search.selectors import (
    CONTROL_CHARS,
    MAX_QUERY_LENGTH,
    SearchHit,
    require_tickets_access,
    ticket_linked_articles_for,
    ticket_suggestions_for,
)

# Suggested articles a ticket's context lists.
SUGGESTIONS = 5
MAX_PRODUCT_LENGTH = 60


@dataclass
class TicketContext:
    """One ticket's context, its parts read when first asked for."""

    reader: Caller  # the request's caller, reading for the ticket's company
    company: Company
    subject: str
    description: str | None
    product: str | None
    version: str | None
    criticality: sla.Criticality
    opened_at: datetime.datetime
    now: datetime.datetime

    @cached_property
    def sla(self) -> SlaDeadline:
        """The deadline under the contract in force when the ticket was opened, or
        the charter."""
        return sla_deadline_for(
            caller=self.reader,
            criticality=self.criticality,
            opened_at=self.opened_at,
            company_id=self.company.pk,
        )

    @property
    def minutes_left(self) -> int:
        """Business minutes from now to the deadline (negative once late)."""
        return self.sla.minutes_left(self.now)

    @property
    def late(self) -> bool:
        return self.now > self.sla.due_at

    @cached_property
    def entitlements(self) -> Holdings:
        """The company's holdings (of the ticket's product, when it names one),
        loaded once for the warnings and the downloads."""
        return Holdings.load(
            self.company.pk, timezone.localdate(self.now), product=self.product
        )

    @cached_property
    def holdings(self) -> ProductHoldings:
        return product_holdings_for(
            caller=self.reader,
            company_id=self.company.pk,
            product=self.product,
            version=self.version,
            today=timezone.localdate(self.now),
            holdings=self.entitlements,
        )

    def suggestions(self, fields=None) -> list[SearchHit]:
        return ticket_suggestions_for(
            caller=self.reader,
            subject=self.subject,
            description=self.description,
            product=self.product,
            version=self.version,
            company_id=self.company.pk,
            limit=SUGGESTIONS,
            fields=fields,
        )

    def linked_articles(self, fields=None) -> list[ArticlePage]:
        return ticket_linked_articles_for(
            caller=self.reader,
            company_id=self.company.pk,
            product=self.product,
            fields=fields,
        )

    @cached_property
    def downloads(self) -> list[TicketDownload]:
        if not self.product:
            return []
        return ticket_downloads_for(
            caller=self.reader,
            product=self.product,
            version=self.version,
            holdings=self.entitlements,
        )


def _text(value: str | None, limit: int | None = None) -> str:
    """``value`` without control characters and runs of spaces."""
    text = " ".join(CONTROL_CHARS.sub(" ", value or "").split())
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return text


def ticket_context_for(
    *,
    caller: Caller,
    subject: str,
    criticality: str,
    company_id=None,
    customer_number: str | None = None,
    description: str | None = None,
    product: str | None = None,
    version: str | None = None,
    opened_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> TicketContext:
    """The context of a ticket of the company given by ``company_id`` or
    ``customer_number`` (exactly one), for staff and the ticketing system (scope
    ``tickets``): anyone else is refused, an unknown company is not found."""
    require_tickets_access(caller)
    given_id = company_id not in (None, "")
    given_number = bool(_text(customer_number))
    if given_id == given_number:
        raise ApiError(
            "Indiquez la société du ticket : « companyId » ou « customerNumber », "
            "l'un des deux."
            if not given_id
            else "Indiquez « companyId » ou « customerNumber », pas les deux.",
            field="companyId" if not given_id else "customerNumber",
        )
    if given_id and object_id(company_id) is None:
        raise ApiError("Identifiant de société invalide.", field="companyId")
    subject = _text(subject, MAX_QUERY_LENGTH)
    if not subject:
        raise ApiError("Le sujet du ticket est vide.", field="subject")
    product = _text(product) or None
    if product and len(product) > MAX_PRODUCT_LENGTH:
        raise ApiError("Code produit trop long.", field="product")
    version = _text(version, 20) or None
    company = company_for_ticket(
        caller=caller,
        company_id=company_id if given_id else None,
        customer_number=customer_number if given_number else None,
    )
    if company is None:
        raise NotFound("Société")
    now = now or timezone.now()
    context = TicketContext(
        reader=caller.for_ticket_of(company.pk),
        company=company,
        subject=subject,
        description=description or None,
        product=product,
        version=version,
        criticality=sla.Criticality(criticality),
        opened_at=opened_at or now,
        now=now,
    )
    context.sla  # noqa: B018 - an openedAt out of bounds is the caller's error, now
    return context
