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

LUA = """
wrk.method = "{method}"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
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


def _wrk(url: str, *, method: str, body: str, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA.format(method=method, body=body))
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


def run(ctx) -> dict:
    if not shutil.which("wrk"):
        return {"skipped": "wrk not installed (apt-get install wrk)"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
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
        _wait(base + "/api/v2/pages/?limit=1")
        seconds = ctx.conf["wrk_seconds"]
        endpoints = {
            "graphql_listing": (
                "POST",
                "/graphql/",
                json.dumps({"query": queries.LISTING}),
            ),
            "graphql_search": (
                "POST",
                "/graphql/",
                json.dumps(
                    {"query": queries.SEARCH, "variables": {"q": queries.SEARCH_TERMS}}
                ),
            ),
        }
        result = {"server": "gunicorn 2 sync workers", "endpoints": {}}
        for name, (method, path, body) in endpoints.items():
            result["endpoints"][name] = r = _wrk(
                base + path, method=method, body=body, seconds=seconds
            )
            ctx.log(
                f"  {name}: {r['requests_per_s']} req/s, p99 {r['p99_ms']} ms, "
                f"errors {r['errors']}"
            )
        return result
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
