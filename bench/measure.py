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


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def interleaved(
    calls: dict[str, Callable[[], object]],
    *,
    repeats: int,
    per_repeat: int,
    warmup: int,
    subject: str | None = None,
) -> dict:
    """Time every call of ``calls`` the same number of times, interleaved.

    Each repeat makes ``per_repeat`` rounds; a round calls every peer once, in an
    order rotated by one each round, so no peer always runs first (cold) or right
    after the same neighbour, and a burst of load from the shared machine falls on
    all of them. Per peer: the median of the repeats' medians (``p50_ms``) with
    their min and max, and the p95 of all samples. Per pair (``subject``/peer): the
    median of the per-repeat ratios with their min and max, each ratio taken from
    calls made in the same repeat."""
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    samples: dict[str, list[list[float]]] = {
        n: [[] for _ in range(repeats)] for n in names
    }
    turn = 0
    for r in range(repeats):
        for _ in range(per_repeat):
            k = turn % len(names)
            turn += 1
            for name in names[k:] + names[:k]:
                start = time.perf_counter()
                calls[name]()
                samples[name][r].append((time.perf_counter() - start) * 1000)
    peers = {}
    medians = {n: [_median(rep) for rep in samples[n]] for n in names}
    for name in names:
        flat = [v for rep in samples[name] for v in rep]
        peers[name] = {
            "p50_ms": round(_median(medians[name]), 3),
            "p50_min_ms": round(min(medians[name]), 3),
            "p50_max_ms": round(max(medians[name]), 3),
            "p95_ms": round(percentile(flat, 95), 3),
            "calls": len(flat),
            "repeats": repeats,
        }
    result: dict = {"peers": peers}
    if subject is not None:
        ratios = {}
        for name in names:
            if name == subject:
                continue
            per_repeat_ratios = [
                a / b for a, b in zip(medians[subject], medians[name], strict=True) if b
            ]
            if per_repeat_ratios:
                ratios[f"{subject}/{name}"] = {
                    "p50": round(_median(per_repeat_ratios), 2),
                    "min": round(min(per_repeat_ratios), 2),
                    "max": round(max(per_repeat_ratios), 2),
                }
        result["ratios"] = ratios
    return result


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
