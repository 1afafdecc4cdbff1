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
    get_indexed_models,
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
        for name, read, autocomplete, _column in _plan(type(self), self.model):
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

    def get_document_from_row(self, row: dict) -> dict:
        """The document :meth:`get_document` builds, from a row of the model's
        ``search_index_rows`` (a ``values()`` dict holding :func:`row_columns` and
        the value of each computed search field under its name): no model instance,
        no per-field lookup. tests/search/test_rebuild.py checks both agree."""
        content_types = _content_types(type(self), self.model)
        doc = {"pk": str(row["pk"]), "_django_content_type": content_types}
        edgengrams = []
        clean = self._clean_value
        for name, key, autocomplete in _row_plan(type(self), self.model):
            value = clean(row[key])
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
    """(column, reader, is_autocomplete, attribute) per search field; reader None
    means "ask modelsearch", and the third item is then the search field itself;
    attribute is the plain column's attribute name (None with no reader)."""
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
            plan.append((name, None, search_field, None))
        else:
            autocomplete = isinstance(search_field, AutocompleteField)
            plan.append((name, reader, autocomplete, field.attname))
    return plan


@cache
def _row_plan(mapping_class, model) -> list[tuple]:
    """(column, row key, is_autocomplete) per search field, for rows: a plain column
    is read under its attribute name, anything else under the search field's name
    (modelsearch's rules for those: a filter's or search field's value as it is, an
    autocomplete field's value also among the edge n-grams)."""
    plan = []
    for name, reader, extra, attname in _plan(mapping_class, model):
        if reader is not None:
            plan.append((name, attname, extra))
        elif isinstance(extra, RelatedFields):
            raise TypeError(f"{model.__name__}: nested fields have no row form")
        else:
            plan.append((name, extra.field_name, isinstance(extra, AutocompleteField)))
    return plan


def row_columns(model) -> list[str]:
    """The plain columns a row of ``model`` holds for its index document (the
    model's ``search_index_rows`` adds the computed fields' values)."""
    columns = []
    for _name, _reader, extra, attname in _plan(IndexMapping, model):
        if attname is None and isinstance(extra, AutocompleteField):
            try:
                field = model._meta.get_field(extra.field_name)
            except FieldDoesNotExist:
                field = None
            if field is not None and field.concrete and not field.is_relation:
                attname = field.attname
        if attname is not None and attname not in columns:
            columns.append(attname)
    return columns


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
    """The new index a rebuild fills (nothing reads it until the alias moves). Every
    request to the engine goes through one background thread, so one is in flight
    while the caller reads and converts the next chunk: the creation first (refresh
    off and the mappings of every model the index holds, in one request: each index
    change is a cluster-state update the node publishes, 0.1-0.3 s here), then one
    bulk request per chunk. A failed request fails the rebuild at the next chunk or at
    :meth:`flush`; the old index keeps serving."""

    _executor: ThreadPoolExecutor | None = None
    _pending: list[Future] | None = None
    _mapped: frozenset = frozenset()  # the models whose mapping the creation holds

    def put(self, models=()):
        """Create the index in the background, with ``models``' mappings."""
        from .synonyms import engine_index_settings

        body = engine_index_settings(self.backend.settings)
        index_settings = body.setdefault("settings", {}).setdefault("index", {})
        index_settings["refresh_interval"] = "-1"
        properties = body.setdefault("mappings", {}).setdefault("properties", {})
        for model in models:
            properties.update(self.mapping_class(model).get_mapping()["properties"])
        self._mapped = frozenset(models)
        self._submit(self.es.indices.create, index=self.name, body=body)

    def add_model(self, model):
        if model not in self._mapped:
            self._submit(super().add_model, model)

    def add_items(self, model, items):
        """``items``: model instances, or rows of ``model.search_index_rows``."""
        if not class_is_indexed(model):
            return
        mapping = self.mapping_class(model)
        if items and isinstance(items[0], dict):
            actions = [
                {"_id": str(row["pk"]), **mapping.get_document_from_row(row)}
                for row in items
            ]
        else:
            actions = [
                {"_id": mapping.get_document_id(item), **mapping.get_document(item)}
                for item in items
            ]
        self.flush()
        if actions:  # one request for the chunk (helpers.bulk would cut at 500)
            self._submit(
                self.backend.bulk,
                self.es,
                actions,
                index=self.name,
                chunk_size=len(actions),
            )

    def _submit(self, call, *args, **kwargs) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="bulk-load")
            self._pending = []
        self._pending.append(self._executor.submit(call, *args, **kwargs))

    def flush(self) -> None:
        """Wait for the requests sent; raise the first error."""
        pending, self._pending = self._pending or [], []
        for future in pending:
            future.result()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._executor is not None:
                self._executor.shutdown(cancel_futures=True)
                self._executor = None

    def set_refresh_interval(self, value: str | None) -> None:
        self.es.indices.put_settings(
            index=self.name, body={"index": {"refresh_interval": value}}
        )


class BulkLoadRebuilder(ElasticsearchAtomicIndexRebuilder):
    """An atomic rebuild (new index, then the alias moves) that bulk-loads, from
    rows where the model gives them (``update_index``'s ``rows_reader``)."""

    reads_rows = True

    def __init__(self, index):
        super().__init__(index)
        self.index = BulkLoadIndex(index.backend, self.index.name)

    def start(self):
        backend, name = self.alias.backend, self.alias.name
        models = [
            model
            for model in get_indexed_models()
            if backend.get_index_for_model(model).name == name
        ]
        self.index.put(models)
        return self.index

    def finish(self):
        self.index.close()
        self.index.set_refresh_interval(None)  # back to the engine's default
        self.index.refresh()
        es, alias = self.index.es, self.alias.name
        try:
            old = list(es.indices.get_alias(name=alias))
        except self.index.backend.NotFoundError:
            old = None
        if old is None and es.indices.exists(index=alias):
            # A concrete index under the alias's name (the first rebuild after
            # switching ATOMIC_REBUILD on): modelsearch's way, delete then alias.
            super().finish()
            return
        # One atomic change: the alias moves and the old indexes go together.
        actions = [{"add": {"index": self.index.name, "alias": alias}}]
        actions += [
            {"remove_index": {"index": name}}
            for name in old or []
            if name != self.index.name
        ]
        es.indices.update_aliases(body={"actions": actions})


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
