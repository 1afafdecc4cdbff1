"""Analytics written off the request path (cms.counters): counted in memory, written
at the flush (one transaction), at process exit, and none lost between threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest
from django.test import override_settings
from django.utils import timezone

from cms.counters import BufferedCounts, flush_all
from knowledge.models import ArticleDailyViews
from knowledge.services import article_view_record
from search.models import SearchQueryDaily
from search.services import search_query_record
from tests.knowledge import factories as kb

# No background flush during a test: the test flushes (the thread sleeps this long).
HOLD = 3600


class Written:
    def __init__(self):
        self.batches: list[dict] = []

    def __call__(self, batch):
        self.batches.append({key: dict(counts) for key, counts in batch.items()})


def test_counts_are_summed_by_key_and_written_at_the_flush(db):
    written = Written()
    counts = BufferedCounts("test-sum", written, seconds=HOLD)
    counts.add("a", n=1)
    counts.add("a", n=2, m=1)
    counts.add("b", n=1)
    assert written.batches == []
    counts.flush()
    assert written.batches == [{"a": {"n": 3, "m": 1}, "b": {"n": 1}}]
    counts.flush()  # nothing new: nothing written
    assert len(written.batches) == 1


def test_with_no_interval_each_count_is_written_at_once(db):
    written = Written()
    counts = BufferedCounts("test-now", written, seconds=0)
    counts.add("a", n=1)
    assert written.batches == [{"a": {"n": 1}}]
    assert counts.pending() == {}


def test_two_threads_lose_nothing(db):
    written = Written()
    counts = BufferedCounts("test-threads", written, seconds=HOLD)

    def record():
        for _ in range(5000):
            counts.add("q", n=1)

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts.flush()
    assert written.batches == [{"q": {"n": 10_000}}]


def test_a_failed_flush_keeps_its_counts_for_the_next(db):
    from django.db import DatabaseError

    calls = []

    def write(batch):
        calls.append({k: dict(v) for k, v in batch.items()})
        if len(calls) == 1:
            raise DatabaseError("database away")

    counts = BufferedCounts("test-retry", write, seconds=HOLD)
    counts.add("a", n=1)
    counts.flush()
    counts.add("a", n=1)
    counts.flush()
    assert calls == [{"a": {"n": 1}}, {"a": {"n": 2}}]


def test_counts_are_written_when_the_process_exits(tmp_path):
    """A process that exits normally (a gunicorn worker restarted) writes what it
    had buffered (atexit)."""
    out = tmp_path / "written.json"
    script = textwrap.dedent(
        f"""
        import json
        from cms.counters import BufferedCounts

        def write(batch):
            with open({str(out)!r}, "w") as f:
                json.dump({{k: dict(v) for k, v in batch.items()}}, f)

        counts = BufferedCounts("exit", write, seconds={HOLD})
        counts.add("q", n=2)
        counts.add("q", n=1)
        """
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        # The flush's transaction, on a database of its own (any will do).
        "DATABASE_URL": f"sqlite:///{tmp_path / 'exit.sqlite3'}",
    }
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + script],
        check=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert json.loads(out.read_text()) == {"q": {"n": 3}}


def test_a_forked_child_does_not_write_its_parents_counts(db):
    written = Written()
    counts = BufferedCounts("test-fork", written, seconds=HOLD)
    counts.add("parent", n=1)
    pid = os.fork()
    if pid == 0:  # the child: nothing of the parent's is buffered
        os._exit(0 if counts.pending() == {} else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert counts.pending() == {"parent": {"n": 1}}
    counts.flush()


@override_settings(ANALYTICS_FLUSH_SECONDS=HOLD)
def test_searches_are_counted_after_the_flush(db):
    search_query_record(query="Licence  réseau", results_total=3)
    search_query_record(query="licence réseau", results_total=3)
    search_query_record(query="introuvable", results_total=0)
    assert not SearchQueryDaily.objects.exists()  # not in the request
    flush_all()
    rows = {r.normalised_query: r for r in SearchQueryDaily.objects.all()}
    assert (rows["licence reseau"].searches, rows["licence reseau"].results_total) == (
        2,
        6,
    )
    assert rows["introuvable"].zero_result_searches == 1
    search_query_record(query="licence réseau", results_total=1)
    flush_all()  # an existing row is added to
    assert SearchQueryDaily.objects.get(normalised_query="licence reseau").searches == 3


@override_settings(ANALYTICS_FLUSH_SECONDS=HOLD)
def test_views_are_counted_after_the_flush(db):
    page = kb.article("Licence réseau")
    gone = kb.article("Supprimé")
    for _ in range(3):
        article_view_record(article_id=page.pk)
    article_view_record(article_id=gone.pk)
    gone.delete()  # its buffered views are dropped, the others written
    assert not ArticleDailyViews.objects.exists()
    flush_all()
    row = ArticleDailyViews.objects.get()
    assert (row.article_id, row.day, row.count) == (page.pk, timezone.localdate(), 3)


@override_settings(ANALYTICS_FLUSH_SECONDS=HOLD)
def test_gaps_are_decided_and_counted_at_the_flush(db):
    from search.gaps import search_gap_note
    from search.models import SearchGapDaily

    for _ in range(3):
        search_gap_note(source="search", query="zorglub introuvable")
    search_gap_note(source="search", query="  ")  # nothing to count
    assert not SearchGapDaily.objects.exists()
    flush_all()
    row = SearchGapDaily.objects.get()
    assert (row.normalised_query, row.zero_results, row.low_confidence) == (
        "zorglub introuvable",
        3,
        0,
    )


def test_the_tests_write_at_once(db):
    """ANALYTICS_FLUSH_SECONDS = 0 in the test settings: written in the request."""
    search_query_record(query="licence", results_total=1)
    assert SearchQueryDaily.objects.get().searches == 1


@pytest.fixture(autouse=True)
def _nothing_left_buffered():
    yield
    from knowledge import services as knowledge_services
    from search import gaps
    from search import services as search_services

    for buffer in (
        search_services._searches,
        knowledge_services._views,
        gaps._candidates,
    ):
        assert buffer.pending() == {}, "a test left counts buffered"
