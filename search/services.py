"""Writes of the search app: ticket links and daily search statistics."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cms.access import Caller
from cms.accounts.models import Company
from cms.api.errors import ApiError, NotFound
from knowledge.models import ArticlePage
from knowledge.selectors import articles_visible_to

from .models import SearchQueryDaily, TicketArticleLink
from .selectors import MAX_QUERY_LENGTH, normalise


def search_query_record(*, query: str, results_total: int) -> None:
    """Count one search in today's row for its normalised query (no row per call)."""
    key = " ".join(normalise(query).split())[:MAX_QUERY_LENGTH]
    today = timezone.localdate()
    changes = {
        "searches": F("searches") + 1,
        "results_total": F("results_total") + results_total,
        "zero_result_searches": F("zero_result_searches") + int(results_total == 0),
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
    *,
    ticket_ref: str,
    article_id: int,
    company_id: int,
    internal: bool = False,
    created_by=None,
) -> TicketArticleLink:
    """Link an article to a ticket (idempotent; linking again may change whether
    the link is internal). An article the ticket's company may not read can only
    be an internal link, which its people never see."""
    ticket_ref = _ticket_ref(ticket_ref)
    article = ArticlePage.objects.live().filter(pk=article_id).first()
    if article is None:
        raise NotFound("Article")
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound("Société")
    readable = (
        articles_visible_to(Caller.member_of(company.pk)).filter(pk=article.pk).exists()
    )
    if not internal and not readable:
        raise ApiError(
            "La société du ticket ne peut pas lire cet article : liez-le comme "
            "lien interne (internal: true).",
            code="BAD_USER_INPUT",
        )
    link, created = TicketArticleLink.objects.get_or_create(
        ticket_ref=ticket_ref,
        article=article,
        defaults={
            "company": company,
            "internal": internal,
            "created_by": created_by if getattr(created_by, "pk", None) else None,
        },
    )
    if not created and link.internal != internal:
        link.internal = internal
        link.save(update_fields=["internal"])
    return link


@transaction.atomic
def ticket_article_unlink(*, ticket_ref: str, article_id: int) -> bool:
    """Remove a link; False when there was none."""
    deleted, _ = TicketArticleLink.objects.filter(
        ticket_ref=_ticket_ref(ticket_ref), article_id=article_id
    ).delete()
    return bool(deleted)


# Index updates missed while the engine was down -----------------------------------

PENDING_FLAG = "search:pending-index-updates"


def pending_index_update_record(*, obj, action: str, error: str = "") -> None:
    """Remember that ``obj`` must be (re)indexed or removed; the latest action wins."""
    from django.core.cache import cache

    from .models import PendingIndexUpdate

    meta = obj._meta
    PendingIndexUpdate.objects.update_or_create(
        app_label=meta.app_label,
        model_name=meta.model_name,
        object_pk=str(obj.pk),
        defaults={"action": action, "error": error, "recorded_at": timezone.now()},
    )
    cache.set(PENDING_FLAG, True, timeout=None)


def pending_index_updates_replay(*, limit: int = 500) -> int:
    """Replay recorded updates on the engine, oldest first; stops at the first
    failure (the engine is still down) and returns how many went through."""
    from django.apps import apps
    from django.core.cache import cache
    from modelsearch.index import get_indexed_instance
    from wagtail.search.backends import get_search_backends

    from .backends import ENGINE_DOWN, DurableOpenSearchBackend
    from .models import PendingIndexUpdate

    backends = [
        b
        for b in get_search_backends(with_auto_update=True)
        if isinstance(b, DurableOpenSearchBackend)
    ]
    done = 0
    for update in PendingIndexUpdate.objects.order_by("recorded_at", "pk")[:limit]:
        model = apps.get_model(update.app_label, update.model_name)
        obj = model.objects.filter(pk=update.object_pk).first()
        indexed = get_indexed_instance(obj) if obj is not None else None
        try:
            for backend in backends:
                if update.action == update.Action.INDEX and indexed is not None:
                    backend.add_unrecorded(indexed)
                else:
                    backend.delete_unrecorded(model(pk=update.object_pk))
        except ENGINE_DOWN:
            return done
        update.delete()
        done += 1
    if not PendingIndexUpdate.objects.exists():
        cache.delete(PENDING_FLAG)
    return done


def pending_index_updates_replay_if_any() -> int:
    """Cheap to call often (after a search, from the health check): a cache flag says
    whether anything waits."""
    from django.core.cache import cache

    if not cache.get(PENDING_FLAG):
        return 0
    # At most one attempt per SEARCH_REPLAY_RETRY_SECONDS (and one at a time): a down
    # engine costs searches nothing more than the fallback.
    retry = settings.SEARCH_REPLAY_RETRY_SECONDS
    if not cache.add("search:replay-attempt", True, timeout=retry):
        return 0
    done = pending_index_updates_replay()
    if not cache.get(PENDING_FLAG):  # all caught up: the next miss may retry at once
        cache.delete("search:replay-attempt")
    return done
