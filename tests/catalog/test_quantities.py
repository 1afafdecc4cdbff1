"""Numbers the API can serve: GraphQL's Int is 32-bit signed, so seats and licence
quantities are bounded where they come in (import, admin form, database); file sizes,
which pass 2^31 for a 3 GB installer, are served as Float (exact up to 2^53)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from catalog.autodesk_csv import _Invalid, parse_seats
from catalog.models import Licence, Subscription
from downloads.models import DownloadFile
from tests.catalog.factories import LicenceFactory, ProductFactory, SubscriptionFactory
from tests.downloads.helpers import download_page, private_storage  # noqa: F401

SEATS = """{ myCompany {
  subscriptions { items { seats licences { quantity } } }
  licences { items { quantity } } } }"""


def test_seats_and_quantity_at_the_bound_are_served(gql, member_a):
    subscription = SubscriptionFactory(company=member_a.company, seats=100_000)
    LicenceFactory(subscription=subscription, quantity=100_000)
    subscription.full_clean()
    result = gql(SEATS, user=member_a)
    assert result.errors is None
    company = result.data["myCompany"]
    assert company["subscriptions"]["items"] == [
        {"seats": 100_000, "licences": [{"quantity": 100_000}]}
    ]
    assert company["licences"]["items"] == [{"quantity": 100_000}]


@pytest.mark.parametrize("model", [Subscription, Licence])
def test_admin_form_refuses_past_the_bound_in_french(member_a, model):
    field = "seats" if model is Subscription else "quantity"
    subscription = SubscriptionFactory(company=member_a.company)
    obj = (
        subscription
        if model is Subscription
        else LicenceFactory(subscription=subscription)
    )
    setattr(obj, field, 100_001)
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    assert refused.value.message_dict[field] == ["Au plus 100 000 (reçu : 100001)."]
    setattr(obj, field, 0)
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    assert refused.value.message_dict[field] == ["Au moins 1."]


@pytest.mark.parametrize("model", [Subscription, Licence])
def test_database_refuses_what_the_api_cannot_serve(member_a, model):
    """Even a write around the forms (a shell, a bulk update): 3,000,000,000 seats
    would make the whole company unreadable through GraphQL."""
    subscription = SubscriptionFactory(company=member_a.company)
    obj = (
        subscription
        if model is Subscription
        else LicenceFactory(subscription=subscription)
    )
    field = "seats" if model is Subscription else "quantity"
    for value in (100_001, 3_000_000_000):  # past the bound; past a 32-bit Int
        # A check constraint, or PostgreSQL's integer column itself.
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            model.objects.filter(pk=obj.pk).update(**{field: value})


def test_import_takes_the_bound_and_refuses_past_it():
    assert parse_seats("100 000") == 100_000
    with pytest.raises(_Invalid, match="hors limites"):
        parse_seats("100001")
    with pytest.raises(_Invalid, match="hors limites"):
        parse_seats("3000000000")


def test_a_3_gb_file_size_is_served_exactly(gql, private_storage, staff):  # noqa: F811
    page = download_page(title="Revit 2026 complet", product=ProductFactory())
    size = 3 * 1024**3 + 7  # past 2^31, odd: a rounding would show
    DownloadFile.objects.filter(page=page).update(size=size)
    result = gql(
        "query($s: String!) { download(slug: $s) { files { size } } }",
        {"s": page.slug},
        user=staff,
    )
    assert result.errors is None
    assert result.data["download"]["files"] == [{"size": size}]
