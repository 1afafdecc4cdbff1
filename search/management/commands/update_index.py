"""``manage.py update_index``: Wagtail's command (modelsearch's rebuild), reading each
model in primary-key order by key ranges instead of OFFSET pages.

modelsearch pages through a model with ``qs[i * size:][:size]``; each OFFSET query
re-reads every row before it, so a rebuild's reads grow with the square of the table
(100,000 articles: a hundred queries, the last skipping 99,000 rows). Reading from the
last key seen costs the same for every chunk. This app is listed before wagtail.search
in INSTALLED_APPS, so this command is the one ``manage.py`` runs.
"""

from __future__ import annotations

from django.db import transaction
from modelsearch.management.commands.rebuild_modelsearch_index import (
    DEFAULT_CHUNK_SIZE,
)
from modelsearch.management.commands.rebuild_modelsearch_index import (
    Command as RebuildCommand,
)
from tqdm import tqdm
from wagtail.search.backends import get_search_backend

from search.backends import row_columns


class Command(RebuildCommand):
    reads_rows = False  # whether the backend being rebuilt takes rows

    def update_backend(self, backend_name, *args, **kwargs):
        rebuilder = get_search_backend(backend_name).rebuilder_class
        self.reads_rows = getattr(rebuilder, "reads_rows", False)
        try:
            super().update_backend(backend_name, *args, **kwargs)
        finally:
            self.reads_rows = False

    @transaction.atomic  # as modelsearch's: a stable snapshot while it is read
    def queryset_chunks(self, qs, chunk_size=DEFAULT_CHUNK_SIZE):
        self.expected = (qs.model._meta.label, qs.count())  # for the progress bar
        read = rows_reader(qs.model) if self.reads_rows else None
        yield from key_range_chunks(qs, chunk_size, read=read)

    def print_iter_progress(self, iterable):
        """On a terminal, a bar per model counting objects to N/N; elsewhere
        modelsearch's dots."""
        if not (self.verbosity and self.stdout.isatty()):
            yield from super().print_iter_progress(iterable)
            return
        bar = None
        try:
            for chunk in iterable:
                if bar is None:  # the first chunk has counted the model's objects
                    label, total = self.expected
                    bar = tqdm(
                        total=total,
                        desc=label,
                        unit=" objets",
                        file=self.stdout._out,
                        dynamic_ncols=True,
                    )
                yield chunk
                bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()


def key_range_chunks(qs, chunk_size=DEFAULT_CHUNK_SIZE, read=None):
    """Lists of at most ``chunk_size`` objects of ``qs``, in key order; with
    ``read`` (see :func:`rows_reader`), what it returns for each chunk's queryset:
    rows (dicts holding "pk") instead of objects.

    For a page type (multi-table inheritance) the key is the root table's (Page's
    ``id``): ordered by the child table's ``page_ptr_id`` instead, SQLite sorts every
    remaining row to return one chunk, as it cannot tell the two columns agree."""
    root = qs.model._meta.get_parent_list()
    key = (root[-1] if root else qs.model)._meta.pk.attname
    qs = qs.order_by(key)
    last = None
    while True:
        chunk = qs if last is None else qs.filter(**{f"{key}__gt": last})
        chunk = chunk[:chunk_size]
        items = list(chunk) if read is None else read(chunk)
        if not items:
            return
        yield items
        last = items[-1]["pk"] if read is not None else getattr(items[-1], key)


def rows_reader(model):
    """For a model that gives its index documents' values as rows
    (``search_index_rows``), a reader of a chunk's rows for
    :class:`search.backends.BulkLoadIndex`; else None (model instances)."""
    rows = getattr(model, "search_index_rows", None)
    if rows is None:
        return None
    columns = row_columns(model)
    return lambda qs: rows(qs, columns)
