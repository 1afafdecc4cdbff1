"""The ``search`` entry of ``/health/``: which backend, and whether it answers."""

from __future__ import annotations

import time

from django.conf import settings
from modelsearch.backends.opensearch2 import OpenSearch2SearchBackend
from wagtail.search.backends import get_search_backend

from .models import PendingIndexUpdate
from .services import pending_index_updates_replay_if_any


def check_search() -> dict:
    backend = get_search_backend()
    name = (
        "opensearch2"
        if isinstance(backend, OpenSearch2SearchBackend)
        else settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].rsplit(".", 1)[-1]
    )
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
        pending_index_updates_replay_if_any()
    result["pendingIndexUpdates"] = PendingIndexUpdate.objects.count()
    return result
