"""Article search on behalf of a caller; results only ever hold readable articles.

On the search engine, one request does it all (:mod:`search.engine`): the engine
applies the read rule itself (reader keys, :mod:`knowledge.readers`) and returns the
exact total, the page of (id, score) and the facet counts; the page's articles are then
read through :func:`knowledge.selectors.articles_visible_to`. The cost does not grow
with the knowledge base.

On the database backend (the embedded default, and the fallback while the engine is
down) the readable ids are computed in SQL and the backend searches only among them
when there are at most ``EXACT_ID_LIMIT``; past that, it searches with the coarse
audience prefilter and the hits are intersected with the readable set in SQL. Totals
and facets are then counted in SQL from the (at most ``MAX_MATCHES``) hits.
"""

from __future__ import annotations

import functools
import html
import math
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models import Count, Func, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.dispatch import receiver
from wagtail.search.backends import get_search_backend

from catalog.models import Product, ProductRelease
from catalog.selectors import product_releases_held_as, products_held_by
from cms.access import Caller
from cms.api.errors import ApiError
from cms.visibility import published
from knowledge.models import ArticlePage, Category
from knowledge.selectors import (
    ArticleFilters,
    articles_filtered,
    articles_visible_to,
    audiences_possible_for,
    category_and_descendant_ids,
    with_listing_relations,
)

from .engine import NOTHING_HELD, EngineFilters, Found, Held, engine_search
from .models import TicketArticleLink
from .synonyms import synonym_map
from .text import (
    STOP_WORDS,
    Analysis,
    adjacent_pairs,
    analyse,
    code_key,
    concept_coverage,
    field_keys,
    is_code,
    merge,
    stem,
    ticket_text,
    words,
)
from .vocabulary import corrections

MAX_RESULTS = 100
MAX_QUERY_LENGTH = 200
# Database backend: hits fetched per query (totals and facets are exact up to this).
MAX_MATCHES = 1000
# Database backend: up to this many readable articles, it gets their exact ids.
EXACT_ID_LIMIT = 10_000
SUGGESTIONS = 8
# Ticket suggestions re-rank this many hits with product, version and link boosts.
TICKET_CANDIDATES = 50
# A ticket's suggestions are a top-N, not a list that grows: `limit`, not pages.
TICKET_SUGGESTIONS_DEFAULT = 5
TICKET_SUGGESTIONS_MAX = 20
# A ticket is read as at most this many concepts (the subject's first).
TICKET_CONCEPTS = 14
# Database backend: the best hits (by the backend's own rank) re-ranked in Python.
RESCORED = 300
# An article about a product (or a release of a product) the asking company holds
# scores this many times more: all else equal it comes first; a clearly better
# answer about another product still wins (docs/relevance.md, "Ranking by holdings").
HOLDINGS_BOOST = 1.15
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


@dataclass
class SearchResult:
    total: int
    items: list[SearchHit]
    products: list[dict]
    categories: list[dict]
    # The query with its misspelt words corrected, when only that found something
    # (database backend; the engine forgives typos itself).
    did_you_mean: str | None = None


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


_backends: dict[str, object] = {}


def search_backend(name: str = "default"):
    """The configured backend, built once per process: Wagtail's
    ``get_search_backend`` builds a new one (and a new engine client, so a new TCP
    connection) on every call."""
    backend = _backends.get(name)
    if backend is None:
        backend = _backends[name] = get_search_backend(name)
    return backend


@receiver(setting_changed)
def _forget_backends(*, setting, **kwargs):
    if setting == "WAGTAILSEARCH_BACKENDS":
        _backends.clear()


def _with_fallback(run):
    """``run(backend)`` on the configured backend; on the database backend if the
    engine is down and one is configured, else a clear error."""
    try:
        return run(search_backend())
    except ENGINE_ERRORS:
        if "database" in settings.WAGTAILSEARCH_BACKENDS:
            return run(search_backend("database"))
        raise SearchUnavailable() from None


