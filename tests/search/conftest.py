"""The search backend under test: the database backend, and the same tests against a
real OpenSearch node (``SEARCH_TEST_URL``, default http://127.0.0.1:9200)."""

from __future__ import annotations

import os
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from wagtail.search.backends import get_search_backend

from cms.settings.base import search_engine_backend
from knowledge.models import ArticlePage
from tests.conftest import require_service

ENGINE_URL = os.environ.get("SEARCH_TEST_URL", "http://127.0.0.1:9200")
# One index per test session, so concurrent runs on one node never collide.
SESSION_INDEX = f"test_{uuid.uuid4().hex[:10]}"


def engine_reachable(url: str = ENGINE_URL) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class SearchBackendUnderTest:
    name: str
    backend: Any = None

    def refresh(self) -> None:
        """Make every article searchable (the engine is near real-time)."""
        if self.backend is None:
            return
        self.backend.add_bulk(ArticlePage, list(ArticlePage.objects.all()))
        self.backend.get_index_for_model(ArticlePage).refresh()


@pytest.fixture(
    params=["database", pytest.param("engine", marks=pytest.mark.search_engine)]
)
def search_backend(request, db):
    if request.param == "database":
        yield SearchBackendUnderTest("database")
        return
    yield from _engine_backend()


@pytest.fixture
def engine_backend(db):
    """The engine alone, for what only the engine does (rebuilds)."""
    yield from _engine_backend()


def _engine_backend():
    require_service(
        "search engine",
        engine_reachable(),
        f"{ENGINE_URL}; start it with scripts/search-engine.sh start",
    )
    backends = {
        "default": search_engine_backend(ENGINE_URL, SESSION_INDEX),
        "database": settings.DATABASE_SEARCH_BACKEND,
    }
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        backend = get_search_backend()
        # The database rolls back between tests; the indexes must too. Every index of
        # this session goes (rebuilds leave aliases and other models' indexes).
        backend.es.indices.delete(index=f"{SESSION_INDEX}_*")
        index = backend.get_index_for_model(ArticlePage)
        index.put()
        index.add_model(ArticlePage)
        try:
            yield SearchBackendUnderTest("engine", backend)
        finally:
            backend.es.indices.delete(index=f"{SESSION_INDEX}_*")
