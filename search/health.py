"""The ``search`` entry of ``/health/``: which backend, whether it answers, and the
index updates it missed that still wait to be replayed."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
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
        result = {"ok": False, "backend": name, "error": type(exc).__name__}
    else:
        result = {"ok": reachable, "backend": name}
        if reachable:
            result["latencyMs"] = round((time.perf_counter() - started) * 1000, 2)
            pending_index_updates_replay_if_any()
    return {**result, **_pending_index_updates()}


def _pending_index_updates() -> dict:
    """How many updates wait, and for how long the oldest has: an age that keeps
    growing while the engine answers means the replay is stuck."""
    waiting = PendingIndexUpdate.objects.aggregate(
        count=Count("pk"), oldest=Min("recorded_at")
    )
    oldest = waiting["oldest"]
    return {
        "pendingIndexUpdates": waiting["count"],
        "oldestPendingIndexUpdateSeconds": (
            None if oldest is None else round((timezone.now() - oldest).total_seconds())
        ),
    }