def _search(
    caller: Caller,
    query: str,
    *,
    analysis: Analysis,
    required: int | None = None,
    filters: ArticleFilters | None = None,
    offset: int = 0,
    limit: int = 10,
    facets: bool = False,
    rescore: bool = True,
    held: Held = NOTHING_HELD,
) -> Found:
    """One window of the articles ``caller`` may read that hold at least
    ``required`` of the query's concepts (default: the analysis's minimum), those
    about ``held`` products boosted (:data:`HOLDINGS_BOOST`).
    ``rescore=False``: the database backend's own order (the caller ranks)."""
    filters = filters or ArticleFilters()
    required = analysis.required if required is None else required

    def run(backend):
        if is_engine(backend):
            return engine_search(
                backend,
                caller=caller,
                query=query,
                operator="or",
                chosen=_engine_filters(filters),
                offset=offset,
                size=limit,
                facets=facets,
                analysis=analysis,
                required=required,
                held=held,
                held_boost=HOLDINGS_BOOST,
            )
        return _database_search(
            backend,
            caller,
            analysis,
            required,
            filters,
            offset,
            limit,
            facets,
            rescore,
            held,
        )

    return _with_fallback(run)


def _engine_filters(filters: ArticleFilters) -> EngineFilters:
    def ids(qs):
        return list(qs.values_list("pk", flat=True))

    return EngineFilters(
        category_ids=(
            category_and_descendant_ids(filters.category) if filters.category else None
        ),
        product_ids=(
            ids(Product.objects.filter(code=filters.product))
            if filters.product
            else None
        ),
        version_ids=(
            ids(ProductRelease.objects.filter(version=filters.version))
            if filters.version
            else None
        ),
    )


# The database backend ------------------------------------------------------------


def _database_search(
    backend,
    caller: Caller,
    analysis,
    required,
    filters,
    offset,
    limit,
    facets,
    rescore,
    held: Held,
) -> Found:
    readable = articles_filtered(articles_visible_to(caller), filters)
    matched = _database_hits(
        backend, readable, caller, analysis, required, rescore, held
    )
    ids = [pk for pk, _score in matched]
    found = Found(
        total=len(matched),
        ranked=matched[offset : offset + limit],
        best_score=matched[0][1] if matched else None,
    )
    if facets and ids:
        found.product_counts = dict(
            ArticlePage.products.through.objects.filter(articlepage_id__in=ids)
            .order_by()
            .values("product_id")
            .annotate(n=Count("articlepage_id", distinct=True))
            .values_list("product_id", "n")
        )
        found.category_counts = dict(
            ArticlePage.objects.filter(pk__in=ids)
            .order_by()
            .values("category_id")
            .annotate(n=Count("pk"))
            .values_list("category_id", "n")
        )
    return found


