"""The engine applies the whole read rule itself, and a search costs the same number of
SQL queries whatever the number of matches."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from knowledge.models import ArticlePage, Audience
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.knowledge import factories as kb

from .test_search import body, search, titles


def test_expired_and_restricted_articles_are_not_found(gql, search_backend, staff):
    kb.article("Quasar visible", body=body("quasar"))
    kb.expired_article(title="Quasar expiré", body=body("quasar"))
    hidden = kb.article("Quasar restreint", body=body("quasar"))
    PageViewRestriction.objects.create(
        page=hidden, restriction_type=PageViewRestriction.LOGIN
    )
    search_backend.refresh()
    for caller in (None, staff):
        data = search(gql, "quasar", user=caller)
        assert titles(data) == ["Quasar visible"]
        assert data["total"] == 1


def test_product_holders_find_their_articles_with_totals_and_facets(
    gql, search_backend, company_a, member_a, member_b
):
    revit = ProductFactory(code="revit", name="Revit")
    SubscriptionFactory(company=company_a, product=revit)
    kb.article("Nébuleuse publique", body=body("nebuleuse"))
    kb.article(
        "Nébuleuse Revit",
        audience=Audience.PRODUCT_OWNERS,
        products=[revit],
        body=body("nebuleuse"),
    )
    search_backend.refresh()
    holder = search(gql, "nébuleuse", user=member_a)
    assert set(titles(holder)) == {"Nébuleuse publique", "Nébuleuse Revit"}
    assert holder["total"] == 2
    assert holder["facets"]["products"] == [
        {"code": "revit", "name": "Revit", "count": 1}
    ]
    other = search(gql, "nébuleuse", user=member_b)
    assert titles(other) == ["Nébuleuse publique"]
    assert other["total"] == 1
    assert other["facets"]["products"] == []


def test_a_stale_index_entry_is_never_shown(gql, search_backend):
    kb.article("Pulsar public", body=body("pulsar"))
    secret = kb.article("Pulsar devenu interne", body=body("pulsar"))
    search_backend.refresh()
    # Changed behind the index's back (no save, no signal): the engine still has it
    # as public; the page is read through the one door, which drops it.
    ArticlePage.objects.filter(pk=secret.pk).update(audience=Audience.INTERNAL)
    data = search(gql, "pulsar")
    assert titles(data) == ["Pulsar public"]
    assert data["total"] == 1  # the total never counts what the items drop


def test_a_total_never_contradicts_its_items(gql, search_backend):
    secret = kb.article("Météore devenu interne", body=body("meteore"))
    search_backend.refresh()
    ArticlePage.objects.filter(pk=secret.pk).update(audience=Audience.INTERNAL)
    data = search(gql, "météore")
    assert (data["total"], data["items"]) == (0, [])


def test_query_count_does_not_grow_with_the_matches(gql, search_backend, member_a):
    revit = ProductFactory(code="revit", name="Revit")

    def queries(n: int) -> int:
        for i in range(n):
            kb.article(f"Comète {n}-{i}", products=[revit], body=body(f"comete{n}"))
        search_backend.refresh()
        search(gql, f"comete{n}", user=member_a)  # warm caches (content types…)
        with CaptureQueriesContext(connection) as captured:
            data = search(gql, f"comete{n}", user=member_a)
        assert data["total"] == n
        return len(captured)

    assert queries(2) == queries(15)
