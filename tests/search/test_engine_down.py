"""When the engine is down: publishing succeeds, the missed update is recorded, and
it is replayed once the engine is back, without a manual reindex."""

from __future__ import annotations

import os
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from wagtail.search.backends import get_search_backend

from cms.settings.base import search_engine_backend
from knowledge.models import ArticlePage
from search.models import PendingIndexUpdate
from tests.conftest import require_service
from tests.knowledge import factories as kb
from tests.search.conftest import ENGINE_URL, SESSION_INDEX, engine_reachable

ROOT = Path(__file__).resolve().parents[2]
SEARCH = '{ searchArticles(query: "Zorglub") { total items { article { title } } } }'


def engine(command: str) -> None:
    port = str(urllib.parse.urlsplit(ENGINE_URL).port or 9200)
    subprocess.run(
        [str(ROOT / "scripts" / "search-engine.sh"), command],
        env={**os.environ, "SEARCH_PORT": port},
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture
def engine_backend(db):
    require_service("search engine", engine_reachable(), ENGINE_URL)
    backends = {
        "default": search_engine_backend(ENGINE_URL, SESSION_INDEX + "_down"),
        "database": settings.DATABASE_SEARCH_BACKEND,
    }
    # No wait between replay attempts: the engine comes back within the test.
    with override_settings(
        WAGTAILSEARCH_BACKENDS=backends, SEARCH_REPLAY_RETRY_SECONDS=0
    ):
        backend = get_search_backend()
        index = backend.get_index_for_model(ArticlePage)
        index.reset()
        index.add_model(ArticlePage)  # the mapping, as update_index creates it
        cache.clear()
        try:
            yield backend
        finally:
            if not engine_reachable():
                engine("start")
            index.delete()


@pytest.mark.search_engine
def test_article_published_while_engine_is_down_is_found_once_it_is_back(
    gql, engine_backend
):
    engine("stop")
    try:
        page = kb.article("Zorglub publié pendant la panne")
        assert ArticlePage.objects.get(pk=page.pk).live  # publishing succeeded
        assert PendingIndexUpdate.objects.filter(object_pk=str(page.pk)).exists()
        # Meanwhile search answers from the database backend.
        down = gql(SEARCH)
        assert down.errors is None
        assert down.data["searchArticles"]["total"] == 1
    finally:
        engine("start")

    result = gql(SEARCH)  # replays the missed update, then searches the engine
    assert result.errors is None
    assert not PendingIndexUpdate.objects.exists()
    engine_backend.get_index_for_model(ArticlePage).refresh()
    hits = engine_backend.search("Zorglub", ArticlePage.objects.live())
    assert [hit.pk for hit in hits] == [page.pk]