def _database_hits(
    backend,
    readable: QuerySet[ArticlePage],
    caller: Caller,
    analysis: Analysis,
    required: int,
    rescore: bool = True,
    held: Held = NOTHING_HELD,
) -> list[tuple[int, float | None]]:
    """(id, score) of the readable hits that hold ``required`` concepts, best first.

    The backend finds the articles holding any word of the query or its synonyms
    (SQLite: exact words, accents folded; PostgreSQL: its French configuration),
    then the best ``RESCORED`` are ranked here the way the engine ranks them: the
    concepts each holds (stemmed, a typo forgiven), where (title, summary, body),
    codes first, a phrase in the title, the backend's own rank as a tie-break. One
    query fetches the hits with their text: no query per hit."""
    candidates, allowed = _candidates(readable, caller)
    if allowed == set():
        return []
    terms = sorted(
        {
            token
            for concept in analysis.concepts
            for alternative in concept.alternatives
            for token in words(alternative.text)
            if token not in STOP_WORDS
        }
    )
    if not terms:
        return []
    light = candidates.only("id", "title", "summary", "body_text")
    if _is_sqlite_fts(backend):
        found = _fts_stem_ids(analysis, RESCORED)
        position = {pk: i for i, pk in enumerate(found)}
        pages = sorted(light.filter(pk__in=found), key=lambda p: position[p.pk])
    else:
        pages = list(backend.search(" ".join(terms), light, operator="or")[:RESCORED])
    if allowed is None:
        allowed = set(
            readable.filter(pk__in=[page.pk for page in pages]).values_list(
                "pk", flat=True
            )
        )
    if not rescore:
        return [(page.pk, None) for page in pages if page.pk in allowed]
    scored = []
    for position, page in enumerate(pages):
        if page.pk not in allowed:
            continue
        score = _article_score(analysis, required, page, position)
        if score is not None:
            scored.append((page.pk, score))
    if held and scored:
        about_held = _about_held([pk for pk, _score in scored], held)
        scored = [
            (pk, score * HOLDINGS_BOOST if pk in about_held else score)
            for pk, score in scored
        ]
    scored.sort(key=lambda hit: -hit[1])
    return scored


def _about_held(ids: list[int], held: Held) -> set[int]:
    """Which of ``ids`` are about a product, or a release, in ``held`` (one query)."""
    return set(
        ArticlePage.objects.filter(pk__in=ids)
        .filter(Q(products__in=held.product_ids) | Q(versions__in=held.release_ids))
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )


def _is_sqlite_fts(backend) -> bool:
    if connection.vendor != "sqlite":
        return False  # modelsearch's SQLite module cannot even be imported then
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

    return isinstance(backend, SQLiteSearchBackend)


def _fts_stem_ids(analysis: Analysis, limit: int) -> list[int]:
    """SQLite: ids of the articles whose FTS5 entry holds a word starting with the
    stem of any word of the query or its synonyms (« licences » → ``licenc*``, which
    finds « licence »), codes as exact phrases, best BM25 first. SQLite's own query
    asks for exact words only; its index already folds accents (unicode61)."""
    from modelsearch.conf import get_app_config
    from modelsearch.utils import get_descendants_content_types_pks

    index_app = get_app_config()  # wagtail.search's models under Wagtail
    IndexEntry = index_app.get_model("IndexEntry")
    SQLiteFTSIndexEntry = index_app.get_model("SQLiteFTSIndexEntry")

    parts = set()
    for concept in analysis.concepts:
        for alternative in concept.alternatives:
            tokens = [t for t in words(alternative.text) if t not in STOP_WORDS]
            prefixes = [
                f'"{code_key(t)}"' if is_code(t) else f'"{stem(t)}"*' for t in tokens
            ]
            if prefixes:
                parts.add(" AND ".join(prefixes))
    if not parts:
        return []
    fts, entries = SQLiteFTSIndexEntry._meta.db_table, IndexEntry._meta.db_table
    types = list(get_descendants_content_types_pks(ArticlePage))
    marks = ", ".join(["%s"] * len(types))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.object_id FROM {fts} f JOIN {entries} e ON e.id = f.rowid "
            f"WHERE {fts} MATCH %s AND e.content_type_id IN ({marks}) "
            f"ORDER BY bm25({fts}) LIMIT %s",
            [" OR ".join(f"({part})" for part in sorted(parts)), *types, limit],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _article_score(
    analysis: Analysis, required: int, page: ArticlePage, position: int
) -> float | None:
    """How well ``page`` answers ``analysis`` (positive, higher is better), or None
    when it holds fewer than ``required`` distinctive concepts and no error code."""
    coverage = concept_coverage(
        analysis, field_keys(page.title, page.summary, [page.body_text])
    )
    if coverage.matched < required and not coverage.codes:
        return None
    return (
        coverage.score + 1.5 * adjacent_pairs(analysis, page.title) + 1 / (2 + position)
    )


