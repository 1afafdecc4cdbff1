"""Demo catalogue (``load_demo_data``): products, releases, and each demo company's
subscriptions, licences and support contract. Idempotent; dates are relative to today
so the demo always shows one subscription ending within 30 days and one expired."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Company

from .models import (
    Licence,
    LicenceType,
    Product,
    ProductRelease,
    Subscription,
    SupportContract,
    SupportLevel,
    Term,
)

# (code, name, family, Autodesk offering name, offering code, collection of)
PRODUCTS = [
    ("autocad", "AutoCAD", "AEC", "AutoCAD", "ACDIST", None),
    ("revit", "Revit", "AEC", "Revit", "RVT", None),
    ("civil-3d", "Civil 3D", "AEC", "Civil 3D", "CIV3D", None),
    ("inventor", "Inventor", "Fabrication", "Inventor Professional", "INVPROSA", None),
    ("vault", "Vault", "Fabrication", "Vault Professional", "VLTM", None),
    (
        "aec-collection",
        "AEC Collection",
        "AEC",
        "Architecture Engineering & Construction Collection",
        "AECCOL",
        ["autocad", "revit", "civil-3d"],
    ),
    (
        "pdm-collection",
        "Product Design & Manufacturing Collection",
        "Fabrication",
        "Product Design & Manufacturing Collection",
        "PDCOLL",
        ["autocad", "inventor", "vault"],
    ),
]
# Autodesk releases come out each spring; support lasts about three years after.
RELEASES = {
    "2024": (datetime.date(2023, 3, 28), datetime.date(2027, 3, 31)),
    "2025": (datetime.date(2024, 3, 26), datetime.date(2028, 3, 31)),
    "2026": (datetime.date(2025, 3, 25), datetime.date(2029, 3, 31)),
}


def load_products() -> dict[str, Product]:
    products = {}
    for code, name, family, offering, offering_code, _ in PRODUCTS:
        products[code], _created = Product.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "offering_name": offering,
                "offering_code": offering_code,
                "is_collection": code.endswith("-collection"),
            },
        )
    for code, *_, includes in PRODUCTS:
        if includes:
            products[code].includes.set([products[c] for c in includes])
        for version, (released, end) in RELEASES.items():
            ProductRelease.objects.update_or_create(
                product=products[code],
                version=version,
                defaults={"release_date": released, "end_of_support": end},
            )
    return products


def _subscriptions(today: datetime.date):
    """(customer number, product code, Autodesk id, seats, term, start, end,
    licence type, serial, product key, server host) — ends relative to today."""
    d = datetime.timedelta
    return [
        # Atelier Durand Architectes: an AEC Collection and an AutoCAD seat ending
        # within 30 days.
        ("CLI-10421", "aec-collection", "110000421001", 8, Term.ANNUAL,
         today - d(days=200), today + d(days=165),
         LicenceType.SINGLE_USER, "562-41029384", "02HQ1", ""),
        ("CLI-10421", "autocad", "110000421002", 2, Term.ANNUAL,
         today - d(days=340), today + d(days=25),
         LicenceType.SINGLE_USER, "562-41029511", "001R1", ""),
        ("CLI-10421", "revit", "110000421003", 3, Term.THREE_YEAR,
         today - d(days=400), today + d(days=695),
         LicenceType.NETWORK, "562-41030077", "829R1", "flexlm.durand-archi.lan"),
        # BTP Rhône Ingénierie: Civil 3D on a licence server, Inventor and Vault.
        ("CLI-10587", "civil-3d", "110000587001", 10, Term.ANNUAL,
         today - d(days=120), today + d(days=245),
         LicenceType.NETWORK, "400-77120045", "237R1", "lic01.btp-rhone.local"),
        ("CLI-10587", "inventor", "110000587002", 4, Term.ANNUAL,
         today - d(days=300), today + d(days=65),
         LicenceType.SINGLE_USER, "400-77120310", "797R1", ""),
        ("CLI-10587", "vault", "110000587003", 4, Term.ANNUAL,
         today - d(days=300), today + d(days=65),
         LicenceType.SINGLE_USER, "400-77120388", "569R1", ""),
        # Morel Géomètres: their AutoCAD subscription has expired.
        ("CLI-10733", "autocad", "110000733001", 2, Term.ANNUAL,
         today - d(days=410), today - d(days=45),
         LicenceType.SINGLE_USER, "666-90012201", "001R1", ""),
    ]  # fmt: skip


# (customer number, level, reference, Bloquant, Gênant, Informatif, opens, closes)
CONTRACTS = [
    ("CLI-10421", SupportLevel.PREMIUM, "SUP-2026-0421", 15, 30, 60, 8, 19),
    ("CLI-10587", SupportLevel.SERENITE, "SUP-2026-0587", 30, 60, 120, 9, 18),
    ("CLI-10733", SupportLevel.ESSENTIEL, "SUP-2026-0733", 60, 120, 240, 9, 18),
]


def load() -> None:
    today = timezone.localdate()
    products = load_products()
    companies = {
        c.customer_number: c
        for c in Company.objects.filter(
            customer_number__in={row[0] for row in CONTRACTS}
        )
    }
    for (
        number,
        code,
        autodesk_id,
        seats,
        term,
        start,
        end,
        licence_type,
        serial,
        key,
        host,
    ) in _subscriptions(today):
        company = companies[number]
        subscription, _ = Subscription.objects.update_or_create(
            autodesk_id=autodesk_id,
            defaults={
                "company": company,
                "product": products[code],
                "contract_number": f"C-{autodesk_id[-6:]}",
                "seats": seats,
                "term": term,
                "start_date": start,
                "end_date": end,
                "autorenew_date": None,
                "reseller_name": "Aplicit",
                "reseller_email": "renouvellements@aplicit.example",
            },
        )
        Licence.objects.update_or_create(
            company=company,
            serial_number=serial,
            defaults={
                "subscription": subscription,
                "product": products[code],
                "licence_type": licence_type,
                "quantity": seats,
                "product_key": key,
                "server_host": host,
            },
        )
    for number, level, reference, bloquant, genant, info, opens, closes in CONTRACTS:
        SupportContract.objects.update_or_create(
            company=companies[number],
            reference=reference,
            defaults={
                "level": level,
                "term": Term.ANNUAL,
                "start_date": datetime.date(today.year, 1, 1),
                "end_date": None,
                "bloquant_minutes": bloquant,
                "genant_minutes": genant,
                "informatif_minutes": info,
                "opens_at": datetime.time(opens),
                "closes_at": datetime.time(closes),
            },
        )
