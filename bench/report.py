"""Machine and versions, the issue's targets, and docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
PROFILE_NOTES = Path(__file__).resolve().parent / "profile_notes.md"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": ram_gb,
        "cpu": cpu or platform.processor(),
        "os": platform.platform(),
    }


def _v(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def versions() -> dict:
    from django.conf import settings

    out = {
        "python": platform.python_version(),
        "django": _v("Django"),
        "wagtail": _v("wagtail"),
        "grapple": _v("wagtail-grapple"),
        "graphene": _v("graphene"),
        "modelsearch": _v("modelsearch"),
        "opensearch-py": _v("opensearch-py"),
        "gunicorn": _v("gunicorn"),
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
    if settings.BENCH_SEARCH_URL:
        try:
            from opensearchpy import OpenSearch

            info = OpenSearch([settings.BENCH_SEARCH_URL], timeout=5).info()
            out["opensearch"] = info["version"]["number"]
        except Exception:  # noqa: BLE001
            out["opensearch"] = "unreachable"
    return out


def _get(d: dict, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def targets(results: dict) -> list[dict]:
    """The issue's targets, each met or missed with the figure."""
    w = results["workloads"]
    out = []

    def add(name, figure, met, note=""):
        out.append(
            {
                "target": name,
                "figure": figure,
                "status": "n/a" if met is None else ("met" if met else "missed"),
                "note": note,
            }
        )

    r = _get(w, "listing", "ratios", "graphql/rest_v2", "p50")
    add(
        "GraphQL listing ≤ 0.5× REST v2 (p50)",
        r and f"{r}×",
        None if r is None else r <= 0.5,
    )
    r = _get(w, "listing", "ratios", "graphql/django_floor", "p50")
    add(
        "GraphQL listing ≤ 1.5× plain Django floor (p50)",
        r and f"{r}×",
        None if r is None else r <= 1.5,
    )
    p = _get(w, "my_company", "peers", "graphql", "p50_ms")
    add(
        "myCompany (200 subscriptions) < 25 ms p50 in process",
        p and f"{p} ms",
        None if p is None else p < 25,
    )
    size_note = f"at {results['config']['articles']:,} articles"
    p = _get(w, "search", "peers", "graphql_engine", "p95_ms")
    add(
        "search p95 < 50 ms end to end at 100,000 articles (engine)",
        p and f"{p} ms",
        None if p is None else p < 50,
        size_note
        + ("" if results["size"] == "large" else " (not 100,000: SIZE=large)"),
    )
    r = _get(w, "search", "ratios", "graphql_engine/raw_engine", "p50")
    add(
        "search ≤ 1.3× the raw engine query (p50)",
        r and f"{r}×",
        None if r is None else r <= 1.3,
        size_note,
    )
    r = _get(w, "reindex", "ratios", "modelsearch/raw_bulk throughput")
    add(
        "reindex ≥ 0.8× raw bulk throughput",
        r and f"{r}×",
        None if r is None else r >= 0.8,
        size_note,
    )
    first, full = (
        results["query_counts"].get("first", {}),
        results["query_counts"].get("full", {}),
    )
    changed = [
        k
        for k in full
        if k not in ("articles", "subscriptions") and first.get(k) != full.get(k)
    ]
    keys = [k for k in full if k not in ("articles", "subscriptions")]
    add(
        "query counts independent of size",
        f"{len(keys) - len(changed)}/{len(keys)} equal",
        None if not keys else not changed,
        ", ".join(changed) and "differ: " + ", ".join(changed),
    )
    eps = _get(w, "http", "endpoints")
    if eps:
        errors = sum(e["errors"] for e in eps.values())
        add("zero errors under load", f"{errors} errors", errors == 0)
    else:
        add("zero errors under load", None, None)
    return out


def _fmt(v, unit=""):
    return "-" if v is None else f"{v}{unit}"