def _fts_safe(text: str) -> str:
    """The database backend hands words to SQLite's FTS5 as they are: a lone double
    quote there is a syntax error, not a character to find."""
    return " ".join(text.replace('"', " ").split()) or "_"


def _candidates(
    readable: QuerySet[ArticlePage], caller: Caller
) -> tuple[QuerySet[ArticlePage], set[int] | None]:
    """What the database backend searches, and the readable ids when they are known
    exactly (None: intersect the hits with ``readable`` afterwards)."""
    ids = list(
        readable.order_by()
        .values_list("pk", flat=True)
        .distinct()[: EXACT_ID_LIMIT + 1]
    )
    if len(ids) <= EXACT_ID_LIMIT:
        return ArticlePage.objects.live().filter(id__in=ids), set(ids)
    base = ArticlePage.objects.live()
    audiences = audiences_possible_for(caller)
    if audiences is not None:
        base = base.filter(audience__in=audiences)
    return base, None


# Results -------------------------------------------------------------------------


def _complete(
    ranked: list[tuple[int, float | None]],
    caller: Caller,
    fields: Collection[str] | None = None,
    *,
    body_text: bool = True,
) -> list[SearchHit]:
    """The ranked articles fetched through the one door (a stale index entry the
    caller may no longer read is dropped), with the relations of the GraphQL
    ``fields`` asked for (all when None), in a constant number of queries.
    ``body_text=False``: without the body's plain text (the index's, the largest
    column), for callers that neither output nor highlight it."""
    ids = [pk for pk, _score in ranked]
    readable = articles_visible_to(caller).filter(pk__in=ids)
    if not body_text:
        readable = readable.defer("body_text")
    full = with_listing_relations(readable, caller=caller, fields=fields).in_bulk()
    return [SearchHit(full[pk], score) for pk, score in ranked if pk in full]


def _facet_rows(model: type[Model], counts: dict[int, int], key: str) -> list[dict]:
    """``[{key, name, count}]`` for the ids counted, most frequent first."""
    if not counts:
        return []
    names = facet_names(model, key)
    if not counts.keys() <= names.keys():  # one created in another process
        facet_names_forget(model)
        names = facet_names(model, key)
    rows = [
        {key: names[pk][0], "name": names[pk][1], "count": n}
        for pk, n in counts.items()
        if pk in names
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["name"]))


# Facets name products and categories: a few dozen rows, read on every search, and
# renamed a few times a year. Kept in Django's cache (shared by every process when
# CACHE_URL names a shared cache), forgotten when one is saved or deleted
# (search.apps) and, in any case, after FACET_NAMES_SECONDS: with a per-process cache
# (locmem, the default), that bounds how long another process shows an old name.
FACET_NAMES_SECONDS = 60


def _facet_names_key(model: type[Model]) -> str:
    return f"search:facet-names:{model._meta.label_lower}"


def facet_names(model: type[Model], key: str) -> dict[int, tuple[str, str]]:
    """``{pk: (key, name)}`` of every row of ``model`` (Product or Category)."""
    cache_key = _facet_names_key(model)
    names = cache.get(cache_key)
    if names is None:
        names = {
            pk: (value, name)
            for pk, value, name in model.objects.values_list("pk", key, "name")
        }
        cache.set(cache_key, names, FACET_NAMES_SECONDS)
    return names


def facet_names_forget(model: type[Model]) -> None:
    """Forget the cached names of ``model``'s rows (at once, and when the current
    transaction commits: a search in between may have read the old ones)."""
    cache_key = _facet_names_key(model)
    cache.delete(cache_key)
    transaction.on_commit(lambda: cache.delete(cache_key))


def facet_names_changed(sender, **kwargs) -> None:
    """``post_save`` / ``post_delete`` of Product and Category (search.apps)."""
    facet_names_forget(sender)


def _terms(query: str) -> list[str]:
    return [normalise(w) for w in WORD.findall(query) if len(w) > 1]


