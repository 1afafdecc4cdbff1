"""The ``search`` entry of ``/health/``: which backend, and whether it answers."""

from __future__ import annotations

import time

from django.conf import settings
from wagtail.search.backends import get_search_backend


def check_search() -> dict:
    config = settings.WAGTAILSEARCH_BACKENDS["default"]
    name = config["BACKEND"].rsplit(".", 1)[-1]
    backend = get_search_backend()
    client = getattr(backend, "es", None)
    if client is None:  # the database backend lives in the database
        return {"ok": True, "backend": name}
    started = time.perf_counter()
    try:
        reachable = bool(client.ping())
    except Exception as exc:  # noqa: BLE001 (any failure means "down")
        return {"ok": False, "backend": name, "error": type(exc).__name__}
    result = {"ok": reachable, "backend": name}
    if reachable:
        result["latencyMs"] = round((time.perf_counter() - started) * 1000, 2)
    return result
