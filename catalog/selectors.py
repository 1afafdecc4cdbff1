"""Reads of the catalogue on behalf of a caller: company scoping happens here, once."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Product


def products_held_by(*, company_id: int | None) -> QuerySet[Product]:
    """Products the company holds today through an active subscription or licence
    (a collection counts for every product it includes).

    The knowledge base's ``product_owners`` audience and the download entitlement start
    from here. Until subscriptions exist, a company holds nothing.
    """
    return Product.objects.none()