@functools.lru_cache(maxsize=8192)
def _normalised(word: str) -> str:
    return normalise(word)


def _matcher(terms: list[str]):
    """Whether a word matches one of ``terms``: the exact word, or a shared stem of
    4+ letters (licence ~ licences)."""
    exact = frozenset(terms)
    stems = tuple(term[: max(4, len(term) - 2)] for term in terms if len(term) >= 4)

    def matches(word: str) -> bool:
        word = _normalised(word)
        return word in exact or word.startswith(stems)

    return matches


def highlight(text: str, query: str, *, width: int = 160) -> list[str]:
    """A short snippet of ``text`` around the first matched word, matches in <mark>."""
    matches = _matcher(_terms(query))
    words = list(WORD.finditer(text))
    matched = [m for m in words if matches(m.group())]
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


# Public selectors ----------------------------------------------------------------


def holdings_for(*, caller: Caller, company_id: int | None = None) -> Held:
    """The products, and their releases, whose articles a search on behalf of
    ``caller`` ranks first, all else equal: those the company holds today (current
    subscriptions and licences in force, a collection counting for what it
    includes: :func:`catalog.selectors.products_held_by`).

    The company is a client's own, a service's when it acts for one
    (:meth:`Caller.acting_for`), or ``company_id`` when staff or the ticketing
    system name the ticket's company; nobody else's holdings are ever read. One SQL
    query; none when there is no company (anonymous, staff searching for
    themselves)."""
    if company_id is None or not can_use_tickets(caller):
        company_id = caller.company_id if caller.reads_as_client else None
    if company_id is None:
        return NOTHING_HELD
    if company_id == caller.company_id:  # read once per request (reader keys too)
        rows = product_releases_held_as(caller)
    else:
        rows = (
            Product.objects.filter(pk__in=products_held_by(company_id=company_id))
            .order_by()
            .values_list("pk", "releases__pk")
        )
    products: set[int] = set()
    releases: set[int] = set()
    for product_id, release_id in rows:
        products.add(product_id)
        if release_id is not None:
            releases.add(release_id)
    return Held(frozenset(products), frozenset(releases))


def _relative(ranked: list[tuple[int, float | None]], best: float | None):
    """Scores on one documented scale on both backends: relative to the best match
    of the query (1.0), so (0, 1], higher is better."""
    if not best:
        return ranked
    return [(pk, round(score / best, 4) if score else None) for pk, score in ranked]


def _highlight_terms(query: str, analysis: Analysis) -> str:
    return " ".join([query, *(t for c in analysis.concepts for t in c.texts)])


def articles_search_for(
    *,
    caller: Caller,
    query: str,
    product: str | None = None,
    version: str | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int = 10,
    fields: Collection[str] | None = None,
) -> SearchResult:
    """A page of the articles ``caller`` may read that match ``query``, with the total
    and the product/category facets of every match (``fields``: see _complete).
    For a client, articles about what its company holds come first, all else equal
    (:func:`holdings_for`)."""
    query = clean_query(query)
    analysis = analyse(query, synonym_map())
    if not analysis.concepts:
        return SearchResult(total=0, items=[], products=[], categories=[])
    held = holdings_for(caller=caller)

    def run(analysis: Analysis) -> Found:
        return _search(
            caller,
            query,
            analysis=analysis,
            filters=ArticleFilters(product=product, version=version, category=category),
            offset=offset,
            limit=limit,
            facets=True,
            held=held,
        )

    found = run(analysis)
    did_you_mean = None
    if found.total == 0 and not is_engine(search_backend()):
        # Nothing: misspelt words corrected from the articles' vocabulary
        # (trigrams on PostgreSQL), once.
        asked = words(query)
        fixed = corrections(asked)
        if fixed:
            corrected = " ".join(fixed.get(word, word) for word in asked)
            corrected_analysis = analyse(corrected, synonym_map())
            retry = run(corrected_analysis)
            if retry.total:
                found, did_you_mean = retry, corrected
                query, analysis = corrected, corrected_analysis  # for highlights
    items = _complete(
        _relative(found.ranked, found.best_score), caller, fields, body_text=False
    )
    marks = _highlight_terms(query, analysis)
    for hit in items:
        hit.highlights = highlight(hit.article.summary, marks)
    # A hit the index still had but the caller may no longer read (it became
    # internal a moment ago, and the index update is on its way) is dropped from
    # the items: the total drops it too, so the two never contradict each other.
    stale = len(found.ranked) - len(items)
    return SearchResult(
        total=max(found.total - stale, offset + len(items)),
        items=items,
        products=_facet_rows(Product, found.product_counts, "code"),
        categories=_facet_rows(Category, found.category_counts, "slug"),
        did_you_mean=did_you_mean,
    )


