"""Writes of the search app: ticket links, daily search statistics, and the index
updates the engine missed (recorded, then replayed by any process)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from time import monotonic

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from modelsearch.index import get_indexed_instance
from wagtail.search.backends import get_search_backends

from accounts.models import Company
from cms.access import Caller
from cms.api.errors import ApiError, NotFound
from cms.counters import Batch, BufferedCounts
from cms.visibility import published
from knowledge.models import ArticlePage, Audience
from knowledge.selectors import articles_visible_to
from knowledge.services import article_draft_from_ticket_create

from .backends import ENGINE_DOWN, DurableOpenSearchBackend
from .models import PendingIndexUpdate, SearchQueryDaily, TicketArticleLink
from .selectors import MAX_QUERY_LENGTH, normalise


def search_query_record(*, query: str, results_total: int) -> None:
    """Count one search in today's row for its normalised query: buffered in the
    process and written within ``ANALYTICS_FLUSH_SECONDS`` (:mod:`cms.counters`:
    what a crash may lose), one row per query and day."""
    key = " ".join(normalise(query).split())[:MAX_QUERY_LENGTH]
    _searches.add(
        (timezone.localdate(), key),
        searches=1,
        results_total=results_total,
        zero_result_searches=int(results_total == 0),
    )


def _search_queries_write(batch: Batch) -> None:
    """Add each (day, query)'s buffered counts to its row (created if need be)."""
    for (day, key), counts in batch.items():
        totals = {
            name: counts[name]
            for name in ("searches", "results_total", "zero_result_searches")
        }
        rows = SearchQueryDaily.objects.filter(day=day, normalised_query=key)
        if rows.update(**{name: F(name) + n for name, n in totals.items()}):
            continue
        try:
            with transaction.atomic():
                SearchQueryDaily.objects.create(day=day, normalised_query=key, **totals)
        except IntegrityError:  # another process created the row first
            rows.update(**{name: F(name) + n for name, n in totals.items()})


_searches = BufferedCounts("search-queries", _search_queries_write)


def _ticket_ref(ticket_ref: str) -> str:
    ticket_ref = (ticket_ref or "").strip()
    if not ticket_ref or len(ticket_ref) > 64 or "\x00" in ticket_ref:
        raise ApiError(
            "Référence de ticket invalide (1 à 64 caractères).", field="ticketRef"
        )
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
    # Published, whatever its audience: an expired or password-protected page is
    # served to nobody, so no link may point at it.
    article = published(ArticlePage.objects.all()).filter(pk=article_id).first()
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
def ticket_article_draft_create(
    *,
    ticket_ref: str,
    company_id: int | None,
    title: str,
    problem: str,
    solution: str,
    product: str | None = None,
    version: str | None = None,
    audience: str = Audience.CLIENTS,
    category: str | None = None,
    created_by=None,
) -> TicketArticleLink:
    """A draft article from a ticket (KCS), in the « Relecture technique »
    workflow, linked to the ticket; one transaction: on any bad argument nothing
    is left, neither page nor link.

    The ticket's company is ``company_id``, else that of the ticket's earlier links.
    The link is public unless the audience is internal: its people see it once the
    article is published *and* readable by them (``ticket_links_for`` reads the
    article through ``articles_visible_to``, which never admits a draft)."""
    ticket_ref = _ticket_ref(ticket_ref)
    if company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
        if company is None:
            raise ApiError(
                "Société introuvable.", code="BAD_USER_INPUT", field="companyId"
            )
    else:
        earlier = (
            TicketArticleLink.objects.filter(ticket_ref=ticket_ref)
            .select_related("company")
            .order_by("created_at", "pk")
            .first()
        )
        if earlier is None:
            raise ApiError(
                "Indiquez la société du ticket (companyId) : ce ticket n'a encore "
                "aucun article lié.",
                field="companyId",
            )
        company = earlier.company
    person = created_by if getattr(created_by, "pk", None) else None
    article = article_draft_from_ticket_create(
        title=title,
        problem=problem,
        solution=solution,
        product_code=product,
        version=version,
        audience=audience,
        category_slug=category,
        companies=[company],
        user=person,
    )
    return TicketArticleLink.objects.create(
        ticket_ref=ticket_ref,
        article=article,
        company=company,
        internal=audience == Audience.INTERNAL,
        created_by=person,
    )


