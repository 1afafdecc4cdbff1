"""Article search on behalf of a caller; results only ever hold readable articles.

Every path starts from :func:`knowledge.selectors.articles_visible_to`. When the
readable (and filtered) articles are few enough, their ids are computed in SQL and the
backend searches only among them (``id`` is an indexed filter field on every backend).
Past ``EXACT_ID_LIMIT`` (a large knowledge base), the backend searches with the coarse
audience prefilter (:func:`knowledge.selectors.audiences_possible_for`) and the hits are
intersected with the readable set in SQL. Either way totals and facets are counted in
SQL from hits the caller may read.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from wagtail.search.backends import get_search_backend

from catalog.models import Product
from cms.api.errors import ApiError
from cms.visibility import is_staff
from knowledge.models import ArticlePage, Category
from knowledge.selectors import (
    articles_visible_to,
    audiences_possible_for,
    category_and_descendant_ids,
    with_listing_relations,
)

from .models import TicketArticleLink

MAX_RESULTS = 100
MAX_QUERY_LENGTH = 200
# Hits fetched from the backend per query: totals and facets are exact up to this.
MAX_MATCHES = 1000
# Up to this many readable articles, the backend gets their exact ids.
EXACT_ID_LIMIT = 10_000
SUGGESTIONS = 8
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WORD = re.compile(r"\w[\w.\-]*\w|\w", re.UNICODE)

try:  # the engine's client is only needed when SEARCH_URL is set
    from opensearchpy.exceptions import OpenSearchException

    ENGINE_ERRORS: tuple[type[BaseException], ...] = (OpenSearchException,)
except ImportError:  # pragma: no cover
    ENGINE_ERRORS = ()


class SearchUnavailable(ApiError):
    def __init__(self):
        super().__init__(
            "La recherche est momentanément indisponible.", code="SEARCH_UNAVAILABLE"
        )


@dataclass
class SearchHit:
    article: ArticlePage
    score: float | None
    highlights: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Matched:
    """A hit before its article is fetched: what ranking and facets need."""

    pk: int
    title: str


@dataclass
class SearchResult:
    total: int
    items: list[SearchHit]
    products: list[dict]
    categories: list[dict]


def clean_query(query: str | None) -> str:
    """The query without control characters, or a clear error."""
    cleaned = CONTROL_CHARS.sub(" ", query or "").strip()
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise ApiError("La recherche est vide : saisissez au moins un mot.")
    if len(cleaned) > MAX_QUERY_LENGTH:
        raise ApiError(
            f"Recherche trop longue (query too long) : {MAX_QUERY_LENGTH} "
            "caractères au plus."
        )
    return cleaned


def normalise(text: str) -> str:
    """Lowercase, accents removed: the form analytics and highlighting compare."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_engine(backend) -> bool:
    """An Elasticsearch/OpenSearch backend (fuzzy queries exist there only)."""
    from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend

    return isinstance(backend, ElasticsearchBaseSearchBackend)


def _with_fallback(run):
    """``run(backend)`` on the configured backend; on the database backend if the
    engine is down and one is configured, else a clear error."""
    try:
        return run(get_search_backend())
    except ENGINE_ERRORS:
        if "database" in settings.WAGTAILSEARCH_BACKENDS:
            return run(get_search_backend("database"))
        raise SearchUnavailable() from None


def _candidates(
    readable: QuerySet[ArticlePage], reader
) -> tuple[QuerySet[ArticlePage], set[int] | None]:
    """What the backend searches, and the readable ids when they are known exactly
    (None: intersect the hits with ``readable`` afterwards)."""
    ids = list(
        readable.order_by()
        .values_list("pk", flat=True)
        .distinct()[: EXACT_ID_LIMIT + 1]
    )
    if len(ids) <= EXACT_ID_LIMIT:
        return ArticlePage.objects.live().filter(id__in=ids), set(ids)
    base = ArticlePage.objects.live()
    audiences = audiences_possible_for(reader)
    if audiences is not None:
        base = base.filter(audience__in=audiences)
    return base, None


def _readable_among(readable, hits, allowed: set[int] | None) -> list[SearchHit]:
    if allowed is None:
        allowed = set(
            readable.filter(pk__in=[hit.article.pk for hit in hits]).values_list(
                "pk", flat=True
            )
        )
    return [hit for hit in hits if hit.article.pk in allowed]


def _hits(
    readable: QuerySet[ArticlePage], reader, query: str, *, operator: str = "and"
) -> list[SearchHit]:
    """Backend hits among the ``readable`` articles, best first (title match first)."""
    candidates, allowed = _candidates(readable, reader)
    if allowed == set():
        return []

    def run(backend):
        # Up to MAX_MATCHES hits feed the total and the facets: fetch them light
        # (id and title); the page shown is fetched whole by _complete().
        if is_engine(backend):
            return _engine_hits(backend, query, candidates, operator)
        light = candidates.only("id", "title")
        results = backend.search(query, light, operator=operator)
        results = results.annotate_score("score")
        return [
            SearchHit(_Matched(page.pk, page.title), page.score)
            for page in results[:MAX_MATCHES]
        ]

    hits = _readable_among(readable, _with_fallback(run), allowed)
    terms = _terms(query)
    # Backends weigh titles differently (SQLite's bm25 hardly at all): a title that
    # holds a query word ranks above a body-only match everywhere.
    hits.sort(key=lambda hit: not _matches_any(hit.article.title, terms))
    return hits