def article_suggestions_for(
    *, caller: Caller, prefix: str, fields: Collection[str] | None = None
) -> list[ArticlePage]:
    """Titles completing ``prefix`` among the articles ``caller`` may read, accents
    folded (« désinst » = « desinst »), titles that start with the prefix first;
    when no title completes it, a search of its words (a misspelt word still finds
    its article, on both backends)."""
    prefix = clean_query(prefix)
    folded = " ".join(words(prefix))
    if not folded:
        return []

    def run(backend):
        if is_engine(backend):
            return engine_search(
                backend,
                caller=caller,
                query=folded,
                size=3 * SUGGESTIONS,
                autocomplete=True,
            ).ranked
        readable = articles_visible_to(caller)
        qs, allowed = _candidates(readable, caller)
        if allowed == set():
            return []
        # SQLite folds accents in its index; PostgreSQL's autocomplete index
        # (modelsearch's "simple" configuration) does not: ask as typed, then folded,
        # then (PostgreSQL) the unaccented titles whose words start as the prefix's.
        ranked: dict[int, None] = {}
        for asked in dict.fromkeys([prefix, folded]):
            pages = backend.autocomplete(_fts_safe(asked), qs.only("id"))
            for page in pages[: 3 * SUGGESTIONS]:
                ranked.setdefault(page.pk, None)
        if connection.vendor == "postgresql" and len(ranked) < SUGGESTIONS:
            for pk in _unaccented_title_matches(qs, folded)[: 3 * SUGGESTIONS]:
                ranked.setdefault(pk, None)
        return list(ranked.items())

    ranked = _with_fallback(run)
    if not ranked:
        analysis = analyse(prefix, synonym_map())
        if analysis.concepts:
            ranked = _search(
                caller, prefix, analysis=analysis, limit=SUGGESTIONS
            ).ranked
    hits = _complete(ranked, caller, fields, body_text=False)
    hits.sort(key=lambda hit: _title_rank(hit.article.title, folded))
    return [hit.article for hit in hits[:SUGGESTIONS]]


def _unaccented_title_matches(qs: QuerySet[ArticlePage], folded: str) -> list[int]:
    """PostgreSQL: ids of the articles whose unaccented title has a word starting
    with each word of ``folded`` (the ``unaccent`` extension of migration 0003)."""
    titled = qs.alias(folded_title=Func(Lower("title"), function="unaccent"))
    for word in folded.split():
        titled = titled.filter(folded_title__regex=r"\m" + re.escape(word))
    return list(titled.order_by("title").values_list("pk", flat=True))


def _title_rank(title: str, folded_prefix: str) -> int:
    """0: the title starts with the prefix; 1: each word of the prefix starts a
    word of the title; 2: otherwise (the backend's order is kept within each)."""
    title_words = words(title)
    if " ".join(title_words).startswith(folded_prefix):
        return 0
    if all(any(w.startswith(p) for w in title_words) for p in folded_prefix.split()):
        return 1
    return 2