@transaction.atomic
def ticket_article_unlink(*, ticket_ref: str, article_id: int) -> bool:
    """Remove a link; False when there was none."""
    deleted, _ = TicketArticleLink.objects.filter(
        ticket_ref=_ticket_ref(ticket_ref), article_id=article_id
    ).delete()
    return bool(deleted)


# Index updates missed while the engine was down -----------------------------------
#
# The rows of PendingIndexUpdate are the only record: any process may write them (a
# web worker, the task worker, a shell, a command) and any process replays them. Each
# process looks for them at most once per SEARCH_REPLAY_RETRY_SECONDS (one EXISTS);
# a replay first claims its rows, so two processes never replay the same ones at once.

# How long a replay's claim holds: longer than one batch takes, short enough that the
# rows of a process killed mid-replay (a worker timeout) are soon taken by another.
REPLAY_CLAIM_SECONDS = 300

# When this process last looked for pending updates (monotonic clock, per process).
_last_check = float("-inf")


def pending_index_update_record(*, obj, action: str, error: str = "") -> None:
    """Remember that ``obj`` must be (re)indexed or removed; the latest action wins."""
    meta = obj._meta
    PendingIndexUpdate.objects.update_or_create(
        app_label=meta.app_label,
        model_name=meta.model_name,
        object_pk=str(obj.pk),
        defaults={"action": action, "error": error, "recorded_at": timezone.now()},
    )


def pending_index_updates_replay(*, limit: int = 500) -> int:
    """Replay recorded updates on the engine, oldest first; stops at the first
    failure (the engine is still down) and returns how many went through.

    The batch is claimed first: a replay running at the same time in another process
    takes other rows. Replaying a row twice is harmless (an object indexed twice);
    losing one is not, so a row is deleted only as it was read: recorded again
    meanwhile (a newer change the engine missed), it stays for the next replay."""
    backends = [
        b
        for b in get_search_backends(with_auto_update=True)
        if isinstance(b, DurableOpenSearchBackend)
    ]
    claim = uuid.uuid4().hex
    batch = _pending_index_updates_claim(claim=claim, limit=limit)
    done = 0
    try:
        for update in batch:
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
                break
            deleted, _ = PendingIndexUpdate.objects.filter(
                pk=update.pk, claim=claim, recorded_at=update.recorded_at
            ).delete()
            done += deleted
    finally:  # what is left (engine down again, recorded again) is free for anyone
        PendingIndexUpdate.objects.filter(
            pk__in=[update.pk for update in batch], claim=claim
        ).update(claim="", claimed_until=None)
    return done


def _pending_index_updates_claim(*, claim: str, limit: int) -> list[PendingIndexUpdate]:
    """Claim up to ``limit`` of the oldest unclaimed rows (or rows whose claim
    lapsed) for the replay ``claim``. One UPDATE decides: of two processes claiming
    at once, the second finds the rows claimed (SQLite runs one write at a time;
    PostgreSQL re-checks the condition on the row the first one updated)."""
    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    oldest = list(
        PendingIndexUpdate.objects.filter(free)
        .order_by("recorded_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not oldest:
        return []
    PendingIndexUpdate.objects.filter(free, pk__in=oldest).update(
        claim=claim, claimed_until=now + timedelta(seconds=REPLAY_CLAIM_SECONDS)
    )
    return list(
        PendingIndexUpdate.objects.filter(pk__in=oldest, claim=claim).order_by(
            "recorded_at", "pk"
        )
    )


def pending_index_updates_replay_if_any() -> int:
    """Cheap to call on every search and health check: at most once per
    SEARCH_REPLAY_RETRY_SECONDS this process asks the database whether anything
    waits (one EXISTS), and replays it if so; the other calls cost a clock read.
    So an update missed by any process is replayed within that delay of the engine
    answering again, and a down engine costs searches at most one failed attempt
    per delay and process."""
    global _last_check

    now = monotonic()
    if now - _last_check < settings.SEARCH_REPLAY_RETRY_SECONDS:
        return 0
    _last_check = now
    if not PendingIndexUpdate.objects.exists():
        return 0
    return pending_index_updates_replay()
