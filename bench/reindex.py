"""Full reindex of the articles: modelsearch (what `update_index` does for one model)
against a fair raw bulk load of the same articles with opensearch-py's helpers.bulk.
bench.workloads.run_reindex warms both, then alternates which goes first."""

from __future__ import annotations

import time

from django.conf import settings

CHUNK = 1000  # update_index's default chunk size


def _pk_chunks(qs, size: int = CHUNK, rows: bool = False):
    # update_index's own chunking (search/management/commands/update_index.py):
    # rows instead of instances when the rebuilder takes them, as update_index reads
    from search.management.commands.update_index import key_range_chunks, rows_reader

    read = rows_reader(qs.model) if rows else None
    yield from key_range_chunks(qs, size, read=read)


def modelsearch_reindex(ctx) -> dict:
    from wagtail.search.backends import get_search_backend

    from knowledge.models import ArticlePage

    start = time.perf_counter()
    backend = get_search_backend("default")
    index = backend.get_index_for_model(ArticlePage)
    rebuilder = backend.rebuilder_class(index)
    index = rebuilder.start()
    index.add_model(ArticlePage)
    docs = 0
    rows = getattr(rebuilder, "reads_rows", False)
    for chunk in _pk_chunks(ArticlePage.get_indexed_objects(), rows=rows):
        index.add_items(ArticlePage, chunk)
        docs += len(chunk)
    rebuilder.finish()
    seconds = time.perf_counter() - start
    return {
        "docs": docs,
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 1),
    }


def raw_bulk_reindex(ctx) -> dict:
    """The fair floor (issue 16): what an engineer writing to the engine by hand would
    do for the same documents. The same articles, with the same text we index (the
    ``body_text`` column, title, summary, tag/product/category names) and the same
    filter values (audience reader keys, product and version ids), read with
    ``values()`` per key-range chunk, into a fresh index with the project's analysis
    settings, refresh off during the load, one bulk request in flight while the next
    chunk is read (as ``search.backends.BulkLoadIndex``), then one refresh."""
    from concurrent.futures import ThreadPoolExecutor

    from opensearchpy import OpenSearch, helpers

    from knowledge.models import ArticlePage, Audience
    from knowledge.models.pages import index_relations

    client = OpenSearch([settings.BENCH_SEARCH_URL], timeout=60)
    name = f"{settings.BENCH_INDEX}_raw_articles"
    start = time.perf_counter()
    client.indices.delete(index=name, ignore=[404])
    index_settings = settings.SEARCH_INDEX_SETTINGS.get("settings", {})
    text = {"type": "text", "copy_to": "all_text", "index": False}
    client.indices.create(
        index=name,
        body={
            "settings": {
                **index_settings,
                "index": {
                    **index_settings.get("index", {}),
                    "refresh_interval": "-1",
                },
            },
            "mappings": {
                "properties": {
                    "all_text": {"type": "text"},
                    "title": {"type": "text", "copy_to": "all_text"},
                    "summary": text,
                    "body_text": text,
                    "tags": text,
                    "products": text,
                    "category": text,
                    "reader_keys": {"type": "keyword"},
                    "product_ids": {"type": "integer"},
                    "version_ids": {"type": "integer"},
                    "category_id": {"type": "integer"},
                    "first_published_at": {"type": "date"},
                }
            },
        },
    )
    relations = index_relations()

    def chunk_actions(rows: list[dict]) -> list[dict]:
        ids = [r["pk"] for r in rows]
        related: dict[str, dict[int, list]] = {}
        for relation, (model, article, pk_col, label) in relations.items():
            found: dict[int, list] = {}
            for aid, pk, text_value in (
                model.objects.filter(**{f"{article}__in": ids})
                .order_by(article, pk_col)
                .values_list(article, pk_col, label)
            ):
                found.setdefault(aid, []).append((pk, text_value))
            related[relation] = found
        actions = []
        for r in rows:
            pk = r["pk"]
            products = related["products"].get(pk, [])
            if r["audience"] in (Audience.PUBLIC, Audience.CLIENTS):
                keys = [r["audience"]]
            else:
                keys = []
                if r["audience"] in (Audience.COMPANIES, Audience.PRODUCT_OWNERS):
                    companies = related["companies"].get(pk, [])
                    keys += [f"company:{c}" for c, _n in companies]
                if r["audience"] == Audience.PRODUCT_OWNERS:
                    keys += [f"product:{p}" for p, _n in products]
            actions.append(
                {
                    "_index": name,
                    "_id": pk,
                    "_source": {
                        "title": r["title"],
                        "summary": r["summary"],
                        "body_text": r["body_text"],
                        "tags": " ".join(n for _p, n in related["tags"].get(pk, [])),
                        "products": " ".join(n for _p, n in products),
                        "category": r["category__name"],
                        "reader_keys": keys,
                        "product_ids": [p for p, _n in products],
                        "version_ids": [v for v, _n in related["versions"].get(pk, [])],
                        "category_id": r["category_id"],
                        "first_published_at": r["first_published_at"],
                    },
                }
            )
        return actions

    docs, last, pending = 0, 0, None
    with ThreadPoolExecutor(1, thread_name_prefix="raw-bulk") as executor:
        while True:
            rows = list(
                ArticlePage.objects.filter(pk__gt=last)
                .order_by("pk")
                .values(
                    "pk",
                    "title",
                    "summary",
                    "body_text",
                    "audience",
                    "category_id",
                    "category__name",
                    "first_published_at",
                )[:CHUNK]
            )
            actions = chunk_actions(rows) if rows else []
            if pending is not None:
                docs += pending.result()[0]  # one request in flight, no more
                pending = None
            if not rows:
                break
            pending = executor.submit(
                helpers.bulk, client, actions, chunk_size=CHUNK, refresh=False
            )
            last = rows[-1]["pk"]
    client.indices.put_settings(index=name, body={"index": {"refresh_interval": None}})
    client.indices.refresh(index=name)
    seconds = time.perf_counter() - start
    client.indices.delete(index=name, ignore=[404])
    return {
        "docs": docs,
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 1),
    }
