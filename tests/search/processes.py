"""Processes for the tests of missed index updates: another process on this test's
database, for real (a ``manage.py`` subprocess standing for the task worker, a shell
or a cron command, sharing nothing with the test's process but the database and the
search engine), and the clock by which this process paces its replays."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connections

from search import services

ROOT = Path(__file__).resolve().parents[2]

# The mark of a test whose database another process uses: what the test writes is
# committed, and the migrations' rows (Wagtail's root page) come back after the flush.
shares_database = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@dataclass
class ProcessClock:
    """The monotonic clock this process paces its replays by, moved by the test."""

    now: float = 1_000.0


def process_clock(monkeypatch) -> ProcessClock:
    """This process's clock, for a process that has not yet looked for missed
    updates (the look is throttled per process) and has nothing in its memory cache
    (what earlier tests left there is no other process's doing)."""
    cache.clear()
    clock = ProcessClock()
    monkeypatch.setattr(services, "monotonic", lambda: clock.now)
    monkeypatch.setattr(services, "_last_check", float("-inf"))
    return clock


@contextmanager
def database_shared_with_other_processes() -> Iterator[str]:
    """The test database as a ``DATABASE_URL`` another process can open, in a test
    marked :data:`shares_database` (what this process writes must be committed for
    the other one to see it).

    On PostgreSQL that is the test database itself. SQLite's in-memory test database
    cannot be opened by another process: it is copied (schema and rows) to a file,
    and this process works on that file too until the end of the block."""
    connection = connections["default"]
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        yield _postgres_url(database)
        return
    if not connection.is_in_memory_db():
        yield f"sqlite:///{database['NAME']}"
        return
    with tempfile.TemporaryDirectory(prefix="shared-db-") as folder:
        path = Path(folder) / "test.sqlite3"
        connection.ensure_connection()
        in_memory, name = connection.connection, database["NAME"]
        with closing(sqlite3.connect(path)) as copy:
            in_memory.backup(copy)
        # Closing the in-memory connection would drop that database: set it aside.
        connection.connection = None
        database["NAME"] = str(path)
        try:
            yield f"sqlite:///{path}"
        finally:
            connection.close()
            database["NAME"] = name
            connection.connection = in_memory


def _postgres_url(database: dict) -> str:
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    host = database.get("HOST") or "localhost"
    port = database.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{database['NAME']}"


def manage(*args: str, database_url: str, search_url: str = "", search_index: str = ""):
    """``manage.py *args`` in a new process, with the test settings, on
    ``database_url``, with the engine at ``search_url`` (none if empty)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url,
        "SEARCH_URL": search_url,
    }
    if search_index:
        env["SEARCH_INDEX"] = search_index
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def shell(code: str, **kwargs) -> str:
    """Run ``code`` in ``manage.py shell`` in a new process; its output. Fails the
    test if it fails."""
    done = manage("shell", "-c", code, **kwargs)
    assert done.returncode == 0, done.stderr
    return done.stdout


PUBLISH = """
from knowledge.models import ArticlePage
page = ArticlePage.objects.get(pk={pk})
page.title = {title!r}
page.save_revision().publish()
"""


def publish_in_another_process(page, title: str, **kwargs) -> None:
    """Another process (say the task worker) publishes ``page`` under a new title;
    ``kwargs`` as for :func:`manage`."""
    shell(PUBLISH.format(pk=page.pk, title=title), **kwargs)
