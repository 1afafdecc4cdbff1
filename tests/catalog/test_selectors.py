"""products_held_by (the knowledge base's product_owners audience, downloads) and
the entitlement explanation downloads will use."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import LicenceType, Product, ProductRelease
from catalog.selectors import products_held_by, subscription_for_product
from tests.catalog.factories import LicenceFactory, ProductFactory, SubscriptionFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_held_products_expand_collections_and_ignore_ended(company_a, company_b):
    autocad, revit, civil, vault = (
        ProductFactory(code=c) for c in ("autocad", "revit", "civil-3d", "vault")
    )
    aec = ProductFactory(code="aec-collection", is_collection=True)
    aec.includes.set([autocad, revit, civil])
    SubscriptionFactory(company=company_a, product=aec)
    SubscriptionFactory(company=company_a, product=vault, end_date=TODAY - DAY)
    SubscriptionFactory(company=company_a, product=vault, is_cancelled=True)
    SubscriptionFactory(company=company_b, product=vault)
    assert codes(products_held_by(company_id=company_a.pk)) == [
        "aec-collection",
        "autocad",
        "civil-3d",
        "revit",
    ]
    assert codes(products_held_by(company_id=company_b.pk)) == ["vault"]
    assert codes(products_held_by(company_id=None)) == []


def test_expiring_soon_and_ending_today_still_count(company_a):
    SubscriptionFactory(
        company=company_a, product=ProductFactory(code="a"), end_date=TODAY
    )
    SubscriptionFactory(
        company=company_a,
        product=ProductFactory(code="b"),
        start_date=TODAY + DAY,  # not started yet
        end_date=TODAY + 400 * DAY,
    )
    assert codes(products_held_by(company_id=company_a.pk)) == ["a"]


def test_standalone_licences_count(company_a):
    perpetual = ProductFactory(code="perpetual")
    flex = ProductFactory(code="flex")
    LicenceFactory(subscription=None, company=company_a, product=perpetual)
    LicenceFactory(
        subscription=None,
        company=company_a,
        product=flex,
        licence_type=LicenceType.FLEX,
        valid_until=TODAY - DAY,
    )
    assert codes(products_held_by(company_id=company_a.pk)) == ["perpetual"]


def test_usable_as_a_subquery_in_one_query(company_a):
    SubscriptionFactory(company=company_a, product=ProductFactory(code="revit"))
    held = products_held_by(company_id=company_a.pk)
    with CaptureQueriesContext(connection) as queries:
        releases = list(ProductRelease.objects.filter(product__in=held))
        products = list(Product.objects.filter(pk__in=held.values("pk")))
    assert len(queries) == 2 and len(products) == 1 and releases == []


def test_entitlement_explains_why(company_a):
    revit = ProductFactory(code="revit")
    autocad = ProductFactory(code="autocad")
    aec = ProductFactory(code="aec-collection", is_collection=True)
    aec.includes.set([autocad])
    ended = SubscriptionFactory(
        company=company_a,
        product=revit,
        start_date=datetime.date(2025, 7, 1),
        end_date=datetime.date(2026, 6, 30),
    )
    SubscriptionFactory(company=company_a, product=aec)

    via_collection = subscription_for_product(
        company_id=company_a.pk, product_id=autocad.pk
    )
    assert via_collection.entitled and via_collection.subscription.product == aec

    later = subscription_for_product(
        company_id=company_a.pk, product_id=revit.pk, at=datetime.date(2026, 9, 1)
    )
    assert not later.entitled and later.reason == "ended"
    assert later.ended_on == datetime.date(2026, 6, 30) and later.subscription == ended

    during = subscription_for_product(
        company_id=company_a.pk, product_id=revit.pk, at=datetime.date(2026, 1, 15)
    )
    assert during.entitled

    release = ProductRelease(
        product=revit, version="2027", release_date=datetime.date(2026, 4, 1)
    )
    too_new = subscription_for_product(
        company_id=company_a.pk,
        product_id=revit.pk,
        release=ProductRelease(
            product=revit, version="2028", release_date=datetime.date(2027, 4, 1)
        ),
        at=datetime.date(2027, 5, 1),
    )
    assert too_new.reason == "release_not_covered"
    assert (
        subscription_for_product(
            company_id=company_a.pk,
            product_id=revit.pk,
            release=release,
            at=datetime.date(2027, 5, 1),
        ).reason
        == "ended"
    )

    vault = ProductFactory(code="vault")
    none = subscription_for_product(company_id=company_a.pk, product_id=vault.pk)
    assert not none.entitled and none.reason == "no_subscription"


def test_holdings_of_one_product_load_what_covers_it_and_judge_it_alike(company_a):
    """A ticket's context loads the holdings of its product only (itself, or a
    collection including it): the same answer as the whole holdings."""
    from catalog.selectors import Holdings

    autocad, revit, vault = (
        ProductFactory(code=c) for c in ("autocad", "revit", "vault")
    )
    aec = ProductFactory(code="aec-collection", is_collection=True)
    aec.includes.set([autocad, revit])
    SubscriptionFactory(company=company_a, product=aec)
    SubscriptionFactory(company=company_a, product=vault)
    LicenceFactory(company=company_a, product=vault)
    whole = Holdings.load(company_a.pk)
    for product in (autocad, revit, vault):
        one = Holdings.load(company_a.pk, product=product.code.upper())
        assert one.entitlement(product.pk) == whole.entitlement(product.pk)
    of_revit = Holdings.load(company_a.pk, product="revit")
    assert [s.product for s in of_revit.subscriptions] == [aec]
    assert of_revit.licences == []
