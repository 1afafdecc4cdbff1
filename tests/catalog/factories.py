"""Catalogue factories (factory_boy)."""

import datetime

import factory
from django.utils import timezone

from catalog.models import (
    Licence,
    LicenceType,
    Product,
    Subscription,
    SupportContract,
    SupportLevel,
    Term,
)
from tests.factories import CompanyFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Produit {n}")
    code = factory.Sequence(lambda n: f"produit-{n}")
    offering_name = factory.LazyAttribute(lambda o: o.name)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    company = factory.SubFactory(CompanyFactory)
    product = factory.SubFactory(ProductFactory)
    autodesk_id = factory.Sequence(lambda n: f"1100{n:08d}")
    seats = 1
    term = Term.ANNUAL
    start_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=100)
    )
    end_date = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=265)
    )


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    subscription = factory.SubFactory(SubscriptionFactory)
    company = factory.SelfAttribute("subscription.company")
    product = factory.SelfAttribute("subscription.product")
    licence_type = LicenceType.SINGLE_USER
    serial_number = factory.Sequence(lambda n: f"562-{n:08d}")
    product_key = "001R1"


class SupportContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportContract

    company = factory.SubFactory(CompanyFactory)
    level = SupportLevel.SERENITE
    start_date = datetime.date(2020, 1, 1)
