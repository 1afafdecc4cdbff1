"""Full rebuilds of the engine's index: the documents are modelsearch's, the load is
pipelined with refresh off, a failed load leaves the old index serving, and
``update_index`` reads by key ranges."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from modelsearch.backends.opensearch2 import OpenSearch2Mapping
from wagtail.models import Page

from accounts.models import Company
from catalog.models import Product, ProductRelease
from knowledge.models import ArticlePage, Category
from search.backends import IndexMapping, row_columns
from tests.catalog.factories import ProductFactory
from tests.knowledge import factories as kb

from .test_search import body


def test_documents_are_the_ones_modelsearch_builds(db, company_a):
    revit = ProductFactory(code="revit", name="Revit")
    article = kb.article(
        "Licence réseau",
        audience="product_owners",
        products=[revit],
        companies=[company_a],
        tags=["flexlm", "réseau"],
    )
    objects = [
        ArticlePage.get_indexed_objects().get(pk=article.pk),
        ArticlePage.objects.get(pk=article.pk),  # not prefetched
        Page.objects.get(pk=article.pk),
        Category.objects.first(),
        Product.objects.first(),
        Company.objects.first(),
    ]
    for obj in objects:
        ours = IndexMapping(type(obj)).get_document(obj)
        theirs = OpenSearch2Mapping(type(obj)).get_document(obj)
        assert ours == theirs, type(obj)
    document = IndexMapping(ArticlePage).get_document(objects[0])
    assert document["knowledge_articlepage__search_product_names"] == "Revit"
    assert sorted(document["knowledge_articlepage__search_reader_keys_filter"]) == [
        f"company:{company_a.pk}",
        f"product:{revit.pk}",
    ]


def test_rows_give_the_documents_instances_give(db, company_a, company_b):
    """The rebuild's fast path (``ArticlePage.search_index_rows``, no instances)
    builds the very documents modelsearch builds from each article, for every
    audience and with tags, products, versions and companies."""
    revit = ProductFactory(code="revit", name="Revit")
    vault = ProductFactory(code="vault", name="Vault")
    r2026 = ProductRelease.objects.create(product=revit, version="2026")
    r2025 = ProductRelease.objects.create(product=revit, version="2025")
    articles = []
    for n, audience in enumerate(
        ["public", "clients", "companies", "product_owners", "internal"]
    ):
        article = kb.article(
            f"Licence réseau {n}",
            audience=audience,
            products=[vault, revit][: (n + 1) % 3],
            companies=[company_b, company_a][: (n + 1) % 3],
            tags=["flexlm", "réseau", f"t{n}"][: n % 4],
        )
        article.versions.set([r2026, r2025][: n % 3])
        articles.append(article)
    Page.objects.filter(pk=articles[0].pk).update(locked=True, show_in_menus=True)
    ArticlePage.objects.filter(pk=articles[1].pk).update(body_text="")

    qs = ArticlePage.get_indexed_objects().order_by("pk")
    rows = ArticlePage.search_index_rows(qs, row_columns(ArticlePage))
    mapping = IndexMapping(ArticlePage)
    theirs_mapping = OpenSearch2Mapping(ArticlePage)
    assert len(rows) == len(articles)
    for row, article in zip(rows, qs, strict=True):
        theirs = theirs_mapping.get_document(ArticlePage.objects.get(pk=article.pk))
        assert mapping.get_document_from_row(row) == theirs
        assert mapping.get_document_id(article) == str(row["pk"])
    by_pk = {row["pk"]: row for row in rows}
    owners = by_pk[articles[3].pk]["search_reader_keys"]
    assert set(owners) == {f"company:{company_b.pk}", f"product:{vault.pk}"}


def _index_state(engine):
    backend = engine.backend
    alias = backend.get_index_for_model(ArticlePage)
    names = [index.name for index in alias.aliased_indices()]
    return alias, names


@pytest.mark.search_engine
def test_update_index_rebuilds_in_chunks_and_restores_refresh(engine_backend):
    for n in range(5):
        kb.article(f"Astrolabe {n}", body=body("astrolabe"))
    with CaptureQueriesContext(connection) as captured:
        call_command("update_index", chunk_size=2, verbosity=0)
    article_reads = [
        q["sql"]
        for q in captured
        if 'FROM "knowledge_articlepage"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert article_reads and not any("OFFSET" in sql for sql in article_reads)
    alias, names = _index_state(engine_backend)
    assert len(names) == 1
    es = engine_backend.backend.es
    assert es.count(index=alias.name)["count"] >= 5
    settings = es.indices.get_settings(index=names[0])[names[0]]["settings"]
    assert settings["index"].get("refresh_interval") in (None, "1s")


@pytest.mark.search_engine
def test_a_failed_load_leaves_the_old_index_serving(engine_backend):
    kb.article("Sextant", body=body("sextant"))
    call_command("update_index", verbosity=0)
    alias, before = _index_state(engine_backend)

    backend = engine_backend.backend
    rebuilder = backend.rebuilder_class(alias)
    index = rebuilder.start()
    index.add_model(ArticlePage)
    index.flush()  # the index exists (created in the background)
    # The engine refuses writes to the new index (a real refusal, not a mock).
    backend.es.indices.put_settings(
        index=index.name, body={"index": {"blocks": {"write": True}}}
    )
    index.add_items(ArticlePage, list(ArticlePage.get_indexed_objects()))
    with pytest.raises(Exception, match="(?i)block"):
        rebuilder.finish()
    _alias, after = _index_state(engine_backend)
    assert after == before  # the alias did not move
    backend.es.indices.put_settings(
        index=index.name, body={"index": {"blocks": {"write": False}}}
    )
    index.delete()
