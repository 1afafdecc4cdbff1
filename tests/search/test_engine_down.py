"""When the engine is down: publishing succeeds, the missed update is recorded, and
it is replayed once the engine is back, without a manual reindex, whichever process
missed it (this one, the task worker, a shell) and whichever replays it (a search,
/health/, the cron command).

"Down" is the test's index reached through a port where nothing listens: the node
itself, shared with other test runs, keeps running."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings
from wagtail.search.backends import get_search_backend

from cms.settings.base import search_engine_backend
from knowledge.models import ArticlePage
from search.models import PendingIndexUpdate
from tests.conftest import require_service
from tests.knowledge import factories as kb
from tests.search.conftest import ENGINE_URL, SESSION_INDEX, engine_reachable
from tests.search.processes import (
    ProcessClock,
    database_shared_with_other_processes,
    manage,
    process_clock,
    publish_in_another_process,
    shares_database,
)

INDEX = SESSION_INDEX + "_down"
DEAD_ENGINE = "http://127.0.0.1:9"  # nothing listens there: refused at once
SEARCH = '{ searchArticles(query: "Zorglub") { total items { article { title } } } }'


def backends(url: str) -> dict:
    return {
        "default": search_engine_backend(url, INDEX),
        "database": settings.DATABASE_SEARCH_BACKEND,
    }


def engine_down():
    """This process cannot reach the engine (the node keeps running for others)."""
    return override_settings(WAGTAILSEARCH_BACKENDS=backends(DEAD_ENGINE))


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> ProcessClock:
    return process_clock(monkeypatch)


@pytest.fixture
def engine_backend(db):
    require_service("search engine", engine_reachable(), ENGINE_URL)
    with override_settings(WAGTAILSEARCH_BACKENDS=backends(ENGINE_URL)):
        backend = get_search_backend()
        index = backend.get_index_for_model(ArticlePage)
        index.reset()
        index.add_model(ArticlePage)  # the mapping, as update_index creates it
        try:
            yield backend
        finally:  # replays also indexed the articles' categories and parents
            backend.es.indices.delete(index=f"{INDEX}_*")


def engine_hits(backend, query: str) -> list[int]:
    backend.get_index_for_model(ArticlePage).refresh()
    return [hit.pk for hit in backend.search(query, ArticlePage.objects.live())]


def publish_while_engine_is_down_there(page, title: str, *, database_url: str):
    """The task worker publishes a change while the engine is down for it."""
    publish_in_another_process(
        page,
        title,
        database_url=database_url,
        search_url=DEAD_ENGINE,
        search_index=INDEX,
    )


@pytest.mark.search_engine
def test_article_published_while_engine_is_down_is_found_once_it_is_back(
    gql, engine_backend, clock
):
    with engine_down():
        page = kb.article("Zorglub publié pendant la panne")
        assert ArticlePage.objects.get(pk=page.pk).live  # publishing succeeded
        assert PendingIndexUpdate.objects.filter(object_pk=str(page.pk)).exists()
        # Meanwhile search answers from the database backend.
        down = gql(SEARCH)
        assert down.errors is None
        assert down.data["searchArticles"]["total"] == 1

    clock.now += settings.SEARCH_REPLAY_RETRY_SECONDS
    result = gql(SEARCH)  # replays the missed update, then searches the engine
    assert result.errors is None
    assert not PendingIndexUpdate.objects.exists()
    assert engine_hits(engine_backend, "Zorglub") == [page.pk]


@pytest.mark.search_engine
@shares_database
def test_article_published_by_another_process_while_engine_is_down_is_found_here(
    gql, engine_backend, clock
):
    page = kb.article("Procédure de sauvegarde")
    with database_shared_with_other_processes() as database_url:
        assert gql(SEARCH).data["searchArticles"]["total"] == 0  # looked: none waits
        publish_while_engine_is_down_there(page, "Zorglub", database_url=database_url)
        assert PendingIndexUpdate.objects.filter(object_pk=str(page.pk)).exists()

        # The next search once the retry delay has passed replays it.
        clock.now += settings.SEARCH_REPLAY_RETRY_SECONDS
        assert gql(SEARCH).errors is None
        assert not PendingIndexUpdate.objects.exists()
        assert engine_hits(engine_backend, "Zorglub") == [page.pk]


@pytest.mark.search_engine
@shares_database
def test_health_shows_and_replays_an_update_missed_by_another_process(
    client, engine_backend, clock
):
    page = kb.article("Procédure de sauvegarde")
    with database_shared_with_other_processes() as database_url:
        before = client.get("/health/").json()["search"]  # looked: none waits
        assert before["ok"] is True
        assert before["pendingIndexUpdates"] == 0
        publish_while_engine_is_down_there(page, "Zorglub", database_url=database_url)

        with engine_down():  # still down here too: the operator sees it waiting
            down = client.get("/health/").json()["search"]
        assert down["ok"] is False
        assert down["pendingIndexUpdates"] == 1
        assert down["oldestPendingIndexUpdateSeconds"] >= 0

        clock.now += settings.SEARCH_REPLAY_RETRY_SECONDS
        back = client.get("/health/").json()["search"]
        assert back["ok"] is True
        assert back["pendingIndexUpdates"] == 0
        assert back["oldestPendingIndexUpdateSeconds"] is None
        assert engine_hits(engine_backend, "Zorglub") == [page.pk]


@pytest.mark.search_engine
@shares_database
def test_cron_command_in_another_process_replays_what_this_process_missed(
    engine_backend,
):
    with engine_down():
        page = kb.article("Zorglub publié pendant la panne")
    waiting = PendingIndexUpdate.objects.count()
    assert waiting >= 1

    with database_shared_with_other_processes() as database_url:
        cron = manage(
            "replay_index_updates",
            database_url=database_url,
            search_url=ENGINE_URL,
            search_index=INDEX,
        )
        assert cron.returncode == 0, cron.stderr
        assert f"Replayed {waiting} of {waiting} pending index updates" in cron.stdout
        assert not PendingIndexUpdate.objects.exists()
    assert engine_hits(engine_backend, "Zorglub") == [page.pk]
