"""The OpenSearch backend, made durable: an update the engine cannot take is recorded
(:class:`search.models.PendingIndexUpdate`) instead of only logged, and replayed by
:func:`search.services.pending_index_updates_replay` once the engine answers again.

Full rebuilds (``update_index``) load the new index the way the engine's manual advises
for bulk loads: refresh off until the end, and each chunk's bulk request in flight while
the next chunk is read from the database and converted (:class:`BulkLoadIndex`)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from django.db.models.fields.related import RelatedField
from modelsearch.backends.elasticsearchbase import ElasticsearchAtomicIndexRebuilder
from modelsearch.backends.opensearch2 import (
    OpenSearch2Index,
    OpenSearch2Mapping,
    OpenSearch2SearchBackend,
)
from modelsearch.index import (
    AutocompleteField,
    FilterField,
    RelatedFields,
    SearchField,
    class_is_indexed,
)
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import TransportError

ENGINE_DOWN = (EngineConnectionError, TransportError, OSError)


class IndexMapping(OpenSearch2Mapping):
    """modelsearch's mapping, with what does not depend on the object worked out once
    per model: each search field's column, and a plain attribute read for the fields
    that are plain columns. modelsearch re-derives both for every field of every
    document (a third of a rebuild's time in Python). tests/search/test_rebuild.py
    checks the documents are identical to modelsearch's."""

    def get_document(self, obj):
        content_types = _content_types(type(self), self.model)
        doc = {"pk": str(obj.pk), "_django_content_type": content_types}
        edgengrams = []
        for name, read, autocomplete in _plan(type(self), self.model):
            if read is None:  # not a plain column: modelsearch's own way
                name, value, extra = self._get_document_field_data(autocomplete, obj)
                edgengrams.extend(extra)
            else:
                value = self._clean_value(read(obj))
                if autocomplete:
                    edgengrams.append(value)
            doc[name] = value
        doc["_edgengrams"] = edgengrams
        return doc


@cache
def _content_types(mapping_class, model) -> list[str]:
    return mapping_class(model).get_all_content_types()


@cache
def _plan(mapping_class, model) -> list[tuple]:
    """(column, reader, is_autocomplete) per search field; reader None means "ask
    modelsearch", and the third item is then the search field itself."""
    mapping = mapping_class(model)
    plan = []
    for search_field in model.get_search_fields():
        name = mapping.get_field_column_name(search_field)
        reader = None
        if not isinstance(search_field, RelatedFields):
            try:
                field = search_field.get_field(model)
            except FieldDoesNotExist:
                field = None
            plain = (
                field is not None
                and field.concrete
                and not field.many_to_many
                and not hasattr(_target(field), "get_searchable_content")
            )
            if plain and isinstance(search_field, (FilterField, SearchField)):
                reader = attrgetter(field.attname)
        if reader is None:
            plan.append((name, None, search_field))
        else:
            plan.append((name, reader, isinstance(search_field, AutocompleteField)))
    return plan


def _target(field):
    """The column a foreign key ends at (a key to a page points at page_ptr, …)."""
    while isinstance(field, RelatedField):
        field = field.target_field
    return field


class SynonymIndex(OpenSearch2Index):
    """An index created with the admin's synonyms in its search-time analyser
    (:func:`search.synonyms.engine_index_settings`)."""

    def put(self):
        from .synonyms import engine_index_settings

        settings = engine_index_settings(self.backend.settings)
        if self.backend.use_new_elasticsearch_api:
            self.es.indices.create(index=self.name, **settings)
        else:
            self.es.indices.create(self.name, settings)


class BulkLoadIndex(SynonymIndex):
    """The new index a rebuild fills (nothing reads it until the alias moves): one
    bulk request in flight while the caller prepares the next chunk. A failed request
    fails the rebuild at the next chunk or at :meth:`flush`; the old index keeps
    serving."""

    _executor: ThreadPoolExecutor | None = None
    _pending: Future | None = None

    def add_items(self, model, items):
        if not class_is_indexed(model):
            return
        mapping = self.mapping_class(model)
        actions = [
            {"_id": mapping.get_document_id(item), **mapping.get_document(item)}
            for item in items
        ]
        self.flush()
        if actions:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="bulk-load")
            self._pending = self._executor.submit(
                self.backend.bulk, self.es, actions, index=self.name
            )

    def flush(self) -> None:
        """Wait for the request in flight; raise its error if it failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._executor is not None:
                self._executor.shutdown()
                self._executor = None

    def set_refresh_interval(self, value: str | None) -> None:
        self.es.indices.put_settings(
            index=self.name, body={"index": {"refresh_interval": value}}
        )


class BulkLoadRebuilder(ElasticsearchAtomicIndexRebuilder):
    """An atomic rebuild (new index, then the alias moves) that bulk-loads."""

    def __init__(self, index):
        super().__init__(index)
        self.index = BulkLoadIndex(index.backend, self.index.name)

    def start(self):
        index = super().start()
        index.set_refresh_interval("-1")
        return index

    def finish(self):
        self.index.close()
        self.index.set_refresh_interval(None)  # back to the engine's default
        super().finish()  # refresh, then move the alias and drop the old index


class DurableOpenSearchBackend(OpenSearch2SearchBackend):
    mapping_class = IndexMapping
    index_class = SynonymIndex
    atomic_rebuilder_class = BulkLoadRebuilder

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
