"""Machine and versions, the issue's targets, and docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
PROFILE_NOTES = Path(__file__).resolve().parent / "profile_notes.md"
FAIRNESS = Path(__file__).resolve().parent / "fairness.md"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


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
    """Issue 16's targets for one database's run, each met or missed with the figure."""
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

    def ratio(workload, peer, limit, *, at_most=True):
        r = _get(w, workload, "ratios", f"graphql/{peer}", "p50")
        sense = "≤" if at_most else "≥"
        add(
            f"{workload} {sense} {limit}× {peer} (p50)",
            r and f"{r}×",
            None if r is None else (r <= limit if at_most else r >= limit),
        )

    for name in ("listing", "portal_listing", "portal_listing_client"):
        ratio(name, "rest_v2", 0.5)
        ratio(name, "values_floor", 1.5)
    ratio("my_company", "django_floor", 1.3)
    p = _get(w, "my_company", "peers", "graphql", "p50_ms")
    add("myCompany < 20 ms p50", p and f"{p} ms", None if p is None else p < 20)
    if _get(results, "versions", "database") == "postgresql":
        p = _get(w, "portal_listing_client", "peers", "graphql", "p50_ms")
        add(
            "client listing on PostgreSQL p50 < 50 ms at 100,000 articles",
            p and f"{p} ms",
            None if p is None or results["size"] != "large" else p < 50,
            f"at {results['config']['articles']:,} articles",
        )
    size_note = f"at {results['config']['articles']:,} articles"
    for name in ("search", "search_client"):
        ratio(name, "raw_engine", 1.3)
        p = _get(w, name, "peers", "graphql", "p95_ms")
        add(
            f"{name} p95 < 40 ms at 100,000 articles",
            p and f"{p} ms",
            None if p is None or results["size"] != "large" else p < 40,
            size_note,
        )
    r = _get(w, "reindex", "ratios", "modelsearch/raw_bulk throughput")
    add(
        "reindex ≥ 0.8× the fair raw bulk throughput",
        r and f"{r}×",
        None if r is None else r >= 0.8,
        size_note,
    )
    first = results["query_counts"].get("first", {})
    full = results["query_counts"].get("full", {})
    keys = [k for k in full if k not in ("articles", "subscriptions")]
    changed = [k for k in keys if first.get(k) != full.get(k)]
    add(
        "query counts independent of size (anonymous and client)",
        f"{len(keys) - len(changed)}/{len(keys)} equal",
        None if not keys else not changed,
        ", ".join(changed) and "differ: " + ", ".join(changed),
    )
    eps = _get(w, "http", "endpoints")
    for name, limit in (
        ("graphql_listing", 0.5),
        ("graphql_article", 0.5),
        ("graphql_portal_listing_client", 0.25),
        ("graphql_search", 0.25),
        ("graphql_my_company", 0.25),
    ):
        r = _get(eps or {}, name, "ratio_to_health")
        add(
            f"{name} under gunicorn ≥ {limit}× /health/ throughput",
            r and f"{r}×",
            None if r is None else r >= limit,
        )
    if eps:
        computed = _get(w, "http", "endpoints_computed") or {}
        errors = sum(e["errors"] for e in [*eps.values(), *computed.values()])
        add("zero errors under load", f"{errors} errors", errors == 0)
    return out


def _fmt(v, unit=""):
    return "-" if v is None else f"{v}{unit}"


def _run_lines(results: dict) -> list[str]:
    conf, w = results["config"], results["workloads"]
    lines = [
        f"- **Data**: {conf['articles']:,} articles (query counts also at "
        f"{conf['articles_first']:,}), {conf['companies']} companies, "
        f"{conf['subscriptions']:,} subscriptions ({conf['my_subscriptions']} for the "
        "measured client's company); versions, related links and author photos.",
        f"- **Run time**: {results['timings_s'].get('total')} s.",
        "",
        "| workload | caller | peer | p50 ms (min–max of repeats) | p95 ms | bytes | "
        "ratio of graphql to this peer (median, min–max) |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for name, res in w.items():
        if name in ("reindex", "http"):
            continue
        if "peers" not in res:
            reason = res.get("error") or res.get("skipped") or "not run"
            lines.append(f"| {name} | - | - | - | - | - | {reason} |")
            continue
        subject = res.get("subject", "graphql")
        for peer, fig in res["peers"].items():
            r = _get(res, "ratios", f"{subject}/{peer}")
            rtext = (
                "subject"
                if peer == subject
                else (f"{r['p50']}× ({r['min']}–{r['max']})" if r else "-")
            )
            lines.append(
                f"| {name} | {res.get('caller', '-')} | {peer} | {fig['p50_ms']} "
                f"({fig.get('p50_min_ms', '-')}–{fig.get('p50_max_ms', '-')}) | "
                f"{fig['p95_ms']} | {fig.get('bytes', '-')} | {rtext} |"
            )
    rx = w.get("reindex") or {}
    lines += ["", "Full reindex of the articles:", ""]
    if "peers" in rx:
        lines += [
            "| loader | documents | seconds (median) | documents/s (min–max) |",
            "| --- | ---: | ---: | ---: |",
        ]
        for peer, fig in rx["peers"].items():
            lines.append(
                f"| {peer} | {fig['docs']:,} | {fig['seconds']} | {fig['docs_per_s']} "
                f"({fig.get('docs_per_s_min')}–{fig.get('docs_per_s_max')}) |"
            )
        r = rx["ratios"]
        lines += [
            "",
            f"modelsearch / raw bulk: {r['modelsearch/raw_bulk throughput']}× "
            f"({r.get('min')}–{r.get('max')}).",
        ]
    else:
        lines.append(rx.get("skipped") or rx.get("error") or "not run")
    ht = w.get("http") or {}
    if "endpoints" in ht:
        lines += [
            "",
            "HTTP (gunicorn, 2 sync workers, wrk, 8 connections, loopback; the "
            "same request again and again: answers kept as production serves them "
            "(cms.api.response_cache, every request a hit after the first), then "
            "the same server with every answer computed):",
            "",
            "| endpoint | requests/s | × /health/ | p50 ms | p99 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        computed = ht.get("endpoints_computed") or {}
        lines[-2:] = [
            "| endpoint | requests/s | × /health/ | p50 ms | p99 ms | errors | "
            "answers computed: requests/s | × /health/ | p50 ms |",
            "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        ]
        for name, fig in ht["endpoints"].items():
            c = computed.get(name) or {}
            lines.append(
                f"| {name} | {fig['requests_per_s']} | "
                f"{fig.get('ratio_to_health', '-')} | {fig['p50_ms']} | "
                f"{fig['p99_ms']} | {fig['errors']} | {c.get('requests_per_s', '-')} | "
                f"{c.get('ratio_to_health', '-')} | {c.get('p50_ms', '-')} |"
            )
    qc = results["query_counts"]
    first, full = qc.get("first", {}), qc.get("full", {})
    lines += [
        "",
        f"SQL queries per request at {first.get('articles', '-'):,} and "
        f"{full.get('articles', '-'):,} articles:",
        "",
        "| request | first size | full size |",
        "| --- | ---: | ---: |",
    ]
    for key in full:
        if key not in ("articles", "subscriptions"):
            lines.append(f"| {key} | {_fmt(first.get(key))} | {_fmt(full.get(key))} |")
    lines += ["", "| target | figure | status | note |", "| --- | --- | --- | --- |"]
    for t in targets(results):  # the current definitions, on the stored figures
        lines.append(
            f"| {t['target']} | {_fmt(t['figure'])} | **{t['status']}** | {t['note']} |"
        )
    return lines


SIZES_SHOWN = ("small", "medium", "large")


def _latest_runs(combined: dict) -> dict[str, dict]:
    """The last complete run of each size in bench/results (``--only`` runs are
    partial and left out), this one in place of its size's."""
    found: dict[str, dict] = {}
    # In the order written (names carry a local time that may be UTC or not).
    for path in sorted(RESULTS_DIR.glob("*.json"), key=lambda p: p.stat().st_mtime):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue
        if data.get("only") or data.get("size") not in SIZES_SHOWN:
            continue
        found[data["size"]] = {**data, "file": path.name}
    if combined.get("size") in SIZES_SHOWN or not found:
        found[combined["size"]] = combined
    return {size: found[size] for size in (*SIZES_SHOWN, "tiny") if size in found}


