"""Writes of the search app: ticket links and daily search statistics."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cms.accounts.models import Company
from cms.api.errors import ApiError, NotFound
from knowledge.models import ArticlePage

from .models import SearchQueryDaily, TicketArticleLink
from .selectors import MAX_QUERY_LENGTH, normalise


def search_query_record(*, query: str, results_total: int) -> None:
    """Count one search in today's row for its normalised query (no row per call)."""
    key = " ".join(normalise(query).split())[:MAX_QUERY_LENGTH]
    today = timezone.localdate()
    changes = {
        "searches": F("searches") + 1,
        "results_total": F("results_total") + results_total,
        "zero_result_searches": F("zero_result_searches") + (results_total == 0),
    }
    rows = SearchQueryDaily.objects.filter(day=today, normalised_query=key)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            SearchQueryDaily.objects.create(
                day=today,
                normalised_query=key,
                searches=1,
                results_total=results_total,
                zero_result_searches=int(results_total == 0),
            )
    except IntegrityError:  # another request created today's row first
        rows.update(**changes)


def _ticket_ref(ticket_ref: str) -> str:
    ticket_ref = (ticket_ref or "").strip()
    if not ticket_ref or len(ticket_ref) > 64:
        raise ApiError("Référence de ticket invalide (1 à 64 caractères).")
    return ticket_ref


@transaction.atomic
def ticket_article_link(
    *, ticket_ref: str, article_id: int, company_id: int, created_by=None
) -> TicketArticleLink:
    """Link an article to a ticket (idempotent)."""
    ticket_ref = _ticket_ref(ticket_ref)
    article = ArticlePage.objects.live().filter(pk=article_id).first()
    if article is None:
        raise NotFound("Article")
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound("Société")
    link, _created = TicketArticleLink.objects.get_or_create(
        ticket_ref=ticket_ref,
        article=article,
        defaults={
            "company": company,
            "created_by": created_by if getattr(created_by, "pk", None) else None,
        },
    )
    return link


@transaction.atomic
def ticket_article_unlink(*, ticket_ref: str, article_id: int) -> bool:
    """Remove a link; False when there was none."""
    deleted, _ = TicketArticleLink.objects.filter(
        ticket_ref=_ticket_ref(ticket_ref), article_id=article_id
    ).delete()
    return bool(deleted)
