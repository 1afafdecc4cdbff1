"""Synonyms on the engine: a search-time ``synonym_graph`` filter holds the admin's
groups; an engineer's change reaches the live index without a reindex."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from knowledge.models import ArticlePage
from search.engine import concept_query
from search.models import SearchSynonym
from search.synonyms import ENGINE_ANALYZER, engine_rules, engine_synonyms_push
from search.text import analyse
from tests.knowledge import factories as kb

from .test_search import body, search, titles

pytestmark = pytest.mark.search_engine


def _index(backend) -> str:
    return backend.get_index_for_model(ArticlePage).name


def _expanded(backend, text: str) -> set[str]:
    """The tokens the engine's search analyser makes of ``text``."""
    response = backend.es.indices.analyze(
        index=_index(backend), body={"analyzer": ENGINE_ANALYZER, "text": text}
    )
    return {token["token"] for token in response["tokens"]}


def _written(backend) -> dict[str, int]:
    """Each document's sequence number: it changes when the document is written."""
    response = backend.es.search(
        index=_index(backend),
        body={"query": {"match_all": {}}, "seq_no_primary_term": True, "size": 100},
    )
    return {hit["_id"]: hit["_seq_no"] for hit in response["hits"]["hits"]}


@override_settings(SEARCH_ENGINE_SYNONYMS="engine")
def test_a_synonym_added_in_the_admin_changes_engine_results_without_reindex(
    gql, engine_backend, admin_client, django_capture_on_commit_callbacks
):
    article = kb.article("Emprunter une licence réseau", body=body("emprunter"))
    engine_backend.refresh()
    assert titles(search(gql, "fnord licence")) == []
    written = _written(engine_backend.backend)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("wagtailsnippets_kbsearch_searchsynonym:add"),
            {"terms": "fnord, emprunter", "note": ""},
        )
    assert response.status_code == 302

    assert titles(search(gql, "fnord licence")) == [article.title]
    # the engine expanded the word itself, and no document was written again
    assert "emprunt" in _expanded(engine_backend.backend, "fnord")
    assert _written(engine_backend.backend) == written

    row = SearchSynonym.objects.get(terms="fnord, emprunter")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("wagtailsnippets_kbsearch_searchsynonym:delete", args=[row.pk])
        )
    assert response.status_code == 302
    assert titles(search(gql, "fnord licence")) == []


def test_engine_mode_asks_each_concept_once_through_the_synonym_analyser(db):
    synonyms = {"acad": ("ACAD", "AutoCAD"), "autocad": ("ACAD", "AutoCAD")}
    analysis = analyse("installer acad", synonyms)

    in_engine = str(concept_query(analysis, synonyms_in_engine=True))
    in_python = str(concept_query(analysis, synonyms_in_engine=False))

    assert "AutoCAD" not in in_engine and ENGINE_ANALYZER in in_engine
    assert "AutoCAD" in in_python and ENGINE_ANALYZER not in in_python


def test_a_new_index_is_created_with_the_admins_synonyms(engine_backend):
    SearchSynonym.objects.create(terms="Zorglub, ZGB")
    # the session's index was created before: write them, as a save would
    engine_synonyms_push(engine_backend.backend)
    assert "Zorglub, ZGB" in engine_rules()
    assert "zorglub" in _expanded(engine_backend.backend, "ZGB")

    index = engine_backend.backend.index_class(
        engine_backend.backend, _index(engine_backend.backend) + "_fresh"
    )
    index.put()
    try:
        response = engine_backend.backend.es.indices.analyze(
            index=index.name, body={"analyzer": ENGINE_ANALYZER, "text": "ZGB"}
        )
        assert {t["token"] for t in response["tokens"]} >= {"zgb", "zorglub"}
    finally:
        index.delete()


def test_rule_syntax_in_a_term_never_breaks_the_index(engine_backend):
    SearchSynonym.objects.create(terms="a => b, c#d, e\\f")
    assert "a b, c d, e f" in engine_rules()
    engine_synonyms_push(engine_backend.backend)  # no error: the index reopens
    assert engine_backend.backend.es.indices.exists(
        index=_index(engine_backend.backend)
    )
