"""One benchmark run: fresh database, data at two sizes, every workload, the report."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from . import data, report, workloads

SIZES = {
    # Under 2 minutes on 2 shared cores (search on the SQLite backend bounds it).
    "small": {
        "articles": 2_000,
        "articles_first": 200,
        "companies": 20,
        "subscriptions": 1_000,
        "my_subscriptions": 200,
        "my_subscriptions_first": 20,
        "iterations": 30,
        "warmup": 5,
        "download_mb": 200,
        "wrk_seconds": 10,
    },
    # The first search size.
    "medium": {
        "articles": 10_000,
        "articles_first": 1_000,
        "companies": 100,
        "subscriptions": 10_000,
        "my_subscriptions": 200,
        "my_subscriptions_first": 20,
        "iterations": 30,
        "warmup": 5,
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
        "my_subscriptions_first": 20,
        "iterations": 50,
        "warmup": 5,
        "download_mb": 200,
        "wrk_seconds": 10,
    },
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
    call_command("migrate", verbosity=0, interactive=False)
    from knowledge.models import ArticlePage

    if ArticlePage.objects.exists():
        raise SystemExit(
            "bench: DATABASE_URL points at a database with content; "
            "give the benchmark an empty one."
        )


def build_indexes() -> dict:
    """``update_index`` on each backend; seconds per backend."""
    seconds = {}
    for name in settings.WAGTAILSEARCH_BACKENDS:
        start = time.perf_counter()
        call_command("update_index", backend_name=name, verbosity=0)
        seconds[name] = round(time.perf_counter() - start, 1)
    return seconds


def run(*, size: str, only: list[str], write_docs: bool = True) -> int:
    conf = SIZES[size]
    started = time.perf_counter()
    results: dict = {
        "size": size,
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
            results["workloads"][name] = getattr(workloads, f"run_{name}")(ctx)
        except Exception as exc:  # noqa: BLE001 - one failed workload must not hide the rest
            log(f"workload {name} failed: {exc!r}")
            results["workloads"][name] = {"error": repr(exc)}
        results["timings_s"][name] = round(time.perf_counter() - t, 1)

    results["timings_s"]["total"] = round(time.perf_counter() - started, 1)
    results["targets"] = report.targets(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-{size}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    log(f"results: {out}")
    if write_docs:
        report.write_markdown(results)
        log("docs/benchmarks.md written")
    log(f"total {results['timings_s']['total']} s")
    return 0
