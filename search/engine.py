"""Article search on the engine (OpenSearch/Elasticsearch): ONE request per search.

The engine applies the whole read rule itself (live, not expired, not under a view
restriction, and the caller's reader keys of :mod:`knowledge.readers`), so it returns
the exact total, the requested window of (id, score) and the facet counts in one
response, whatever the size of the knowledge base. Callers then fetch the window's
articles through :func:`knowledge.selectors.articles_visible_to` (the one door), which
also drops a hit whose index document is stale.

modelsearch builds the text part of the query (fields, boosts, analysers, operator,
autocomplete and fuzzy variants); this module adds the filters, window and
aggregations, and reads ids and scores only (no model instances, no scroll).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from wagtail.search import index

from cms.access import Caller
from cms.visibility import restricted_sections
from knowledge.models import ArticlePage
from knowledge.readers import reader_keys_for

from .synonyms import ENGINE_ANALYZER
from .text import Analysis, synonym_key

# Facet buckets returned per facet (there are a few dozen products and categories).
FACET_SIZE = 200
# A title that holds the query words weighs this much more than its share of _all_text.
TITLE_BOOST = 3.0
# Where a concept is looked for: the title, the boosted catch-all (title, summary,
# tags, products) and the catch-all of everything (body included).
CONCEPT_FIELDS = ["title^3", "_all_text_boost_2_0^2", "_all_text"]


@dataclass(frozen=True)
class EngineFilters:
    """Restrictions chosen by the caller (None: no restriction on that field)."""

    category_ids: list[int] | None = None
    product_ids: list[int] | None = None
    version_ids: list[int] | None = None


@dataclass(frozen=True)
class Held:
    """Products and releases a company holds: its articles are boosted, not kept."""

    product_ids: frozenset[int] = frozenset()
    release_ids: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.product_ids or self.release_ids)


NOTHING_HELD = Held()


@dataclass
class Found:
    """What one engine request found: the exact total, the requested window of
    (article id, score), best first, and facet counts by product and category id."""

    total: int
    ranked: list[tuple[int, float | None]]
    product_counts: dict[int, int] = field(default_factory=dict)
    category_counts: dict[int, int] = field(default_factory=dict)
    best_score: float | None = None  # of the whole answer, not only of the window


@cache
def _column(backend_mapping_class, name: str) -> str:
    """The index field that holds ArticlePage's search field ``name``."""
    mapping = backend_mapping_class(ArticlePage)
    for search_field in ArticlePage.get_search_fields():
        is_filter = isinstance(search_field, index.FilterField)
        if is_filter and search_field.field_name == name:
            return mapping.get_field_column_name(search_field)
    raise LookupError(name)  # pragma: no cover - a renamed search field


def read_rule_clauses(backend, caller: Caller) -> tuple[list[dict], list[dict]]:
    """(filter, must_not) clauses that keep exactly the articles ``caller`` may read:
    :func:`cms.visibility.published` and the audience rule, stated for the engine.
    Costs one SQL query (view restrictions), plus one for a client (held products)."""

    def col(name):
        return _column(backend.mapping_class, name)

    expire_at = col("expire_at")
    filters: list[dict] = [
        {"term": {col("live"): True}},
        {
            "bool": {
                "should": [
                    {"bool": {"must_not": {"exists": {"field": expire_at}}}},
                    # Rounded to the minute, so the engine can cache the filter
                    # (an article expiring this minute is still dropped in SQL).
                    {"range": {expire_at: {"gt": "now/m"}}},
                ],
                "minimum_should_match": 1,
            }
        },
    ]
    keys = reader_keys_for(caller)
    if keys is not None:
        filters.append({"terms": {col("search_reader_keys"): keys}})
    must_not = [
        {"prefix": {col("path"): path}} for path, _depth in restricted_sections()
    ]
    return filters, must_not


def _choice_clauses(backend, chosen: EngineFilters) -> list[dict]:
    def col(name):
        return _column(backend.mapping_class, name)

    clauses = []
    for name, ids in (
        ("category", chosen.category_ids),
        ("search_product_ids", chosen.product_ids),
        ("search_version_ids", chosen.version_ids),
    ):
        if ids is not None:
            clauses.append({"terms": {col(name): ids}})
    return clauses


