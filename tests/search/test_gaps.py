"""Knowledge gaps: what the knowledge base did not answer is recorded by product
(off the request path) and reported beside how many client companies hold it."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ServiceToken
from catalog.models import Product
from search import demo, gaps
from search.models import SearchGapDaily, SearchSynonym
from search.synonyms import forget
from tests.catalog.factories import LicenceFactory, ProductFactory, SubscriptionFactory
from tests.factories import CompanyFactory, StaffFactory
from tests.knowledge import factories as kb

SEARCH = """
query($q: String!, $product: String, $page: Int) {
  searchArticles(query: $q, product: $product, page: $page) { total }
}
"""
TICKET = """
query($subject: String!, $product: String) {
  ticketSuggestions(subject: $subject, product: $product) { article { id } }
}
"""


def body(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


@pytest.fixture
def revit(db):
    return ProductFactory(code="revit", name="Revit")


@pytest.fixture
def tickets_token(db):
    return ServiceToken.generate(name="GLPI", scopes=["tickets"])[1]


def gap_rows():
    return sorted(
        SearchGapDaily.objects.values_list(
            "source",
            "normalised_query",
            "product_code",
            "zero_results",
            "low_confidence",
        )
    )


def test_search_without_result_is_a_gap_of_the_product_its_words_name(
    gql, revit, member_a
):
    SearchSynonym.objects.create(terms="Revit, RVT")
    forget()
    gql(SEARCH, {"q": "Formation RVT à Lyon"}, user=member_a)
    gql(SEARCH, {"q": "formation rvt à lyon"}, user=member_a)
    gql(SEARCH, {"q": "zorglub"}, user=member_a)
    gql(SEARCH, {"q": "zorglub", "page": 2}, user=member_a)  # counted once per search

    assert gap_rows() == [
        ("search", "formation rvt a lyon", "revit", 2, 0),
        ("search", "zorglub", "", 1, 0),
    ]


def test_product_filter_names_the_product(gql, revit, member_a):
    gql(SEARCH, {"q": "zorglub", "product": "revit"}, user=member_a)
    assert gap_rows() == [("search", "zorglub", "revit", 1, 0)]


def test_weak_best_match_is_a_low_confidence_gap_a_good_one_is_none(
    gql, revit, member_a, search_backend
):
    kb.article(
        "Revit : familles imbriquées",
        audience="clients",
        products=[revit],
        body=body("Charger une famille imbriquée dans un projet Revit."),
    )
    search_backend.refresh()
    # One word, in the body only: the search box shows it, the floor would not.
    weak = gql(SEARCH, {"q": "charger"}, user=member_a)
    good = gql(SEARCH, {"q": "familles imbriquées revit"}, user=member_a)

    assert weak.data["searchArticles"]["total"] == 1
    assert good.data["searchArticles"]["total"] == 1
    assert gap_rows() == [("search", "charger", "", 0, 1)]


def test_ticket_without_suggestion_is_a_gap(gql, revit, tickets_token):
    gql(
        TICKET,
        {"subject": "Facture du renouvellement Revit", "product": "revit"},
        token=tickets_token,
    )
    assert gap_rows() == [("ticket", "facture du renouvellement revit", "revit", 1, 0)]


def test_a_refused_ticket_suggestion_records_nothing(gql, revit, member_a):
    result = gql(TICKET, {"subject": "Facture"}, user=member_a)
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert gap_rows() == []


def test_product_named_in_prefers_the_longest_name(db):
    ProductFactory(code="civil-3d", name="Civil 3D")
    ProductFactory(code="aec-collection", name="AEC Collection")
    lexicon = gaps.product_lexicon()
    assert gaps.product_named_in("import points civil 3d", lexicon) == "civil-3d"
    assert gaps.product_named_in("Civil-3D import", lexicon) == "civil-3d"
    assert gaps.product_named_in("aec collection installer", lexicon) == (
        "aec-collection"
    )
    assert gaps.product_named_in("licence education", lexicon) == ""


# The report ---------------------------------------------------------------------


def seed_gaps(today):
    """Revit: 3 searches (one low) and 2 tickets this week; AutoCAD one search 40
    days ago; one search of no product this week."""
    rows = [
        (today, "search", "formation revit", "revit", 2, 0),
        (today, "search", "revit nuage de points", "revit", 0, 1),
        (today - datetime.timedelta(days=2), "ticket", "revit ifc", "revit", 2, 0),
        (today - datetime.timedelta(days=40), "search", "autocad x", "autocad", 5, 0),
        (today, "search", '=HYPERLINK("http://x")', "", 1, 0),
    ]
    for day, source, query, code, zero, low in rows:
        SearchGapDaily.objects.create(
            day=day,
            source=source,
            normalised_query=query,
            product_code=code,
            zero_results=zero,
            low_confidence=low,
        )


@pytest.fixture
def holdings(db, revit):
    autocad = ProductFactory(code="autocad", name="AutoCAD")
    aec = ProductFactory(code="aec-collection", name="AEC Collection")
    aec.includes.set([revit, autocad])
    a, b, c, gone = (CompanyFactory() for _ in range(4))
    SubscriptionFactory(company=a, product=revit)
    SubscriptionFactory(company=b, product=aec)  # revit through the collection
    LicenceFactory(company=c, product=revit, subscription=None)  # perpetual
    SubscriptionFactory(company=c, product=revit)  # still one company
    gone.is_active = False
    gone.save()
    SubscriptionFactory(company=gone, product=revit)  # inactive: not counted
    expired = CompanyFactory()
    SubscriptionFactory(
        company=expired,
        product=revit,
        start_date=timezone.localdate() - datetime.timedelta(days=400),
        end_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    return {"revit": revit, "autocad": autocad}


def test_gaps_by_product_with_holders_in_three_queries(holdings):
    today = timezone.localdate()
    seed_gaps(today)

    with CaptureQueriesContext(connection) as queries:
        week = gaps.knowledge_gaps(days=7)
    assert len(queries) == 3

    revit, nothing = week
    assert (revit.product_label, revit.holders) == ("Revit", 3)
    assert (revit.searches, revit.zero_results, revit.low_confidence) == (3, 2, 1)
    assert (revit.tickets, revit.queries) == (2, 3)
    assert revit.examples == ["formation revit", "revit ifc", "revit nuage de points"]
    assert nothing.product_label == "Sans produit identifié"
    assert nothing.holders is None

    quarter = gaps.knowledge_gaps(days=90)
    assert [g.product_code for g in quarter] == ["revit", "autocad", ""]
    assert quarter[1].holders == 1  # AutoCAD through the AEC collection


def test_query_count_does_not_grow_with_products_and_queries(holdings):
    today = timezone.localdate()

    def count(n: int) -> int:
        for i in range(n):
            product = Product.objects.create(code=f"p{n}-{i}", name=f"P {n} {i}")
            SubscriptionFactory(company=CompanyFactory(), product=product)
            for j in range(4):
                SearchGapDaily.objects.create(
                    day=today,
                    source="search",
                    normalised_query=f"q {n} {i} {j}",
                    product_code=product.code,
                    zero_results=1,
                )
        with CaptureQueriesContext(connection) as queries:
            rows = gaps.knowledge_gaps(days=30)
        assert all(len(row.examples) <= gaps.EXAMPLES for row in rows)
        return len(queries)

    assert count(2) == count(12) == 3


REPORT = "/admin/reports/lacunes-de-la-base/"


def test_report_shows_products_and_exports_neutralised_csv(holdings):
    seed_gaps(timezone.localdate())
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))

    page = client.get(REPORT, {"period": "90"}).content.decode()
    assert "Lacunes de la base" in page
    assert "Sociétés détentrices" in page and "AutoCAD" in page

    week = client.get(REPORT, {"period": "7"}).content.decode()
    assert "AutoCAD" not in week and "Revit" in week

    response = client.get(REPORT, {"period": "7", "export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Produit", "Code produit", "Sociétés détentrices"]
    assert rows[1][:8] == ["Revit", "revit", "3", "3", "2", "1", "2", "3"]
    assert rows[2][0] == "Sans produit identifié"
    assert rows[2][-1] == '\'=HYPERLINK("http://x")'  # no formula

    xlsx = client.get(REPORT, {"period": "30", "export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


def test_report_page_query_count_is_constant(holdings):
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    seed_gaps(timezone.localdate())
    client.get(REPORT)  # warm

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORT, {"period": "90"}).status_code == 200
        return len(queries)

    few = count()
    for i in range(30):
        SearchGapDaily.objects.create(
            day=timezone.localdate(),
            source="ticket",
            normalised_query=f"autre {i}",
            product_code=["revit", "autocad", ""][i % 3],
            zero_results=1,
        )
    assert count() == few


def test_demo_gaps_fill_the_report_and_load_twice_alike(db):
    from catalog import demo as catalog_demo

    catalog_demo.load_products()
    demo.load()
    rows = gap_rows()
    demo.load()
    assert gap_rows() == rows
    by_product = {g.product_code: g for g in gaps.knowledge_gaps(days=30)}
    assert {"revit", "civil-3d", "inventor", "vault", ""} <= set(by_product)
    assert by_product["revit"].tickets > 0
    assert by_product["revit"].low_confidence > 0
    assert by_product["revit"].examples
