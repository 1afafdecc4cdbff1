"""``/health/``: the state of what the backend depends on, as JSON."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import JsonResponse

# Other apps add their checks here (for example the search engine): name -> callable
# returning a dict with at least {"ok": bool}.
CHECKS: dict[str, Callable[[], dict]] = {}


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 (any failure means "down")
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "latencyMs": round((time.perf_counter() - started) * 1000, 2),
    }


CHECKS["database"] = check_database


def health(request):
    results = {name: check() for name, check in CHECKS.items()}
    # Only the database is vital; a degraded optional service still answers 200.
    healthy = results["database"]["ok"]
    status = (
        "ok"
        if all(r["ok"] for r in results.values())
        else ("degraded" if healthy else "down")
    )
    return JsonResponse({"status": status, **results}, status=200 if healthy else 503)
