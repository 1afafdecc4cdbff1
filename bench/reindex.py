"""Full reindex of the articles: modelsearch (what `update_index` does for one model)
against raw bulk indexing of equivalent documents with opensearch-py's helpers.bulk."""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.html import strip_tags

CHUNK = 1000  # update_index's default chunk size
RAW_INDEX = "bench_raw_articles"


def _pk_chunks(qs, size: int = CHUNK):
    # update_index's own chunking (search/management/commands/update_index.py)
    from search.management.commands.update_index import key_range_chunks

    yield from key_range_chunks(qs, size)


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
    for chunk in _pk_chunks(ArticlePage.get_indexed_objects()):
        index.add_items(ArticlePage, chunk)
        docs += len(chunk)
    rebuilder.finish()
    seconds = time.perf_counter() - start
    return {
        "docs": docs,
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 1),
    }


def _text(value) -> str:
    if isinstance(value, str):
        return strip_tags(value)
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ".join(_text(v) for v in value)
    return ""


def raw_bulk_reindex(ctx) -> dict:
    """The floor: the same text (title, summary, body, tags, products, category) read
    with values() and sent with helpers.bulk into a fresh index."""
    from opensearchpy import OpenSearch, helpers

    from knowledge.models import ArticlePage, ArticlePageTag

    client = OpenSearch([settings.BENCH_SEARCH_URL], timeout=60)
    start = time.perf_counter()
    client.indices.delete(index=RAW_INDEX, ignore=[404])
    client.indices.create(
        index=RAW_INDEX,
        body={
            **settings.SEARCH_INDEX_SETTINGS,
            "mappings": {
                "properties": {
                    "title": {"type": "text"},
                    "summary": {"type": "text"},
                    "body": {"type": "text"},
                    "tags": {"type": "text"},
                    "products": {"type": "text"},
                    "category": {"type": "text"},
                    "audience": {"type": "keyword"},
                    "category_id": {"type": "integer"},
                    "first_published_at": {"type": "date"},
                }
            },
        },
    )
    products_through = ArticlePage.products.through

    def actions():
        last = 0
        while True:
            rows = list(
                ArticlePage.objects.filter(pk__gt=last)
                .order_by("pk")
                .values(
                    "pk",
                    "title",
                    "summary",
                    "body",
                    "audience",
                    "category_id",
                    "category__name",
                    "first_published_at",
                )[:CHUNK]
            )
            if not rows:
                return
            ids = [r["pk"] for r in rows]
            tags, products = {}, {}
            for aid, name in ArticlePageTag.objects.filter(
                content_object_id__in=ids
            ).values_list("content_object_id", "tag__name"):
                tags.setdefault(aid, []).append(name)
            for aid, name in products_through.objects.filter(
                articlepage_id__in=ids
            ).values_list("articlepage_id", "product__name"):
                products.setdefault(aid, []).append(name)
            for r in rows:
                body = r["body"]
                raw = getattr(body, "raw_data", body)
                yield {
                    "_index": RAW_INDEX,
                    "_id": r["pk"],
                    "_source": {
                        "title": r["title"],
                        "summary": r["summary"],
                        "body": _text([b.get("value") for b in raw]),
                        "tags": tags.get(r["pk"], []),
                        "products": products.get(r["pk"], []),
                        "category": r["category__name"],
                        "audience": r["audience"],
                        "category_id": r["category_id"],
                        "first_published_at": r["first_published_at"],
                    },
                }
            last = ids[-1]

    docs, _errors = helpers.bulk(client, actions(), chunk_size=CHUNK)
    client.indices.refresh(index=RAW_INDEX)
    seconds = time.perf_counter() - start
    client.indices.delete(index=RAW_INDEX, ignore=[404])
    return {
        "docs": docs,
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 1),
    }
