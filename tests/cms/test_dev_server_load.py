"""The embedded default under load: 50 clients at once against ``manage.py
runserver`` (threaded, SQLite in WAL mode, the demo data), as ``make run`` serves
it. No HTTP 500, no resolver failure, no « database is locked » in the server's log.

The same run as ``python -m bench.concurrency`` (30 s, figures in
docs/benchmarks.md), shortened to 20 s; it builds its own SQLite file, so it runs in
the SQLite pass of CI only.
"""

from __future__ import annotations

import os

import pytest

from bench.concurrency import DevServer, run

CLIENTS, SECONDS = 50, 20

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="about the embedded SQLite default: runs in the SQLite pass",
    ),
]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    server = DevServer(tmp_path_factory.mktemp("runserver"))
    server.prepare()
    server.start()
    yield server
    server.stop()


def test_fifty_clients_get_no_error_and_no_locked_database(dev_server, settings):
    results = run(
        dev_server.url,
        clients=CLIENTS,
        seconds=SECONDS,
        password=settings.DEMO_PASSWORD,
    )
    dev_server.stop()

    assert results.failures == []
    assert dev_server.problems() == []
    # Reads and writes (votes, downloads, sign-ins) all went through; how many in
    # 20 s depends on the machine.
    assert {"articles (anonyme)", "rateArticle", "login"} <= set(results.latencies), (
        results.table(SECONDS)
    )