def _engine_hits(backend, query, candidates, operator) -> list[SearchHit]:
    """(id, score) of up to MAX_MATCHES hits in ONE engine request, then their
    titles in one SQL query. modelsearch would page through the hits with the scroll
    API and load every one as a model instance."""
    # FIXME: modelsearch has no public "ids and scores only" call; this uses its
    # query body builder and transport (version pinned in constraints.txt).
    results = backend.search(query, candidates, operator=operator)
    response = results._backend_do_search(
        results._get_es_body(),
        index=backend.get_index_for_model(ArticlePage).name,
        _source=False,
        stored_fields="pk",
        size=MAX_MATCHES,
    )
    scores = {int(h["fields"]["pk"][0]): h["_score"] for h in response["hits"]["hits"]}
    titles = dict(
        ArticlePage.objects.filter(pk__in=list(scores)).values_list("pk", "title")
    )
    return [
        SearchHit(_Matched(pk, titles[pk]), score)
        for pk, score in scores.items()
        if pk in titles
    ]


def _complete(hits: list[SearchHit], user) -> list[SearchHit]:
    """The hits with their articles fetched whole, with everything the article type
    resolves, in a constant number of queries."""
    full = with_listing_relations(
        ArticlePage.objects.filter(pk__in=[hit.article.pk for hit in hits]), user=user
    ).in_bulk()
    return [
        SearchHit(full[hit.article.pk], hit.score, hit.highlights)
        for hit in hits
        if hit.article.pk in full
    ]


def _terms(query: str) -> list[str]:
    return [normalise(w) for w in WORD.findall(query) if len(w) > 1]


def _word_matches(word: str, terms: list[str]) -> bool:
    word = normalise(word)
    for term in terms:
        # a shared stem of 4+ letters (licence ~ licences) or the exact word
        stem = term[: max(4, len(term) - 2)]
        if word == term or (len(term) >= 4 and word.startswith(stem)):
            return True
    return False


def _matches_any(text: str, terms: list[str]) -> bool:
    return any(_word_matches(w, terms) for w in WORD.findall(text))


