"""Replaying the index updates the engine missed: whichever process recorded them,
any process replays them (the database is the record, not a per-process flag), two
replays at once never send the same update, and none is lost. The engine here is a
stand-in that answers again (tests/search/test_engine_down.py uses a real node)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.settings.base import search_engine_backend
from search import services
from search.backends import DurableOpenSearchBackend
from search.models import PendingIndexUpdate
from tests.knowledge import factories as kb
from tests.search.processes import (
    ProcessClock,
    database_shared_with_other_processes,
    process_clock,
    publish_in_another_process,
    shares_database,
)

DEAD_ENGINE = "http://127.0.0.1:9"  # nothing listens there: refused at once
SEARCH = '{ searchArticles(query: "Zorglub") { total } }'


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> ProcessClock:
    return process_clock(monkeypatch)


@pytest.fixture
def engine_down(db, settings):
    """The engine is configured but does not answer: updates are recorded."""
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": search_engine_backend(DEAD_ENGINE, "replay"),
        "database": settings.DATABASE_SEARCH_BACKEND,
    }


@dataclass
class AnsweringEngine:
    """The engine once it answers again, as replays see it."""

    indexed: list[tuple[str, int]] = field(default_factory=list)
    # Called with each object the engine takes, before the next one is sent.
    while_indexing: object = None


@pytest.fixture
def engine_back(engine_down, monkeypatch) -> AnsweringEngine:
    engine = AnsweringEngine()

    def add_unrecorded(backend, obj):
        engine.indexed.append((obj._meta.model_name, obj.pk))
        if engine.while_indexing is not None:
            engine.while_indexing(obj)

    monkeypatch.setattr(DurableOpenSearchBackend, "add_unrecorded", add_unrecorded)
    return engine


def pending() -> list[tuple[str, int]]:
    return sorted(
        (model_name, int(pk))
        for model_name, pk in PendingIndexUpdate.objects.values_list(
            "model_name", "object_pk"
        )
    )


def test_two_replays_at_once_send_each_missed_update_once(engine_back):
    for n in range(3):
        kb.article(f"Publié pendant la panne {n}")
    missed = pending()
    assert len(missed) >= 3

    other_process = {}

    def other_process_replays(obj):  # while this process sends its first update
        if not other_process:
            other_process["replayed"] = None
            other_process["replayed"] = services.pending_index_updates_replay()

    engine_back.while_indexing = other_process_replays
    services.pending_index_updates_replay(limit=2)

    assert other_process["replayed"] == len(missed) - 2  # it took the rows left
    assert sorted(engine_back.indexed) == missed  # each sent once, none forgotten
    assert pending() == []


def test_article_changed_again_during_its_replay_is_replayed_again(engine_back):
    page = kb.article("Publié pendant la panne")

    def republished_elsewhere(obj):  # another process's change, missed as well
        if obj == page and engine_back.indexed.count(("articlepage", page.pk)) == 1:
            services.pending_index_update_record(obj=page, action="index")

    engine_back.while_indexing = republished_elsewhere
    services.pending_index_updates_replay()
    assert pending() == [("articlepage", page.pk)]  # the newer change is not lost

    services.pending_index_updates_replay()
    assert engine_back.indexed.count(("articlepage", page.pk)) == 2
    assert pending() == []


def test_updates_of_a_replay_that_died_are_replayed_once_its_claim_lapses(
    engine_back,
):
    page = kb.article("Publié pendant la panne")
    now = timezone.now()
    held = PendingIndexUpdate.objects.filter(object_pk=str(page.pk))
    held.update(claim="killed-worker", claimed_until=now + timedelta(minutes=1))

    services.pending_index_updates_replay()
    assert ("articlepage", page.pk) not in engine_back.indexed  # still held

    held.update(claimed_until=now - timedelta(seconds=1))
    services.pending_index_updates_replay()
    assert ("articlepage", page.pk) in engine_back.indexed
    assert pending() == []


def test_replay_while_the_engine_is_still_down_leaves_updates_to_the_next_one(
    engine_down, monkeypatch
):
    kb.article("Publié pendant la panne")
    missed = pending()

    assert services.pending_index_updates_replay() == 0
    assert pending() == missed

    taken = []
    monkeypatch.setattr(
        DurableOpenSearchBackend,
        "add_unrecorded",
        lambda backend, obj: taken.append((obj._meta.model_name, obj.pk)),
    )
    # The failed attempt holds nothing: the next one, here or elsewhere, takes all.
    assert services.pending_index_updates_replay() == len(missed)
    assert sorted(taken) == missed


def test_searches_look_for_missed_updates_at_most_once_per_retry_delay(
    gql, engine_down, clock, settings
):
    settings.SEARCH_REPLAY_RETRY_SECONDS = 30

    def looks(queries) -> int:
        return sum("kbsearch_pendingindexupdate" in q["sql"] for q in queries)

    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert gql(SEARCH).errors is None
    assert looks(queries) == 1

    clock.now += 29
    with CaptureQueriesContext(connection) as queries:
        gql(SEARCH)
    assert looks(queries) == 0

    clock.now += 1
    with CaptureQueriesContext(connection) as queries:
        gql(SEARCH)
    assert looks(queries) == 1


@shares_database
def test_update_missed_by_another_process_is_replayed_by_a_search_here(
    gql, engine_back, clock, settings
):
    settings.SEARCH_REPLAY_RETRY_SECONDS = 30
    page = kb.article("Article")
    # This process has recorded nothing, and keeps no trace of it in memory.
    PendingIndexUpdate.objects.all().delete()
    cache.clear()

    with database_shared_with_other_processes() as database_url:
        gql(SEARCH)  # this process looks: nothing waits
        # The task worker publishes a change while the engine is down.
        publish_in_another_process(
            page,
            "Zorglub mis à jour",
            database_url=database_url,
            search_url=DEAD_ENGINE,
            search_index="replay",
        )
        assert ("articlepage", page.pk) in pending()

        clock.now += settings.SEARCH_REPLAY_RETRY_SECONDS
        assert gql(SEARCH).errors is None

        assert ("articlepage", page.pk) in engine_back.indexed
        assert pending() == []


def test_health_says_how_many_updates_wait_and_since_when(client, engine_down):
    assert client.get("/health/").json()["search"]["pendingIndexUpdates"] == 0
    assert (
        client.get("/health/").json()["search"]["oldestPendingIndexUpdateSeconds"]
        is None
    )

    kb.article("Publié pendant la panne")
    waiting = PendingIndexUpdate.objects.count()
    PendingIndexUpdate.objects.update(recorded_at=timezone.now() - timedelta(hours=2))

    search = client.get("/health/").json()["search"]
    assert search["ok"] is False
    assert search["pendingIndexUpdates"] == waiting
    assert 7200 <= search["oldestPendingIndexUpdateSeconds"] < 7260
