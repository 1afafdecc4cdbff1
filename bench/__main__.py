"""``python -m bench [--size small|medium|large] [--only WORKLOAD] [--database ...]``

With ``DATABASE_URL`` set, the same run measures every workload on SQLite, then on
that PostgreSQL database (each in a process of its own: the settings differ), and
writes one results file and one report holding both."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

REGISTERED = [
    "listing",
    "portal_listing",
    "portal_listing_client",
    "article",
    "article_client",
    "my_company",
    "search",
    "search_client",
    "ticket_context",
]
WORKLOADS = [*REGISTERED, "reindex", "download", "http"]
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname, parsed.port or 9200), timeout=1
        ):
            return True
    except OSError:
        return False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--size", choices=["tiny", "small", "medium", "large"], default="small"
    )
    parser.add_argument(
        "--only",
        choices=WORKLOADS,
        action="append",
        help="run only this workload (repeatable)",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        help="default: both when DATABASE_URL is set, else sqlite",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md"
    )
    parser.add_argument("--out", help=argparse.SUPPRESS)  # a child's results file
    parser.add_argument(
        "--render",
        metavar="RESULTS_JSON",
        help="only rewrite docs/benchmarks.md from a results file",
    )
    return parser


def _run_here(args, database: str) -> dict:
    url = os.environ.get("SEARCH_URL") or "http://127.0.0.1:9200"
    os.environ["BENCH_SEARCH_URL"] = url if _reachable(url) else ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from bench.runner import run

    return run(size=args.size, only=args.only or WORKLOADS, write_docs=False)


def _run_child(args, database: str) -> dict:
    env = dict(os.environ)
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "bench", "--size", args.size]
        command += ["--database", database, "--no-docs", "--out", str(out)]
        for name in args.only or []:
            command += ["--only", name]
        subprocess.run(command, env=env, check=True)
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from bench import report

    if args.render:
        path = Path(args.render)
        report.write_markdown({**json.loads(path.read_text()), "file": path.name})
        return 0
    database = args.database or ("both" if os.environ.get("DATABASE_URL") else "sqlite")
    if database == "postgresql" and not os.environ.get("DATABASE_URL"):
        raise SystemExit("bench: --database postgresql needs DATABASE_URL")
    if args.out:  # a child of a two-database run
        results = _run_here(args, database)
        Path(args.out).write_text(json.dumps(results, default=str))
        return 0
    if database == "both":
        runs = {db: _run_child(args, db) for db in ("sqlite", "postgresql")}
    else:
        runs = {database: _run_here(args, database)}
    combined = {"size": args.size, "only": args.only or [], "runs": runs}
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-{args.size}.json"
    out.write_text(json.dumps(combined, indent=2, default=str))
    print(f"[bench] results: {out}", flush=True)  # noqa: T201
    if not args.no_docs:
        report.write_markdown({**combined, "file": out.name})
        print("[bench] docs/benchmarks.md written", flush=True)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