def pages_search_for(
    *, caller: Caller, query: str, limit: int = MAX_RESULTS
) -> list[ArticlePage]:
    """Full-text search of the articles ``caller`` may read, best first."""
    query = clean_query(query)
    analysis = analyse(query, synonym_map())
    if not analysis.concepts:
        return []
    found = _search(
        caller, query, analysis=analysis, limit=limit, held=holdings_for(caller=caller)
    )
    return [hit.article for hit in _complete(found.ranked, caller)]


# Ticket linkage ----------------------------------------------------------------


def can_use_tickets(caller: Caller) -> bool:
    """Staff, and machine clients with the ``tickets`` scope."""
    return caller.works_tickets


def require_tickets_access(caller: Caller) -> None:
    if can_use_tickets(caller):
        return
    if caller.is_anonymous:
        raise ApiError("Authentification requise.", code="UNAUTHENTICATED")
    raise ApiError("Accès refusé : portée « tickets » requise.", code="FORBIDDEN")


def ticket_suggestions_for(
    *,
    caller: Caller,
    subject: str,
    description: str | None = None,
    product: str | None = None,
    version: str | None = None,
    company_id: int | None = None,
    limit: int = TICKET_SUGGESTIONS_DEFAULT,
    fields: Collection[str] | None = None,
) -> list[SearchHit]:
    """Articles for a ticket's text, boosted by product/version and by articles already
    linked to tickets, and (all else equal) about what the ticket's company holds
    (``company_id``, :func:`holdings_for`). Staff read everything; the ticketing
    system reads what the ticket's company reads."""
    require_tickets_access(caller)
    if not 1 <= limit <= TICKET_SUGGESTIONS_MAX:
        raise ApiError(
            f"« limit » doit être compris entre 1 et {TICKET_SUGGESTIONS_MAX} "
            f"(reçu : {limit}).",
            field="limit",
        )
    reader = caller.acting_for(company_id)
    clean_query(subject)
    subject_text, question = ticket_text(
        subject, CONTROL_CHARS.sub(" ", description or "")
    )
    synonyms = synonym_map()
    analysis = merge(
        analyse(subject_text, synonyms),
        analyse(question, synonyms, limit=40),
        limit=TICKET_CONCEPTS,
    )
    if not analysis.concepts:
        return []
    text = " ".join(f"{subject_text} {question}".split())[:MAX_QUERY_LENGTH]
    ranked = _search(
        reader,
        text,
        analysis=analysis,
        required=1,
        limit=TICKET_CANDIDATES,
        rescore=False,  # ranked below, with the relevance floor
    ).ranked
    if not ranked:
        return []
    ids = [pk for pk, _score in ranked]
    candidates = ArticlePage.objects.filter(id__in=ids)
    texts = candidates.only("id", "title", "summary", "body_text").in_bulk()
    with_product = (
        set(_ids(articles_filtered(candidates, ArticleFilters(product=product))))
        if product
        else set()
    )
    with_version = (
        set(_ids(articles_filtered(candidates, ArticleFilters(version=version))))
        if version
        else set()
    )
    held = holdings_for(caller=caller, company_id=company_id)
    about_held = _about_held(ids, held) if held else set()
    linked = dict(
        TicketArticleLink.objects.filter(article_id__in=ids)
        .values_list("article_id")
        .annotate(n=Count("ticket_ref", distinct=True))
        .values_list("article_id", "n")
    )

    scored = []
    for position, (pk, _score) in enumerate(ranked):
        page = texts.get(pk)
        if page is None:
            continue
        score = _ticket_score(analysis, page, position)
        if score is None:
            continue
        score *= 1.5 if pk in with_product else 1
        score *= 1.25 if pk in with_version else 1
        score *= 1 + 0.25 * math.log1p(linked.get(pk, 0))
        score *= HOLDINGS_BOOST if pk in about_held else 1
        scored.append((pk, score))
    scored.sort(key=lambda hit: -hit[1])
    best = scored[:limit]
    hits = _complete(_relative(best, best[0][1] if best else None), reader, fields)
    marks = _highlight_terms(text, analysis)
    for hit in hits:
        hit.highlights = highlight(hit.article.summary, marks) or highlight(
            hit.article.body_text, marks
        )
    return hits