def engine_search(
    backend,
    *,
    caller: Caller,
    query,
    operator: str = "and",
    chosen: EngineFilters = EngineFilters(),
    offset: int = 0,
    size: int = 10,
    facets: bool = False,
    autocomplete: bool = False,
    analysis: Analysis | None = None,
    required: int | None = None,
    held: Held = NOTHING_HELD,
    held_boost: float = 1.0,
) -> Found:
    """Articles ``caller`` may read matching ``query`` (a string or a modelsearch query
    object such as ``Fuzzy``), in one engine request. With ``analysis`` (the query
    read as concepts, :mod:`search.text`) the text part is :func:`concept_query`:
    ``required`` concepts at least (default: the analysis's own minimum). Articles
    about ``held`` products or releases score ``held_boost`` times more."""
    articles = ArticlePage.objects.all()
    if autocomplete:
        results = backend.autocomplete(query, articles)
    else:
        results = backend.search(query, articles, operator=operator)
    text_query = results._get_es_body()["query"]
    # FIXME: modelsearch has no public "give me the query body" call; _get_es_body is
    # stable across its 1.x releases (version pinned in constraints.txt).
    if "bool" not in text_query:
        text_query = {"bool": {"must": text_query}}
    if analysis is not None and not autocomplete:
        text_query = {
            "bool": {
                **concept_query(
                    analysis,
                    required=required,
                    synonyms_in_engine=synonyms_in_engine(),
                ),
                "filter": text_query["bool"].get("filter", []),
            }
        }
    rule, must_not = read_rule_clauses(backend, caller)
    bool_query = dict(text_query["bool"])
    previous = bool_query.get("filter", [])
    bool_query["filter"] = [
        *(previous if isinstance(previous, list) else [previous]),
        *rule,
        *_choice_clauses(backend, chosen),
    ]
    if must_not:
        bool_query["must_not"] = must_not
    if isinstance(query, str) and not autocomplete and analysis is None:
        bool_query["should"] = [
            {"match": {"title": {"query": query, "boost": TITLE_BOOST}}}
        ]
    scored: dict = {"bool": bool_query}
    if held and held_boost != 1.0:
        scored = _boosted(backend, scored, held, held_boost)
    body: dict = {
        "query": scored,
        "from": offset,
        "size": size,
        "track_total_hits": True,
        "_source": False,
        "stored_fields": ["pk"],
    }
    if facets:
        body["aggs"] = {
            "products": {
                "terms": {
                    "field": _column(backend.mapping_class, "search_product_ids"),
                    "size": FACET_SIZE,
                }
            },
            "categories": {
                "terms": {
                    "field": _column(backend.mapping_class, "category"),
                    "size": FACET_SIZE,
                }
            },
        }
    index = backend.get_index_for_model(ArticlePage).name
    response = backend.es.search(index=index, body=body)
    hits = response["hits"]
    aggregations = response.get("aggregations", {})
    return Found(
        total=hits["total"]["value"],
        best_score=hits.get("max_score"),
        ranked=[(int(hit["fields"]["pk"][0]), hit["_score"]) for hit in hits["hits"]],
        product_counts=_buckets(aggregations.get("products")),
        category_counts=_buckets(aggregations.get("categories")),
    )


def _boosted(backend, query: dict, held: Held, boost: float) -> dict:
    """``query``, its score times ``boost`` for the articles about ``held``."""
    about = [
        {"terms": {_column(backend.mapping_class, name): sorted(ids)}}
        for name, ids in (
            ("search_product_ids", held.product_ids),
            ("search_version_ids", held.release_ids),
        )
        if ids
    ]
    return {
        "function_score": {
            "query": query,
            "functions": [
                {"filter": {"bool": {"should": about}}, "weight": boost},
            ],
            "score_mode": "multiply",
            "boost_mode": "multiply",
        }
    }


def synonyms_in_engine() -> bool:
    """Synonyms applied by the engine's search-time ``synonym_graph`` analyser
    (``SEARCH_ENGINE_SYNONYMS = "engine"``), else expanded here (``"python"``)."""
    return getattr(settings, "SEARCH_ENGINE_SYNONYMS", "python") == "engine"


def concept_query(
    analysis: Analysis,
    *,
    required: int | None = None,
    synonyms_in_engine: bool = False,
) -> dict:
    """The bool query of an analysed query: at least ``required`` of its distinctive
    concepts (each matched by any of its synonyms; a word also when misspelt, codes
    and versions exactly), or one of its error codes; generic words only add to the
    score; a phrase boost when the words follow each other (title most).

    ``synonyms_in_engine``: each concept is asked as written, through the
    ``aplicit_search`` analyser whose ``synonym_graph`` expands it on the engine;
    else one clause per synonym of the concept (the Python expansion)."""
    required = analysis.required if required is None else required

    def clause(concept):
        return _concept_clause(concept, synonyms_in_engine)

    distinctive = [clause(c) for c in analysis.distinctive]
    generic = [clause(c) for c in analysis.concepts if c not in analysis.distinctive]
    must: dict = {
        "bool": {"should": distinctive, "minimum_should_match": max(1, required)}
    }
    codes = [clause(c) for c in analysis.codes]
    if codes:
        must = {"bool": {"should": [must, *codes], "minimum_should_match": 1}}
    phrase = " ".join(c.text for c in analysis.concepts if c.kind != "generic")
    should = [*generic]
    if len(phrase.split()) > 1:
        should += [
            {"match_phrase": {"title": {"query": phrase, "slop": 2, "boost": 4}}},
            {"match_phrase": {"_all_text": {"query": phrase, "slop": 3, "boost": 1}}},
        ]
    return {"must": [must], "should": should}


def _concept_clause(concept, synonyms_in_engine: bool = False) -> dict:
    alternatives = []
    asked = [_as_written(concept)] if synonyms_in_engine else concept.alternatives
    for alternative in asked:
        match: dict = {"query": alternative.text, "fields": CONCEPT_FIELDS}
        if synonyms_in_engine:
            match["analyzer"] = ENGINE_ANALYZER
        if concept.kind in ("code", "version") or len(alternative.keys) > 1:
            match["type"] = "phrase"
        elif len(alternative.text) >= 5 and alternative.text.isalpha():
            # a misspelt word; never a name with digits (lic01, comete15)
            match |= {"fuzziness": "AUTO", "prefix_length": 1, "max_expansions": 20}
        alternatives.append({"multi_match": match})
    return {"dis_max": {"queries": alternatives, "boost": concept.weight}}


def _as_written(concept):
    """The concept as the synonym rules write it: « centre de contenu », not the
    query's « centre contenu » (stop words dropped), so the engine's rule fires and
    the phrase meets the documents' words in their positions."""
    for alternative in concept.alternatives[1:]:
        if synonym_key(alternative.text) == concept.text:
            return alternative
    return concept.alternatives[0]


def _buckets(aggregation: dict | None) -> dict[int, int]:
    if not aggregation:
        return {}
    return {int(b["key"]): b["doc_count"] for b in aggregation["buckets"]}
