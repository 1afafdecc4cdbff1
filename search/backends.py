"""The OpenSearch backend, made durable: an update the engine cannot take is recorded
(:class:`search.models.PendingIndexUpdate`) instead of only logged, and replayed by
:func:`search.services.pending_index_updates_replay` once the engine answers again."""

from __future__ import annotations

from modelsearch.backends.opensearch2 import OpenSearch2SearchBackend
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import TransportError

ENGINE_DOWN = (EngineConnectionError, TransportError, OSError)


class DurableOpenSearchBackend(OpenSearch2SearchBackend):
    def add(self, obj):
        try:
            super().add(obj)
        except ENGINE_DOWN as exc:
            _record([obj], "index", exc)
            raise

    def add_bulk(self, model, obj_list):
        try:
            super().add_bulk(model, obj_list)
        except ENGINE_DOWN as exc:
            _record(obj_list, "index", exc)
            raise

    def delete(self, obj):
        try:
            super().delete(obj)
        except ENGINE_DOWN as exc:
            _record([obj], "delete", exc)
            raise

    # Replay writes through these, so a replay that fails is not recorded twice.
    def add_unrecorded(self, obj):
        super().add(obj)

    def delete_unrecorded(self, obj):
        super().delete(obj)


def _record(objects, action: str, exc: BaseException) -> None:
    from .services import pending_index_update_record

    for obj in objects:
        pending_index_update_record(obj=obj, action=action, error=repr(exc)[:200])


SearchBackend = DurableOpenSearchBackend