def write_markdown(results: dict) -> None:
    m, v, w = results["machine"], results["versions"], results["workloads"]
    conf = results["config"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`, size "
        f"`{results['size']}`); do not edit by hand. Raw figures: "
        "`bench/results/<timestamp>.json`. Issue 7.",
        "",
        "Run: `make bench` (small, under 2 minutes), `SIZE=medium make bench` (10,000 "
        "articles), `SIZE=large make bench` (100,000 articles, 500 companies, 50,000 "
        "subscriptions); `python -m bench --only search` for one workload; "
        "`python -m bench.profile search 10` profiles one workload on the last run's "
        "data. The engine is `SEARCH_URL` or http://127.0.0.1:9200 when it answers "
        "(`scripts/search-engine.sh start`); wrk comes from `apt-get install wrk`.",
        "",
        f"- **Date**: {results['date']}",
        f"- **Machine**: {m['nproc']} CPUs, {m['ram_gb']} GB RAM, {m['cpu']} ({m['os']}). "  # noqa: E501
        "Shared with other work while measuring: figures move by ±20 %.",
        "- **Versions**: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- **Data** (own generator, seeded): {conf['articles']:,} articles "
        f"(first size for query counts: {conf['articles_first']:,}), "
        f"{conf['companies']} companies, {conf['subscriptions']:,} subscriptions "
        f"({conf['my_subscriptions']} for the measured company, each with a licence); "
        f"the long article has {_get(w, 'article', 'body_blocks', default='-')} blocks.",  # noqa: E501
        f"- **Method**: in process with `django.test.Client`, {conf['warmup']} warm-up "
        f"calls then {conf['iterations']} timed calls per peer (download, and any peer "
        "slower than 0.25 s a call: 5 calls, so their p95 is their maximum); SQLite "
        "unless DATABASE_URL is set; search engine: "
        f"{results['engine_url'] or 'none reachable (database backend only)'}.",
        f"- **Run time**: {results['timings_s'].get('total')} s "
        f"({', '.join(f'{k} {s} s' for k, s in results['timings_s'].items() if k != 'total')}).",  # noqa: E501
        "",
        "## In process: p50 / p95 and ratios to each peer",
        "",
        "| workload | peer | p50 ms | p95 ms | ratio of the subject to this peer (p50 / p95) |",  # noqa: E501
        "| --- | --- | ---: | ---: | --- |",
    ]
    subjects = {
        "listing": "graphql",
        "article": "graphql",
        "my_company": "graphql",
        "search": "graphql_engine" if results["engine_url"] else "graphql_database",
        "download": _get(w, "download", "subject", default="file_response"),
    }
    labels = {
        "listing": "knowledge-base listing (20 articles + category, tags, authors, products)",  # noqa: E501
        "article": "one article, long StreamField body",
        "my_company": "`myCompany`, 200 subscriptions + licences (company admin)",
        "search": f'`searchArticles` "{_get(w, "search", "query", default="")}" '
        f"({_get(w, 'search', 'total', default='-')} matches)",
        "download": f"download of a {conf['download_mb']} MB file",
    }
    for name, subject in subjects.items():
        res = w.get(name) or {}
        if "peers" not in res:
            lines.append(
                f"| {labels[name]} | - | - | - | {res.get('error') or res.get('skipped') or 'not run'} |"  # noqa: E501
            )
            continue
        for peer, fig in res["peers"].items():
            ratio = _get(res, "ratios", f"{subject}/{peer}")
            extra = f" ({fig['mb_per_s']} MB/s)" if "mb_per_s" in fig else ""
            rtext = (
                "subject"
                if peer == subject
                else (f"{ratio['p50']}× / {ratio['p95']}×" if ratio else "-")
            )
            lines.append(
                f"| {labels[name]} | {peer}{extra} | {fig['p50_ms']} | "
                f"{fig['p95_ms']} | {rtext} |"
            )
    if _get(w, "download", "note"):
        lines += ["", f"Download: {w['download']['note']}."]
    rx = w.get("reindex") or {}
    lines += ["", "## Full reindex of the articles", ""]
    if "peers" in rx:
        lines += [
            "| method | documents | seconds | documents/s |",
            "| --- | ---: | ---: | ---: |",
        ]
        for peer, fig in rx["peers"].items():
            lines.append(
                f"| {peer} | {fig['docs']:,} | {fig['seconds']} | {fig['docs_per_s']} |"
            )
        lines += [
            "",
            f"modelsearch / raw bulk throughput: "
            f"{rx['ratios']['modelsearch/raw_bulk throughput']}×.",
        ]
    else:
        lines.append(rx.get("skipped") or rx.get("error") or "not run")
    ht = w.get("http") or {}
    lines += [
        "",
        "## HTTP: gunicorn, 2 sync workers, wrk (1 thread, 8 connections, "
        f"{conf['wrk_seconds']} s per endpoint, loopback)",
        "",
    ]
    if "endpoints" in ht:
        lines += [
            "| endpoint | requests/s | p50 ms | p99 ms | errors (non-2xx + socket + GraphQL) |",  # noqa: E501
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for name, fig in ht["endpoints"].items():
            detail = ", ".join(f"{k} {n}" for k, n in fig["errors_detail"].items() if n)
            lines.append(
                f"| {name} | {fig['requests_per_s']} | {fig['p50_ms']} | "
                f"{fig['p99_ms']} | {fig['errors']}{' (' + detail + ')' if detail else ''} |"  # noqa: E501
            )
    else:
        lines.append(ht.get("skipped") or ht.get("error") or "not run")
    qc = results["query_counts"]
    first, full = qc.get("first", {}), qc.get("full", {})
    lines += [
        "",
        "## SQL queries per request, at two sizes",
        "",
        f"| request | {first.get('articles', '-'):,} articles / "
        f"{first.get('subscriptions', '-')} subscriptions | "
        f"{full.get('articles', '-'):,} articles / {full.get('subscriptions', '-')} "
        "subscriptions |",
        "| --- | ---: | ---: |",
    ]
    for key in full:
        if key in ("articles", "subscriptions"):
            continue
        lines.append(f"| {key} | {_fmt(first.get(key))} | {_fmt(full.get(key))} |")
    lines += [
        "",
        "## Targets (issue 7)",
        "",
        "| target | figure | status | note |",
        "| --- | --- | --- | --- |",
    ]
    for t in results["targets"]:
        lines.append(
            f"| {t['target']} | {_fmt(t['figure'])} | **{t['status']}** | {t['note']} |"
        )
    if PROFILE_NOTES.exists():
        lines += ["", PROFILE_NOTES.read_text().strip()]
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text("\n".join(lines) + "\n")
