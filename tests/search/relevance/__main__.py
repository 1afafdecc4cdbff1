"""``python -m tests.search.relevance`` (``make relevance``): the relevance suite in a
fresh database, on the database backend, and on the engine with its plain BM25 peer
when a node answers (``SEARCH_URL``, else ``SEARCH_TEST_URL``, else
http://127.0.0.1:9200): ``engine`` applies synonyms with its search-time
``synonym_graph``, ``engine-py`` expands them in Python. Prints the figures and
writes them as JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path


def engine_url() -> str:
    return (
        os.environ.get("SEARCH_URL")
        or os.environ.get("SEARCH_TEST_URL")
        or "http://127.0.0.1:9200"
    )


def engine_reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.search.relevance")
    parser.add_argument("--no-engine", action="store_true", help="database only")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("bench/results") / f"relevance-{dt.date.today()}.json",
        help="where the figures are written as JSON",
    )
    parser.add_argument(
        "--misses", action="store_true", help="print each query not answered first"
    )
    args = parser.parse_args(argv)

    # SEARCH_URL must not configure the project's own backends: the suite indexes
    # into an index of its own (below).
    url = engine_url()
    os.environ.pop("SEARCH_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    logging.disable(logging.INFO)  # page creation and engine request lines

    from django.conf import settings
    from django.db import connection
    from django.test.utils import (
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )
    from wagtail.search.backends import get_search_backend

    from cms.settings.base import search_engine_backend
    from knowledge.models import ArticlePage

    from . import harness

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    results, answers = {}, {}
    try:
        started = time.monotonic()
        live = harness.corpus_load()
        say(f"{live} live articles loaded in {time.monotonic() - started:.0f} s")
        judged = harness.queries()

        answers["database"] = harness.run(judged)
        results["database"] = harness.figures(answers["database"])

        if not args.no_engine and engine_reachable(url):
            prefix = f"relevance_{uuid.uuid4().hex[:8]}"
            backends = {
                "default": search_engine_backend(url, prefix),
                "database": settings.DATABASE_SEARCH_BACKEND,
            }
            with override_settings(WAGTAILSEARCH_BACKENDS=backends):
                backend = get_search_backend()
                try:
                    index = backend.get_index_for_model(ArticlePage)
                    index.put()
                    index.add_model(ArticlePage)
                    backend.add_bulk(ArticlePage, list(ArticlePage.objects.all()))
                    index.refresh()
                    # Synonyms by the engine's synonym_graph (the default), then
                    # expanded in Python (docs/relevance.md compares them).
                    for name, where in (("engine", "engine"), ("engine-py", "python")):
                        with override_settings(SEARCH_ENGINE_SYNONYMS=where):
                            answers[name] = harness.run(judged)
                        results[name] = harness.figures(answers[name])
                    answers["bm25"] = harness.plain_bm25_run(
                        backend.es, f"{prefix}_bm25", judged
                    )
                    results["bm25"] = harness.figures(answers["bm25"])
                finally:
                    backend.es.indices.delete(index=f"{prefix}_*")
        elif not args.no_engine:
            say(f"engine not reachable at {url}: database backend only")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    say(harness.table(results))
    for backend, backend_answers in answers.items():
        if backend == "bm25":
            continue
        timing = harness.latencies(backend_answers)
        say(
            f"{backend:<10} ms median/p95: "
            + ", ".join(f"{k} {m:.0f}/{p:.0f}" for k, (m, p) in timing.items())
        )
    if args.misses:
        for backend, backend_answers in answers.items():
            for answer in backend_answers:
                if answer.rank != 1 and (answer.query.kind != "no_answer"):
                    say(
                        f"{backend:<9} {answer.query.id:<6} rank={answer.rank} "
                        f"{answer.query.relevant[0]} <- {answer.slugs[:3]}"
                    )
                elif answer.query.kind == "no_answer" and answer.slugs:
                    say(f"{backend:<9} {answer.query.id:<6} {answer.slugs[:3]}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "commit": _commit(),
                "queries": len(judged),
                "figures": harness.as_json(results),
            },
            indent=2,
        )
        + "\n"
    )
    say(f"written to {args.output}")
    return 0


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
