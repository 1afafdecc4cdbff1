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


class Command(RebuildCommand):
    @transaction.atomic  # as modelsearch's: a stable snapshot while it is read
    def queryset_chunks(self, qs, chunk_size=DEFAULT_CHUNK_SIZE):
        self.expected = (qs.model._meta.label, qs.count())  # for the progress bar
        yield from key_range_chunks(qs, chunk_size)

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


def key_range_chunks(qs, chunk_size=DEFAULT_CHUNK_SIZE):
    """Lists of at most ``chunk_size`` objects of ``qs``, in key order.

    For a page type (multi-table inheritance) the key is the root table's (Page's
    ``id``): ordered by the child table's ``page_ptr_id`` instead, SQLite sorts every
    remaining row to return one chunk, as it cannot tell the two columns agree."""
    root = qs.model._meta.get_parent_list()
    key = (root[-1] if root else qs.model)._meta.pk.attname
    qs = qs.order_by(key)
    last = None
    while True:
        chunk = qs if last is None else qs.filter(**{f"{key}__gt": last})
        items = list(chunk[:chunk_size])
        if not items:
            return
        yield items
        last = getattr(items[-1], key)
