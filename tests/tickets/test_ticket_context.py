"""``ticketContext``: the ticketing system asks about a ticket of each demo company
and gets that company's SLA, holdings, warnings, articles and downloads; clients
are refused; arguments are checked; the SQL cost does not grow with the data."""

from __future__ import annotations

import datetime

import holidays
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Company, ServiceToken, User
from catalog import demo as catalog_demo
from catalog.models import Product, ProductRelease
from catalog.sla import PARIS, BusinessCalendar
from cms import demo as cms_demo
from downloads import demo as downloads_demo
from downloads.models import DownloadEvent, DownloadFile, DownloadPage
from knowledge import demo as knowledge_demo
from knowledge.models import Audience
from search.models import TicketArticleLink
from tests.catalog.factories import (
    LicenceFactory,
    ProductFactory,
    SubscriptionFactory,
)
from tests.downloads.helpers import download_page, private_storage  # noqa: F401
from tests.factories import CompanyFactory
from tests.knowledge import factories as kb
from tests.search.conftest import search_backend  # noqa: F401 (fixture)
from tickets.graphql import TICKET_CONTEXT

SUBJECT = "Plantage des hachures zorbiflex à l'ouverture du dessin"
DESCRIPTION = "Bonjour,\nAutoCAD se ferme quand on ouvre un DWG avec des hachures."

ARGUMENT_QUERY = """
query($companyId: ID, $customerNumber: String, $subject: String!,
      $openedAt: DateTime) {
  ticketContext(companyId: $companyId, customerNumber: $customerNumber,
                subject: $subject, criticality: BLOQUANT, openedAt: $openedAt) {
    company { name }
  }
}
"""


@pytest.fixture
def service_token(db) -> str:
    return ServiceToken.generate(name="GLPI", scopes=["tickets"])[1]


def ask(gql, token=None, user=None, **variables):
    variables = {
        "subject": SUBJECT,
        "description": DESCRIPTION,
        "criticality": "BLOQUANT",
        **variables,
    }
    return gql(TICKET_CONTEXT, variables, token=token, user=user)


def context(gql, token, **variables) -> dict:
    result = ask(gql, token, **variables)
    assert result.errors is None, result.errors
    return result.data["ticketContext"]


