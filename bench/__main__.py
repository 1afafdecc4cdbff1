"""``python -m bench [--size small|large] [--only WORKLOAD]``"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from urllib.parse import urlparse

WORKLOADS = [
    "listing",
    "article",
    "my_company",
    "search",
    "reindex",
    "download",
    "http",
]


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname, parsed.port or 9200), timeout=1
        ):
            return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=["small", "medium", "large"], default="small")
    parser.add_argument(
        "--only",
        choices=WORKLOADS,
        action="append",
        help="run only this workload (repeatable)",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md"
    )
    parser.add_argument(
        "--render",
        metavar="RESULTS_JSON",
        help="only rewrite docs/benchmarks.md from a results file",
    )
    args = parser.parse_args(argv)
    if args.render:
        import json

        from bench import report

        report.write_markdown(json.loads(open(args.render).read()))
        return 0

    url = os.environ.get("SEARCH_URL") or "http://127.0.0.1:9200"
    os.environ["BENCH_SEARCH_URL"] = url if _reachable(url) else ""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from bench.runner import run

    return run(size=args.size, only=args.only or WORKLOADS, write_docs=not args.no_docs)


if __name__ == "__main__":
    sys.exit(main())
