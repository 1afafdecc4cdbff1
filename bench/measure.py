"""Timing and query counting helpers."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], object], *, iterations: int, warmup: int) -> dict:
    """p50/p95/mean in milliseconds of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "iterations": iterations,
    }


def count_queries(fn: Callable[[], object]) -> tuple[int, object]:
    """The number of SQL queries of one call of ``fn`` once warm (the first call may
    fill caches or create today's view-count row), and what it returned."""
    fn()
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def check_response(response, *, graphql: bool = False):
    """Fail loudly on a non-200 or a GraphQL error: a fast error is not a result."""
    if response.status_code != 200:
        raise AssertionError(
            f"{response.status_code} from {response.request.get('PATH_INFO')}: "
            f"{response.content[:300]!r}"
        )
    if graphql:
        body = json.loads(response.content)
        if body.get("errors"):
            raise AssertionError(f"GraphQL errors: {body['errors'][:2]}")
        return body["data"]
    return response