def write_markdown(combined: dict) -> None:
    """docs/benchmarks.md from the last complete run of each size, this one
    included (``{"size", "runs": {database: results}}``; an older single-database
    results file is taken as its SQLite run)."""
    by_size = {}
    for size, data in _latest_runs(combined).items():
        if "runs" not in data:
            data = {**data, "runs": {"sqlite": data}}
        by_size[size] = data
    first = next(iter(combined.get("runs", {"sqlite": combined}).values()))
    m, v, conf = first["machine"], first["versions"], first["config"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`, one run per size: "
        "`SIZE=small`, `SIZE=medium`, `SIZE=large`; each section comes from one "
        "run, named with its results file); do not edit by hand (the method and "
        "the peers' fairness come from `bench/fairness.md`, the profiles from "
        "`bench/profile_notes.md`). Raw figures: `bench/results/<timestamp>.json`.",
        "",
        f"- **Machine**: {m['nproc']} CPUs, {m['ram_gb']} GB RAM, {m['cpu']} "
        f"({m['os']}).",
        "- **Versions**: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- **Timing**: in process (`django.test.Client`); {conf['warmup']} warm-up "
        f"rounds, then {conf['repeats']} repeats × {conf['per_repeat']} rounds, every "
        "peer once per round, interleaved (the large size: 10 rounds); search "
        f"engine: {first['engine_url'] or 'none reachable'}.",
    ]
    for size, data in by_size.items():
        runs = data["runs"]
        head = next(iter(runs.values()))
        lines += [
            "",
            f"## Size `{size}`: {head['config']['articles']:,} articles "
            f"({head['date']}, `{data.get('file', 'this run')}`)",
        ]
        for database, results in runs.items():
            lines += ["", f"### {size}, {database}", "", *_run_lines(results)]
    for extra in (FAIRNESS, PROFILE_NOTES):
        if extra.exists():
            lines += ["", extra.read_text().strip()]
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text("\n".join(lines) + "\n")