# A ticket's suggestion must hold an error code of the ticket, or this many of its
# distinctive concepts and this score (see search.text.concept_coverage): below,
# nothing in the knowledge base answers it and the list is empty.
TICKET_MIN_CONCEPTS = 2
TICKET_MIN_SCORE = 9.0


def under_ticket_floor(analysis: Analysis, coverage) -> bool:
    """Whether an article covering ``coverage`` of the query is under the relevance
    floor of ticket suggestions (the knowledge-gaps report uses the same rule)."""
    # A short ticket ("zorglub") cannot hold two concepts, nor score much.
    needed = min(TICKET_MIN_CONCEPTS, len(analysis.distinctive))
    best_possible = sum(3.0 * c.weight for c in analysis.concepts)
    return not coverage.codes and (
        coverage.matched < needed
        or coverage.score < min(TICKET_MIN_SCORE, 0.5 * best_possible)
    )


def _ticket_score(analysis: Analysis, page: ArticlePage, position: int) -> float | None:
    coverage = concept_coverage(
        analysis, field_keys(page.title, page.summary, [page.body_text])
    )
    if under_ticket_floor(analysis, coverage):
        return None
    return (
        coverage.score + 1.5 * adjacent_pairs(analysis, page.title) + 1 / (2 + position)
    )


def _ids(qs: QuerySet[ArticlePage]) -> list[int]:
    return list(qs.order_by().values_list("pk", flat=True).distinct())


def ticket_links_for(*, caller: Caller, ticket_ref: str) -> QuerySet:
    """The links of one ticket the caller may see: all of them for staff and the
    ticketing system; for a client, its company's public links (not internal ones)
    to articles it may read."""
    links = TicketArticleLink.objects.filter(ticket_ref=ticket_ref).select_related(
        "article", "company"
    )
    if can_use_tickets(caller):
        # Every link, internal ones too, to an article still served (not one
        # that has expired or been unpublished since).
        served = published(ArticlePage.objects.all()).values("pk")
        return links.filter(article__in=served).order_by("created_at", "pk")
    if not caller.is_client:
        return links.none()
    return links.filter(
        company_id=caller.company_id,
        internal=False,
        article__in=articles_visible_to(caller).values("pk"),
    ).order_by("created_at", "pk")


# The articles of a company's earlier tickets a ticket's context lists, at most.
LINKED_ARTICLES = 10


def ticket_linked_articles_for(
    *,
    caller: Caller,
    company_id: int,
    product: str | None = None,
    limit: int = LINKED_ARTICLES,
    fields: Collection[str] | None = None,
) -> list[ArticlePage]:
    """The articles engineers linked to ``company_id``'s tickets (about ``product``,
    a code: articles about it), most recently linked first, among those the company
    may read (:meth:`Caller.for_ticket_of`): the ticketing system shows them to the
    client. For staff and the ticketing system (``fields``: see
    :func:`knowledge.selectors.with_listing_relations`)."""
    require_tickets_access(caller)
    reader = caller.for_ticket_of(company_id)
    links = TicketArticleLink.objects.filter(company_id=company_id)
    last_linked = (
        links.filter(article_id=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    articles = articles_visible_to(reader).filter(pk__in=links.values("article_id"))
    if product:
        articles = articles.filter(
            pk__in=ArticlePage.products.through.objects.filter(
                product__code__iexact=product
            ).values("articlepage_id")
        )
    ranked = articles.annotate(last_linked=Subquery(last_linked)).order_by(
        "-last_linked", "-pk"
    )
    return list(with_listing_relations(ranked, caller=reader, fields=fields)[:limit])