def paris(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def a_friday(today: datetime.date) -> datetime.date:
    """A Friday of this year, its Monday a working day (the contracts of the demo
    start on 1 January)."""
    day = datetime.date(today.year, 1, 9)
    while day.weekday() != 4:
        day += datetime.timedelta(days=1)
    return day


def eve_of_a_holiday(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(a working day before a French public holiday, the next working day after
    it) of this year: 17:50 there, the clock must jump the holiday."""
    closed = set(holidays.country_holidays("FR", years=today.year))
    for holiday in sorted(closed):
        eve = holiday - datetime.timedelta(days=1)
        if eve in closed:
            continue
        in_contract = eve.year == today.year  # the demo contracts start on 1 January
        if in_contract and holiday.weekday() < 5 and eve.weekday() < 5:
            after = holiday + datetime.timedelta(days=1)
            while after.weekday() >= 5 or after in closed:
                after += datetime.timedelta(days=1)
            return eve, after
    raise AssertionError("no weekday holiday this year")


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def due(data) -> datetime.datetime:
    return datetime.datetime.fromisoformat(data["sla"]["dueAt"]).astimezone(PARIS)


# --- the demo, with canaries --------------------------------------------------------


@pytest.fixture
def demo(db, private_storage):  # noqa: F811
    cms_demo.load_people()
    catalog_demo.load()
    knowledge_demo.load()
    downloads_demo.load()
    companies = {c.customer_number: c for c in Company.objects.all()}
    durand, btp = companies["CLI-10421"], companies["CLI-10587"]
    products = {p.code: p for p in Product.objects.all()}
    autocad, revit = products["autocad"], products["revit"]
    articles = {
        "public": kb.article(
            "Hachures zorbiflex : plantage à l'ouverture du dessin",
            products=[autocad],
        ),
        # Canaries: never suggested to a company that may not read them.
        "internal": kb.article(
            "Hachures zorbiflex : plantage à l'ouverture, note interne",
            audience=Audience.INTERNAL,
            products=[autocad],
        ),
        "btp only": kb.article(
            "Hachures zorbiflex : plantage à l'ouverture chez BTP Rhône",
            audience=Audience.COMPANIES,
            companies=[btp],
            products=[autocad],
        ),
        "revit owners": kb.article(
            "Hachures zorbiflex : plantage à l'ouverture d'un lien Revit",
            audience=Audience.PRODUCT_OWNERS,
            products=[revit],
        ),
        "linked": kb.article("Réinstaller AutoCAD proprement", products=[autocad]),
        "linked revit": kb.article("Purger un modèle Revit", products=[revit]),
    }
    links = [
        ("T-100", articles["linked"], durand, False),
        ("T-101", articles["internal"], durand, True),  # Durand may not read it
        ("T-102", articles["linked revit"], durand, False),  # another product
        ("T-200", articles["btp only"], btp, False),  # another company's ticket
    ]
    for ref, article, company, internal in links:
        TicketArticleLink.objects.create(
            ticket_ref=ref, article=article, company=company, internal=internal
        )
    update = DownloadFile.objects.get(page__slug="autocad-2026-1-1")
    alice = User.objects.get(email="alice@durand-archi.example")
    DownloadEvent.objects.create(file=update, user=alice, company=durand)
    return companies, articles


def titles(items) -> set[str]:
    return {item["article"]["title"] for item in items}


def test_durand_ticket_friday_evening(gql, demo, service_token):
    companies, articles = demo
    today = timezone.localdate()
    friday = a_friday(today)
    data = context(
        gql,
        service_token,
        customerNumber="cli-10421",
        product="autocad",
        version="2026",
        openedAt=iso(paris(friday, 17, 50)),
    )
    assert data["company"] == {
        "id": str(companies["CLI-10421"].pk),
        "name": "Atelier Durand Architectes",
        "customerNumber": "CLI-10421",
        "isActive": True,
    }
    support = data["supportContract"]
    assert support["basis"] == "CONTRACT" and support["level"] == "PREMIUM"
    assert {t["criticality"]: t["responseMinutes"] for t in support["slaTargets"]} == {
        "BLOQUANT": 15,
        "GENANT": 30,
        "INFORMATIF": 60,
    }
    assert support["businessHours"]["opensAt"] == "08:00:00"
    # Premium closes at 19:00: 15 minutes the same evening.
    assert due(data) == paris(friday, 18, 5)
    assert data["sla"]["late"] is True and data["sla"]["minutesLeft"] < 0
    assert data["sla"]["basis"] == "CONTRACT"

    holdings = data["holdings"]
    subscriptions = {s["autodeskId"]: s for s in holdings["subscriptions"]}
    assert set(subscriptions) == {"110000421001", "110000421002"}  # AEC, AutoCAD
    assert subscriptions["110000421002"]["status"] == "EXPIRING"
    assert subscriptions["110000421002"]["daysRemaining"] == 25
    assert subscriptions["110000421002"]["seats"] == 2
    assert subscriptions["110000421002"]["contractNumber"] == "C-421002"
    assert subscriptions["110000421002"]["autoRenew"] is False
    assert subscriptions["110000421002"]["term"] == "ANNUAL"
    # Serials unmasked: the ticketing system works for Aplicit's engineers.
    assert {lic["serialNumber"] for lic in holdings["licences"]} == {
        "562-41029384",
        "562-41029511",
    }
    assert [w["code"] for w in holdings["warnings"]] == ["ENDS_SOON"]
    assert "110000421002" in holdings["warnings"][0]["message"]
    assert "dans 25 jours" in holdings["warnings"][0]["message"]

    suggested = titles(data["suggestions"])
    assert articles["public"].title in suggested
    assert articles["revit owners"].title in suggested  # Durand holds Revit
    assert articles["internal"].title not in suggested
    assert articles["btp only"].title not in suggested
    assert all(item["score"] for item in data["suggestions"])
    assert any(
        "<mark>" in h for item in data["suggestions"] for h in item["highlights"]
    )

    assert [a["title"] for a in data["linkedArticles"]] == [articles["linked"].title]

    assert data["downloads"] == [
        {
            "page": {
                "slug": "autocad-2026-1-1",
                "title": "AutoCAD 2026.1.1 — mise à jour",
            },
            "file": {
                "id": str(DownloadFile.objects.get(page__slug="autocad-2026-1-1").pk),
                "fileName": "AutoCAD_2026.1.1_Update_win64.exe",
            },
            "canDownload": True,
            "reason": None,
            "alreadyDownloaded": True,
        }
    ]


def test_btp_ticket_friday_evening_waits_for_monday(gql, demo, service_token):
    companies, articles = demo
    friday = a_friday(timezone.localdate())
    data = context(
        gql,
        service_token,
        companyId=str(companies["CLI-10587"].pk),
        product="inventor",
        version="2026",
        criticality="GENANT",
        openedAt=iso(paris(friday, 17, 50)),
    )
    assert data["company"]["name"] == "BTP Rhône Ingénierie"
    assert data["supportContract"]["level"] == "SERENITE"
    # Sérénité, Gênant: 60 business minutes, 10 on Friday, 50 on Monday.
    assert due(data) == paris(friday + datetime.timedelta(days=3), 9, 50)
    holdings = data["holdings"]
    assert [s["autodeskId"] for s in holdings["subscriptions"]] == ["110000587002"]
    assert [lic["serialNumber"] for lic in holdings["licences"]] == ["400-77120310"]
    assert [w["code"] for w in holdings["warnings"]] == ["ENDS_SOON"]

    suggested = titles(data["suggestions"])
    assert articles["public"].title in suggested
    assert articles["btp only"].title in suggested  # chosen for BTP
    assert articles["internal"].title not in suggested
    assert articles["revit owners"].title not in suggested  # BTP holds no Revit
    assert data["linkedArticles"] == []  # Durand's links are Durand's

    assert [(d["page"]["slug"], d["canDownload"], d["alreadyDownloaded"])
            for d in data["downloads"]] == [
        ("inventor-2026-patch-2", True, False),
        ("inventor-2026-patch-2", True, False),
    ]  # fmt: skip


def test_morel_ticket_before_a_holiday_and_its_ended_subscription(
    gql, demo, service_token
):
    _companies, articles = demo
    eve, after = eve_of_a_holiday(timezone.localdate())
    data = context(
        gql,
        service_token,
        customerNumber="CLI-10733",
        product="autocad",
        version="2026",
        openedAt=iso(paris(eve, 17, 50)),
    )
    assert data["supportContract"]["level"] == "ESSENTIEL"
    # Essentiel, Bloquant: 60 business minutes; 10 that evening, the holiday (and
    # any weekend) closed, 50 on the next working day.
    assert due(data) == paris(after, 9, 50)

    holdings = data["holdings"]
    assert [s["status"] for s in holdings["subscriptions"]] == ["EXPIRED"]
    assert holdings["subscriptions"][0]["daysRemaining"] == -45
    assert [w["code"] for w in holdings["warnings"]] == ["ENDED"]
    assert "n'est plus couvert" in holdings["warnings"][0]["message"]

    suggested = titles(data["suggestions"])
    assert articles["public"].title in suggested
    assert not suggested & {
        articles["internal"].title,
        articles["btp only"].title,
        articles["revit owners"].title,
    }
    [download] = data["downloads"]
    assert download["page"]["slug"] == "autocad-2026-1-1"
    assert download["canDownload"] is False
    assert download["reason"].startswith("Abonnement terminé le ")
    assert download["alreadyDownloaded"] is False


def test_company_without_contract_gets_the_charter(gql, demo, service_token):
    company = CompanyFactory(name="Cabinet Sans Contrat", customer_number="CLI-9")
    friday = a_friday(timezone.localdate())
    data = context(
        gql,
        service_token,
        customerNumber="CLI-9",
        product="revit",
        version="2025",
        openedAt=iso(paris(friday, 17, 50)),
    )
    support = data["supportContract"]
    assert support["basis"] == "CHARTER" and support["level"] is None
    assert {t["criticality"]: t["responseMinutes"] for t in support["slaTargets"]} == {
        "BLOQUANT": 30,
        "GENANT": 60,
        "INFORMATIF": 120,
    }
    assert support["businessHours"] == {
        "opensAt": "09:00:00",
        "closesAt": "18:00:00",
        "weekdays": [1, 2, 3, 4, 5],
        "timeZone": "Europe/Paris",
        "publicHolidays": "FR",
    }
    assert data["sla"]["basis"] == "CHARTER"
    assert due(data) == paris(friday + datetime.timedelta(days=3), 9, 20)
    assert data["holdings"]["subscriptions"] == []
    assert [w["code"] for w in data["holdings"]["warnings"]] == ["NOT_COVERED"]
    [download] = data["downloads"]
    assert download["page"]["slug"] == "revit-2025-hotfix-4-2"
    assert (download["canDownload"], download["reason"]) == (
        False,
        "Aucun abonnement pour Revit.",
    )
    assert company.pk  # used


def test_minutes_left_count_business_minutes_from_now(gql, demo, service_token):
    before = timezone.now()
    data = context(gql, service_token, customerNumber="CLI-10733")  # opened now
    after = timezone.now()
    sla = data["sla"]
    assert sla["late"] is False
    calendar = BusinessCalendar()  # Essentiel: 9:00-18:00
    deadline = due(data)
    assert (
        calendar.business_minutes_between(after, deadline)
        <= sla["minutesLeft"]
        <= calendar.business_minutes_between(before, deadline)
    )
    assert 0 <= sla["minutesLeft"] <= 60


def test_without_product_all_holdings_and_no_downloads(gql, demo, service_token):
    data = context(gql, service_token, customerNumber="CLI-10587")
    assert len(data["holdings"]["subscriptions"]) == 3
    assert len(data["holdings"]["licences"]) == 3
    assert [w["code"] for w in data["holdings"]["warnings"]] == ["ENDS_SOON"] * 2
    assert data["downloads"] == []


def test_unknown_product_is_a_warning_not_an_error(gql, demo, service_token):
    data = context(gql, service_token, customerNumber="CLI-10421", product="zorglub")
    assert data["holdings"]["warnings"] == [
        {
            "code": "UNKNOWN_PRODUCT",
            "message": "Produit « zorglub » inconnu du catalogue.",
        }
    ]
    assert data["downloads"] == []


# --- who may ask ---------------------------------------------------------------


def test_staff_may_ask_and_sees_what_the_company_reads(gql, demo, staff):
    _companies, articles = demo
    result = ask(gql, user=staff, customerNumber="CLI-10733", product="autocad")
    assert result.errors is None, result.errors
    data = result.data["ticketContext"]
    assert data["holdings"]["licences"][0]["serialNumber"] == "666-90012201"
    suggested = titles(data["suggestions"])
    assert articles["public"].title in suggested
    assert articles["internal"].title not in suggested  # Morel may not read it
    assert data["downloads"][0]["canDownload"] is False  # for Morel, not staff


def test_client_member_is_refused(gql, demo):
    alice = User.objects.get(email="alice@durand-archi.example")
    result = ask(gql, user=alice, customerNumber="CLI-10421")
    assert result.data is None
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"


def test_anonymous_and_service_without_scope_are_refused(gql, db):
    CompanyFactory(customer_number="CLI-1")
    result = ask(gql, customerNumber="CLI-1")
    assert result.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = ServiceToken.generate(name="autre", scopes=[])[1]
    result = ask(gql, token, customerNumber="CLI-1")
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    "variables, code, field",
    [
        ({}, "BAD_USER_INPUT", "companyId"),
        ({"companyId": "1", "customerNumber": "CLI-1"}, "BAD_USER_INPUT",
         "customerNumber"),
        ({"companyId": "abc"}, "BAD_USER_INPUT", "companyId"),
        ({"customerNumber": "CLI-404"}, "NOT_FOUND", None),
        ({"companyId": "999999"}, "NOT_FOUND", None),
        ({"customerNumber": "CLI-1", "subject": " \x00 "}, "BAD_USER_INPUT", "subject"),
        (
            {"customerNumber": "CLI-1", "openedAt": "1990-01-01T10:00:00+01:00"},
            "BAD_USER_INPUT",
            "openedAt",
        ),
    ],
)  # fmt: skip
def test_argument_errors_are_coded(gql, service_token, variables, code, field):
    CompanyFactory(customer_number="CLI-1")
    result = gql(ARGUMENT_QUERY, {"subject": SUBJECT, **variables}, token=service_token)
    assert result.data is None
    [error] = result.errors
    assert error["extensions"]["code"] == code, error
    assert error["extensions"].get("field") == field
    assert error["message"]


# --- the SQL cost ---------------------------------------------------------------------


def _company_with(size: int, n: int) -> Company:
    """A company holding ``size`` AutoCAD subscriptions (each with a licence), with
    ``size`` links to readable AutoCAD articles, ``size`` downloads of each of the
    patch's files; and ``size`` other companies alike, which must cost nothing."""
    autocad = ProductFactory(code="autocad", name="AutoCAD")
    release, _ = ProductRelease.objects.get_or_create(product=autocad, version="2026")
    page = DownloadPage.objects.filter(product=autocad, kind="patch").first()
    if page is None:
        page = download_page(
            title="AutoCAD 2026 patch", product=autocad, releases=[release]
        )
        download_page(
            title="AutoCAD 2026 hotfix", product=autocad, kind="hotfix",
            releases=[release],
        )  # fmt: skip
    company = CompanyFactory(customer_number=f"CLI-S{n}")
    for i in range(size):
        sub = SubscriptionFactory(
            company=company,
            product=autocad,
            end_date=timezone.localdate() + datetime.timedelta(days=30 + 100 * i),
        )
        LicenceFactory(subscription=sub)
        article = kb.article(
            f"Hachures zorbiflex plantage ouverture {n}-{i}", products=[autocad]
        )
        TicketArticleLink.objects.create(
            ticket_ref=f"T-{n}-{i}", article=article, company=company
        )
        for file in DownloadFile.objects.filter(page__product=autocad):
            DownloadEvent.objects.create(file=file, company=company)
    return company


def _queries(gql, token, company) -> int:
    with CaptureQueriesContext(connection) as queries:
        data = context(
            gql, token, customerNumber=company.customer_number,
            product="autocad", version="2026",
        )  # fmt: skip
    return len(queries), data


def test_constant_queries_whatever_the_holdings(gql, service_token, private_storage):  # noqa: F811
    small = _company_with(1, 1)
    large = _company_with(8, 2)
    _queries(gql, service_token, small)  # warm caches (content types, site)
    n_small, small_data = _queries(gql, service_token, small)
    n_large, large_data = _queries(gql, service_token, large)
    assert len(small_data["holdings"]["subscriptions"]) == 1
    assert len(large_data["holdings"]["subscriptions"]) == 8
    assert len(large_data["holdings"]["licences"]) == 8
    assert len(large_data["linkedArticles"]) == 8
    assert len(large_data["downloads"]) == 2
    assert all(d["alreadyDownloaded"] for d in large_data["downloads"])
    assert n_small == n_large, (n_small, n_large)


# --- on both search backends ---------------------------------------------------------


def test_suggestions_are_what_the_company_reads_on_both_backends(
    gql,
    search_backend,  # noqa: F811 (the fixture)
    service_token,
):
    company_a = CompanyFactory(customer_number="CLI-A")
    company_b = CompanyFactory(customer_number="CLI-B")
    autocad = ProductFactory(code="autocad", name="AutoCAD")
    SubscriptionFactory(company=company_a, product=autocad)
    readable = {
        kb.article("Hachures zorbiflex : plantage à l'ouverture", products=[autocad]),
        kb.article(
            "Hachures zorbiflex : plantage à l'ouverture chez A",
            audience=Audience.COMPANIES,
            companies=[company_a],
        ),
        kb.article(
            "Hachures zorbiflex : plantage à l'ouverture, abonnés AutoCAD",
            audience=Audience.PRODUCT_OWNERS,
            products=[autocad],
        ),
    }
    canaries = {
        kb.article(
            "Hachures zorbiflex : plantage à l'ouverture, note interne",
            audience=Audience.INTERNAL,
        ),
        kb.article(
            "Hachures zorbiflex : plantage à l'ouverture chez B",
            audience=Audience.COMPANIES,
            companies=[company_b],
        ),
    }
    search_backend.refresh()
    data = context(gql, service_token, customerNumber="CLI-A", product="autocad")
    suggested = titles(data["suggestions"])
    assert suggested == {a.title for a in readable}
    assert not suggested & {a.title for a in canaries}