def highlight(text: str, query: str, *, width: int = 160) -> list[str]:
    """A short snippet of ``text`` around the first matched word, matches in <mark>."""
    terms = _terms(query)
    words = list(WORD.finditer(text))
    matched = [m for m in words if _word_matches(m.group(), terms)]
    if not matched:
        return []
    start = max(0, matched[0].start() - width // 3)
    end = min(len(text), start + width)
    out, cursor = [], start
    for m in matched:
        if m.start() < start or m.end() > end:
            continue
        out.append(html.escape(text[cursor : m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>")
        cursor = m.end()
    out.append(html.escape(text[cursor:end]))
    snippet = "".join(out).strip()
    return [("…" if start else "") + snippet + ("…" if end < len(text) else "")]


def _filtered(
    qs: QuerySet[ArticlePage],
    *,
    product: str | None = None,
    version: str | None = None,
    category: str | None = None,
) -> QuerySet[ArticlePage]:
    if category:
        qs = qs.filter(category_id__in=category_and_descendant_ids(category))
    if product:
        qs = qs.filter(products__code=product)
    if version:
        qs = qs.filter(versions__version=version)
    return qs


def _ids(qs: QuerySet[ArticlePage]) -> list[int]:
    return list(qs.order_by().values_list("pk", flat=True).distinct())


def articles_search_for(
    *,
    user,
    query: str,
    product: str | None = None,
    version: str | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> SearchResult:
    """A page of the articles ``user`` may read that match ``query``, with the total
    and the product/category facets of every match."""
    query = clean_query(query)
    readable = _filtered(
        articles_visible_to(user), product=product, version=version, category=category
    )
    hits = _hits(readable, user, query)
    items = _complete(hits[offset : offset + limit], user)
    for hit in items:
        hit.highlights = highlight(hit.article.summary, query)
    matched = [hit.article.pk for hit in hits]
    return SearchResult(
        total=len(hits),
        items=items,
        products=_product_facets(matched),
        categories=_category_facets(matched),
    )


def _product_facets(ids: list[int]) -> list[dict]:
    if not ids:
        return []
    return list(
        Product.objects.filter(articles__in=ids)
        .annotate(count=Count("articles", filter=Q(articles__in=ids), distinct=True))
        .order_by("-count", "name")
        .values("code", "name", "count")
    )


def _category_facets(ids: list[int]) -> list[dict]:
    if not ids:
        return []
    return list(
        Category.objects.filter(articles__in=ids)
        .annotate(count=Count("articles", filter=Q(articles__in=ids), distinct=True))
        .order_by("-count", "name")
        .values("slug", "name", "count")
    )


def article_suggestions_for(*, user, prefix: str) -> list[ArticlePage]:
    """Titles completing ``prefix`` among the articles ``user`` may read; on the engine
    a misspelt word still finds its article (fuzzy match)."""
    prefix = clean_query(prefix)
    readable = articles_visible_to(user)
    qs, allowed = _candidates(readable, user)
    if allowed == set():
        return []

    def run(backend):
        found = list(backend.autocomplete(prefix, qs)[:SUGGESTIONS])
        if not found and is_engine(backend):
            from wagtail.search.query import Fuzzy

            found = list(backend.search(Fuzzy(prefix), qs)[:SUGGESTIONS])
        return found

    found = _with_fallback(run)
    hits = _readable_among(readable, [SearchHit(page, None) for page in found], allowed)
    return [hit.article for hit in _complete(hits, user)]


def pages_search_for(
    *, user, query: str, limit: int = MAX_RESULTS
) -> list[ArticlePage]:
    """Full-text search of the articles ``user`` may read, best first."""
    query = clean_query(query)
    hits = _hits(articles_visible_to(user), user, query)
    return [hit.article for hit in _complete(hits[:limit], user)]


# Ticket linkage ----------------------------------------------------------------


@dataclass(frozen=True)
class CompanyReader:
    """Reads articles as any member of one client company (for the ticketing system).
    ``company_id=0`` (no such company) reads what every client reads."""

    company_id: int
    is_authenticated: bool = True
    is_staff: bool = False


ANY_CLIENT = CompanyReader(company_id=0)


def can_use_tickets(*, user, service_token) -> bool:
    return is_staff(user) or (
        service_token is not None and service_token.has_scope("tickets")
    )


def require_tickets_access(*, user, service_token) -> None:
    if can_use_tickets(user=user, service_token=service_token):
        return
    if service_token is None and not getattr(user, "is_authenticated", False):
        raise ApiError("Authentification requise.", code="UNAUTHENTICATED")
    raise ApiError("Accès refusé : portée « tickets » requise.", code="FORBIDDEN")


def ticket_suggestions_for(
    *,
    user,
    service_token,
    subject: str,
    description: str | None = None,
    product: str | None = None,
    version: str | None = None,
    company_id: int | None = None,
    limit: int = 5,
) -> list[SearchHit]:
    """Articles for a ticket's text, boosted by product/version and by articles already
    linked to tickets. Staff read everything; the ticketing system reads what the
    ticket's company reads (public and clients articles without a company)."""
    require_tickets_access(user=user, service_token=service_token)
    if not 1 <= limit <= 20:
        raise ApiError("'limit' must be between 1 and 20.")
    if is_staff(user):
        reader = user
    elif company_id is not None:
        reader = CompanyReader(company_id=company_id)
    else:
        reader = ANY_CLIENT
    text = clean_query(subject)
    extra = CONTROL_CHARS.sub(" ", description or "")
    text = " ".join(f"{text} {extra}".split())[:MAX_QUERY_LENGTH]
    hits = _hits(articles_visible_to(reader), reader, text, operator="or")[:50]
    if not hits:
        return []
    ids = [hit.article.pk for hit in hits]
    with_product = (
        set(_ids(_filtered(ArticlePage.objects.filter(id__in=ids), product=product)))
        if product
        else set()
    )
    with_version = (
        set(_ids(_filtered(ArticlePage.objects.filter(id__in=ids), version=version)))
        if version
        else set()
    )
    linked = dict(
        TicketArticleLink.objects.filter(article_id__in=ids)
        .values_list("article_id")
        .annotate(n=Count("ticket_ref", distinct=True))
        .values_list("article_id", "n")
    )

    def rank(position_hit):
        position, hit = position_hit
        base = 1 / (1 + 0.2 * position)  # backend order, gently decreasing
        base *= 1.5 if hit.article.pk in with_product else 1
        base *= 1.25 if hit.article.pk in with_version else 1
        return base * (1 + 0.25 * math.log1p(linked.get(hit.article.pk, 0)))

    ranked = sorted(enumerate(hits), key=rank, reverse=True)
    return _complete([hit for _position, hit in ranked[:limit]], reader)


def ticket_links_for(*, user, service_token, ticket_ref: str) -> QuerySet:
    """The links of one ticket the caller may see: all of them for staff and the
    ticketing system; for a client, its company's links to articles it may read."""
    links = TicketArticleLink.objects.filter(ticket_ref=ticket_ref).select_related(
        "article", "company"
    )
    if can_use_tickets(user=user, service_token=service_token):
        return links.order_by("created_at", "pk")
    company_id = getattr(user, "company_id", None)
    if not getattr(user, "is_authenticated", False) or company_id is None:
        return links.none()
    return links.filter(
        company_id=company_id, article__in=articles_visible_to(user).values("pk")
    ).order_by("created_at", "pk")
