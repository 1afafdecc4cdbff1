"""The synonyms engineers edit in the admin (:class:`search.models.SearchSynonym`),
read once per process and kept for ``TTL_SECONDS`` (a save in this process forgets
them at once; other processes see it within the delay). No reindex is needed: they
are applied to the query (:func:`search.text.analyse`), on every backend."""

from __future__ import annotations

import time

from .text import synonym_key

TTL_SECONDS = 60
_cached: dict = {"map": None, "at": 0.0}


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
