"""The synonyms engineers edit in the admin (:class:`search.models.SearchSynonym`).

Two ways of applying them, both without a reindex:

- **in Python** (:func:`synonym_map`): the query is read as concepts, each with its
  synonyms (:func:`search.text.analyse`); the database backend always works so. Read
  once per process and kept for ``TTL_SECONDS`` (a save in this process forgets them
  at once; other processes see it within the delay).
- **on the engine** (``SEARCH_ENGINE_SYNONYMS = "engine"``): a search-time
  ``synonym_graph`` filter (``aplicit_synonyms``, in the ``aplicit_search``
  analyser of ``SEARCH_INDEX_SETTINGS``) holds the same groups as rules. They are
  written when an index is created (:func:`engine_index_settings`) and rewritten on
  the live index when a synonym is saved or deleted (:func:`engine_synonyms_push`):
  OpenSearch changes an analyser's inline rules only on a closed index (its
  ``_refresh_search_analyzers`` API needs the ISM plugin and rule *files* on every
  node), so the article index is closed, its filter replaced and reopened — about a
  second, during which searches fall back to the database backend
  (:func:`search.selectors._with_fallback`). Documents are not touched: no reindex.
"""

from __future__ import annotations

import copy
import logging
import re
import time

from .text import synonym_key

logger = logging.getLogger(__name__)

TTL_SECONDS = 60
ENGINE_FILTER = "aplicit_synonyms"
ENGINE_ANALYZER = "aplicit_search"
_cached: dict = {"map": None, "at": 0.0}
# What the Solr synonym format reads as syntax: "=>", "#" (comment), "\".
_RULE_SYNTAX = re.compile(r"=>|[#\\=>]")


def synonym_map() -> dict[str, tuple[str, ...]]:
    """{a term as the analyser meets it: every term of its groups}."""
    now = time.monotonic()
    if _cached["map"] is None or now - _cached["at"] > TTL_SECONDS:
        _cached["map"], _cached["at"] = _build(), now
    return _cached["map"]


def forget(**kwargs) -> None:
    _cached["map"] = None


def _build() -> dict[str, tuple[str, ...]]:
    from .models import SearchSynonym

    groups: dict[str, list[str]] = {}
    for terms in SearchSynonym.objects.values_list("terms", flat=True):
        group = SearchSynonym(terms=terms).term_list()
        for term in group:
            key = synonym_key(term)
            if not key:
                continue
            merged = groups.setdefault(key, [])
            merged.extend(t for t in group if t not in merged)
    return {key: tuple(terms) for key, terms in groups.items()}


# On the engine ---------------------------------------------------------------------


def engine_rules() -> list[str]:
    """The admin's synonym groups as ``synonym_graph`` rules (« ACAD, AutoCAD »):
    equivalent terms, each group one line; a term the rule syntax would misread
    loses those characters. Rules the analyser cannot read are skipped by the
    filter (``lenient``), never fatal to the index."""
    from .models import SearchSynonym

    rules = set()
    for terms in SearchSynonym.objects.values_list("terms", flat=True):
        cleaned = [
            " ".join(_RULE_SYNTAX.sub(" ", term).split())
            for term in SearchSynonym(terms=terms).term_list()
        ]
        cleaned = list(dict.fromkeys(t for t in cleaned if t))
        if len(cleaned) > 1:
            rules.add(", ".join(cleaned))
    return sorted(rules)


def engine_filter(rules: list[str]) -> dict:
    return {
        "type": "synonym_graph",
        "synonyms": rules,
        "updateable": True,  # search time only: documents are never re-analysed
        "lenient": True,
    }


def engine_index_settings(settings: dict) -> dict:
    """``settings`` (a backend's index settings) with today's synonym rules, for an
    index about to be created."""
    settings = copy.deepcopy(settings)
    filters = settings.get("settings", {}).get("analysis", {}).get("filter", {})
    if ENGINE_FILTER in filters:
        filters[ENGINE_FILTER] = engine_filter(engine_rules())
    return settings


def engine_synonyms_push(backend, *, rules: list[str] | None = None) -> list[str]:
    """Write the admin's synonyms (or ``rules``) into the live article index of
    ``backend``: close, replace the filter's rules, reopen. Returns the indexes
    changed. The documents stay as they are (no reindex)."""
    from knowledge.models import ArticlePage

    rules = engine_rules() if rules is None else rules
    alias = backend.get_index_for_model(ArticlePage).name
    es = backend.es
    if not es.indices.exists(index=alias):
        return []
    names = sorted(es.indices.get(index=alias).keys())  # the alias's own index
    body = {"analysis": {"filter": {ENGINE_FILTER: engine_filter(rules)}}}
    for name in names:
        es.indices.close(index=name)
        try:
            es.indices.put_settings(index=name, body=body)
        finally:
            es.indices.open(index=name, params={"wait_for_active_shards": "1"})
    return names


def engine_synonyms_changed(**kwargs) -> None:
    """A synonym was saved or deleted: the engine's rules follow once committed."""
    from django.db import transaction

    transaction.on_commit(_push_to_configured_engine)


def _push_to_configured_engine() -> None:
    from django.conf import settings

    from .selectors import ENGINE_ERRORS, is_engine, search_backend

    if "default" not in settings.WAGTAILSEARCH_BACKENDS:
        return
    backend = search_backend()
    if not is_engine(backend):
        return
    try:
        engine_synonyms_push(backend)
    except ENGINE_ERRORS as exc:  # the next index creation writes them
        logger.warning("synonyms not written to the search engine: %r", exc)
