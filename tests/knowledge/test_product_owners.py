"""The `product_owners` audience follows what a company holds in the catalogue."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from knowledge.models import Audience
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.knowledge import factories as kb

PATHS = """query($s: String) {
  articles(perPage: 100) { total items { id } }
  article(slug: $s) { id }
  categories { articleCount }
  searchArticles(query: "Holdings") { items { article { id } } }
}"""


@pytest.fixture
def revit(db):
    return ProductFactory(code="revit", name="Revit")


@pytest.fixture
def revit_article(revit):
    return kb.article(
        "Holdings Revit worksharing", audience=Audience.PRODUCT_OWNERS, products=[revit]
    )


def readable(gql, user, article) -> dict:
    data = gql(PATHS, {"s": article.slug}, user=user).data
    return {
        "listing": str(article.pk) in {i["id"] for i in data["articles"]["items"]},
        "total": data["articles"]["total"],
        "detail": data["article"] is not None,
        "count": sum(c["articleCount"] for c in data["categories"]),
        "search": any(
            hit["article"]["id"] == str(article.pk)
            for hit in data["searchArticles"]["items"]
        ),
    }


YES = {
    "listing": True,
    "total": 1,
    "detail": True,
    "count": 1,
    "search": True,
}
NO = {
    "listing": False,
    "total": 0,
    "detail": False,
    "count": 0,
    "search": False,
}


def test_holder_of_the_product_reads_it_on_every_path(
    gql, revit_article, revit, member_a, company_a
):
    SubscriptionFactory(company=company_a, product=revit)
    assert readable(gql, member_a, revit_article) == YES


def test_company_without_the_product_reads_it_nowhere(
    gql, revit_article, member_b, company_b
):
    SubscriptionFactory(company=company_b, product=ProductFactory(code="inventor"))
    assert readable(gql, member_b, revit_article) == NO


def test_expired_subscription_no_longer_gives_access(
    gql, revit_article, revit, member_a, company_a
):
    today = timezone.localdate()
    SubscriptionFactory(
        company=company_a,
        product=revit,
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=1),
    )
    assert readable(gql, member_a, revit_article) == NO


def test_collection_holder_reads_articles_of_included_products(
    gql, revit_article, revit, member_a, company_a
):
    aec = ProductFactory(
        code="aec-collection", name="AEC Collection", is_collection=True
    )
    aec.includes.add(revit)
    SubscriptionFactory(company=company_a, product=aec)
    assert readable(gql, member_a, revit_article) == YES


def test_anonymous_never_reads_product_owner_articles(gql, revit_article):
    assert readable(gql, None, revit_article) == NO
