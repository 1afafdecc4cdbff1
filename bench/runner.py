"""One benchmark run: fresh database, data at two sizes, every workload, the report."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from . import data, report, workloads

SIZES = {
    # The measured company's subscriptions fill myCompany's page (100) at both sizes:
    # a page shorter than perPage is its own total (no COUNT), which is no growth.
    # A few minutes on 2 shared cores. Timing: `repeats` × `per_repeat` calls of
    # every peer, interleaved (bench.measure.interleaved).
    "small": {
        "articles": 2_000,
        "articles_first": 200,
        "companies": 20,
        "subscriptions": 1_000,
        "my_subscriptions": 200,
        "my_subscriptions_first": 120,
        "repeats": 5,
        "per_repeat": 6,
        "warmup": 3,
        "workload_budget_s": 20,
        "reindex_repeats": 3,
        "download_mb": 200,
        "wrk_seconds": 5,
    },
    # The first search size.
    "medium": {
        "articles": 10_000,
        "articles_first": 1_000,
        "companies": 100,
        "subscriptions": 10_000,
        "my_subscriptions": 200,
        "my_subscriptions_first": 120,
        "repeats": 5,
        "per_repeat": 6,
        "warmup": 3,
        "workload_budget_s": 30,
        "reindex_repeats": 3,
        "download_mb": 200,
        "wrk_seconds": 10,
    },
    # The large size.
    "large": {
        "articles": 100_000,
        "articles_first": 10_000,
        "companies": 500,
        "subscriptions": 50_000,
        "my_subscriptions": 200,
        "my_subscriptions_first": 120,
        "repeats": 5,
        "per_repeat": 10,
        "warmup": 3,
        "workload_budget_s": 60,
        "reindex_repeats": 2,
        "download_mb": 200,
        "wrk_seconds": 10,
    },
}
# The test suite's size (tests/bench/): the same code, a few dozen articles.
SIZES["tiny"] = {
    **SIZES["small"],
    "articles": 60,
    "articles_first": 30,
    "companies": 5,
    "subscriptions": 40,
    "my_subscriptions": 20,
    "my_subscriptions_first": 10,
    "repeats": 1,
    "per_repeat": 1,
    "warmup": 0,
    "reindex_repeats": 1,
}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)  # noqa: T201


def fresh_database() -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    elif "bench" in db["NAME"]:
        # A database of the benchmark's own (its name says so): made afresh.
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)
    from knowledge.models import ArticlePage

    if ArticlePage.objects.exists():
        raise SystemExit(
            "bench: DATABASE_URL points at a database with content; give the "
            "benchmark an empty one, or one whose name holds « bench » (recreated)."
        )


def build_indexes() -> dict:
    """``update_index`` on each backend; seconds per backend."""
    seconds = {}
    for name in settings.WAGTAILSEARCH_BACKENDS:
        start = time.perf_counter()
        call_command("update_index", backend_name=name, verbosity=0)
        seconds[name] = round(time.perf_counter() - start, 1)
    return seconds


def run(*, size: str, only: list[str], write_docs: bool = False) -> dict:
    """One database's run; the caller (bench.__main__) writes the results and docs."""
    conf = SIZES[size]
    started = time.perf_counter()
    results: dict = {
        "size": size,
        "database": connection.vendor,
        "config": conf,
        "machine": report.machine(),
        "versions": report.versions(),
        "engine_url": settings.BENCH_SEARCH_URL or None,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "workloads": {},
        "query_counts": {},
        "timings_s": {},
    }
    log(f"size {size}; engine: {settings.BENCH_SEARCH_URL or 'none (database only)'}")

    t = time.perf_counter()
    fresh_database()
    results["timings_s"]["migrate"] = round(time.perf_counter() - t, 1)

    # First size: a tenth of the articles, 20 subscriptions: query counts only.
    t = time.perf_counter()
    base = data.create_base(n_companies=conf["companies"])
    data.add_articles(0, conf["articles_first"])
    company = base["admin"].company
    data.add_subscriptions(company, conf["my_subscriptions_first"])
    results["timings_s"]["generate_first"] = round(time.perf_counter() - t, 1)
    results["timings_s"]["index_first"] = build_indexes()
    ctx = workloads.Context(base=base, conf=conf, log=log)
    results["query_counts"]["first"] = {
        "articles": conf["articles_first"],
        "subscriptions": conf["my_subscriptions_first"],
        **workloads.query_counts(ctx, only),
    }
    log(
        f"query counts at {conf['articles_first']} articles: "
        f"{results['query_counts']['first']}"
    )

    # Full size.
    t = time.perf_counter()
    data.add_articles(conf["articles_first"], conf["articles"] - conf["articles_first"])
    data.add_subscriptions(
        company,
        conf["my_subscriptions"] - conf["my_subscriptions_first"],
        start=conf["my_subscriptions_first"],
    )
    data.add_other_subscriptions(conf["subscriptions"] - conf["my_subscriptions"])
    results["timings_s"]["generate_full"] = round(time.perf_counter() - t, 1)
    log(
        f"generated {conf['articles']} articles in "
        f"{results['timings_s']['generate_full']} s; indexing"
    )
    results["timings_s"]["index_full"] = build_indexes()
    log(f"indexed in {results['timings_s']['index_full']} s")
    results["query_counts"]["full"] = {
        "articles": conf["articles"],
        "subscriptions": conf["my_subscriptions"],
        **workloads.query_counts(ctx, only),
    }
    log(
        f"query counts at {conf['articles']} articles: {results['query_counts']['full']}"  # noqa: E501
    )

    for name in only:
        t = time.perf_counter()
        log(f"workload {name}")
        try:
            if name in workloads.REGISTRY:
                results["workloads"][name] = workloads.run_registered(ctx, name)
            else:
                results["workloads"][name] = getattr(workloads, f"run_{name}")(ctx)
        except Exception as exc:  # noqa: BLE001 - one failed workload must not hide the rest
            log(f"workload {name} failed: {exc!r}")
            results["workloads"][name] = {"error": repr(exc)}
        results["timings_s"][name] = round(time.perf_counter() - t, 1)

    results["timings_s"]["total"] = round(time.perf_counter() - started, 1)
    results["targets"] = report.targets(results)
    log(f"total {results['timings_s']['total']} s")
    return results
