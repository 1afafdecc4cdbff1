"""The HTTP run: gunicorn (2 workers) on 127.0.0.1 serving the bench settings, loaded
with wrk for a bounded time per endpoint."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import queries
from .data import LONG_ARTICLE_SLUG

LUA = """
wrk.method = "{method}"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
{auth}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) gql_errors = 0 end
function response(status, headers, body)
  if status == 200 and body:find('"errors"', 1, true) then
    gql_errors = gql_errors + 1
  end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("gql_errors") end
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, n,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


def _wrk(
    url: str, *, method: str, body: str, seconds: int, token: str | None = None
) -> dict:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA.format(method=method, body=body, auth=auth))
        script = f.name
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                "-c8",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                script,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    (
        reqs,
        duration_us,
        e_conn,
        e_read,
        e_write,
        non2xx,
        e_timeout,
        gql_errors,
        p50_us,
        p99_us,
    ) = (int(v) for v in line.split()[1:])
    return {
        "requests": reqs,
        "requests_per_s": round(reqs / (duration_us / 1e6), 1),
        "p50_ms": round(p50_us / 1000, 2),
        "p99_ms": round(p99_us / 1000, 2),
        "errors": e_conn + e_read + e_write + non2xx + e_timeout + gql_errors,
        "errors_detail": {
            "connect": e_conn,
            "read": e_read,
            "write": e_write,
            "non_2xx": non2xx,
            "timeout": e_timeout,
            "graphql_errors": gql_errors,
        },
        "seconds": seconds,
        "connections": 8,
    }


def _op(query: str, variables: dict | None = None) -> str:
    return json.dumps({"query": query, "variables": variables or {}})


# The server twice: as production runs it (answers kept, cms.api.response_cache, the
# measured figures) and with every answer computed (what a cache miss costs).
MODES = {"kept": 60, "computed": 0}


def _endpoints(ctx) -> dict:
    article = {"slug": LONG_ARTICLE_SLUG}
    search = {"q": queries.SEARCH_TERMS}
    client = ctx.token
    # name: (method, path, body, token); /health/ first: the ratios' reference.
    return {
        "health": ("GET", "/health/", "", None),
        "graphql_listing": ("POST", "/graphql/", _op(queries.LISTING), None),
        "graphql_portal_listing_client": (
            "POST",
            "/graphql/",
            _op(queries.PORTAL_LISTING),
            client,
        ),
        "graphql_article": (
            "POST",
            "/graphql/",
            _op(queries.PORTAL_ARTICLE, article),
            None,
        ),
        "graphql_search": ("POST", "/graphql/", _op(queries.SEARCH, search), None),
        "graphql_search_client": (
            "POST",
            "/graphql/",
            _op(queries.SEARCH, search),
            client,
        ),
        "graphql_my_company": (
            "POST",
            "/graphql/",
            _op(queries.MY_COMPANY),
            client,
        ),
    }


def run(ctx) -> dict:
    if not shutil.which("wrk"):
        return {"skipped": "wrk not installed (apt-get install wrk)"}
    result = {"server": "gunicorn 2 sync workers"}
    for mode, seconds_kept in MODES.items():
        ctx.log(f"  answers {mode}:")
        endpoints = _serve(ctx, seconds_kept)
        result["endpoints" if mode == "kept" else f"endpoints_{mode}"] = endpoints
    return result


def _serve(ctx, seconds_kept: int) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_RESPONSE_CACHE_SECONDS": str(seconds_kept),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [
            str(gunicorn),
            "bench.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,
    )
    try:
        _wait(base + "/health/")
        seconds = ctx.conf["wrk_seconds"]
        results = {}
        for name, (method, path, body, token) in _endpoints(ctx).items():
            results[name] = r = _wrk(
                base + path, method=method, body=body, seconds=seconds, token=token
            )
            health = results["health"]["requests_per_s"]
            r["ratio_to_health"] = (
                round(r["requests_per_s"] / health, 3) if health else None
            )
            ctx.log(
                f"    {name}: {r['requests_per_s']} req/s "
                f"({r['ratio_to_health']}× /health/), p99 {r['p99_ms']} ms, "
                f"errors {r['errors']}"
            )
        return results
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
