"""Ranking by holdings: for a client, and for the ticketing system acting for a
ticket's company, articles about what that company holds come first, all else equal
(docs/relevance.md, "Ranking by holdings")."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ServiceToken
from cms.access import Caller, CallerKind
from search.selectors import holdings_for, ticket_suggestions_for
from tests.catalog.factories import LicenceFactory, SubscriptionFactory
from tests.knowledge import factories as kb

from .test_search import TICKET_SUGGEST, body, search

TEXT = body("La souris 3D ne fait plus pivoter la vue : réinstaller son pilote.")


@pytest.fixture
def twins(db):
    """Two articles that differ only by product."""
    autocad, revit = kb.product("autocad"), kb.product("revit")
    on_autocad = kb.article("Souris 3D bloquée", products=[autocad], body=TEXT)
    on_revit = kb.article("Souris 3D bloquée", products=[revit], body=TEXT)
    return autocad, revit, on_autocad, on_revit


def ids(items) -> list[int]:
    return [int(item["article"]["id"]) for item in items]


def test_a_client_gets_the_article_about_what_its_company_holds_first(
    gql, search_backend, twins, company_a, company_b, member_a, member_b
):
    autocad, revit, on_autocad, on_revit = twins
    SubscriptionFactory(company=company_a, product=autocad)
    # a perpetual licence, without a subscription, counts too
    LicenceFactory(subscription=None, company=company_b, product=revit)
    search_backend.refresh()

    for_a = search(gql, "souris 3d pivoter", user=member_a)
    for_b = search(gql, "souris 3d pivoter", user=member_b)

    assert ids(for_a["items"]) == [on_autocad.pk, on_revit.pk]
    assert ids(for_b["items"]) == [on_revit.pk, on_autocad.pk]
    # a boost, not a filter: both are found, with the same total
    assert for_a["total"] == for_b["total"] == 2


def test_a_collection_counts_for_the_products_it_includes(
    gql, search_backend, twins, company_a, member_a
):
    autocad, revit, on_autocad, on_revit = twins
    collection = kb.product("aec-collection")
    collection.includes.add(revit)
    SubscriptionFactory(company=company_a, product=collection)
    search_backend.refresh()

    assert ids(search(gql, "souris 3d pivoter", user=member_a)["items"])[0] == (
        on_revit.pk
    )


def test_an_ended_subscription_no_longer_ranks_its_product_first(
    gql, search_backend, twins, company_a, member_a
):
    autocad, revit, on_autocad, on_revit = twins
    SubscriptionFactory(
        company=company_a,
        product=revit,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 1, 1),
    )
    SubscriptionFactory(company=company_a, product=autocad)
    search_backend.refresh()

    assert ids(search(gql, "souris 3d pivoter", user=member_a)["items"])[0] == (
        on_autocad.pk
    )


def test_ticketing_system_ranks_by_the_holdings_of_the_ticket_company(
    gql, search_backend, twins, company_a, company_b
):
    autocad, revit, on_autocad, on_revit = twins
    SubscriptionFactory(company=company_a, product=autocad)
    SubscriptionFactory(company=company_b, product=revit)
    search_backend.refresh()
    token = ServiceToken.generate(name="GLPI", scopes=["tickets"])[1]
    ticket = {"s": "Souris 3D", "d": "La vue ne pivote plus avec la souris 3D."}

    def first(company) -> int:
        result = gql(TICKET_SUGGEST, {**ticket, "companyId": company.pk}, token=token)
        assert result.errors is None, result.errors
        return ids(result.data["ticketSuggestions"])[0]

    assert first(company_a) == on_autocad.pk
    assert first(company_b) == on_revit.pk

    # The selector another resolver (ticketContext) calls: the service acting for
    # the company, or staff naming it, get the same order.
    service = Caller(CallerKind.SERVICE, scopes=frozenset({"tickets"}))
    for caller in (service.acting_for(company_b.pk), Caller(CallerKind.STAFF)):
        hits = ticket_suggestions_for(
            caller=caller,
            subject=ticket["s"],
            description=ticket["d"],
            company_id=company_b.pk,
        )
        assert [hit.article.pk for hit in hits][:1] == [on_revit.pk]


def test_only_staff_and_the_ticketing_system_choose_whose_holdings_rank(
    db, company_a, company_b
):
    autocad, revit = kb.product("autocad"), kb.product("revit")
    SubscriptionFactory(company=company_a, product=autocad)
    SubscriptionFactory(company=company_b, product=revit)
    client_a = Caller.member_of(company_a.pk)
    service = Caller(CallerKind.SERVICE, scopes=frozenset({"tickets"}))

    assert holdings_for(caller=client_a).product_ids == {autocad.pk}
    # a client naming another company still ranks by its own
    assert holdings_for(caller=client_a, company_id=company_b.pk).product_ids == {
        autocad.pk
    }
    assert holdings_for(caller=service, company_id=company_b.pk).product_ids == {
        revit.pk
    }
    assert holdings_for(caller=service.acting_for(company_a.pk)).product_ids == {
        autocad.pk
    }
    assert not holdings_for(caller=Caller(CallerKind.STAFF))  # searching for itself
    assert not holdings_for(caller=Caller())  # anonymous
    releases = holdings_for(caller=client_a).release_ids
    assert releases == set(autocad.releases.values_list("pk", flat=True))


def test_staff_search_is_not_ranked_by_anyones_holdings(
    gql, search_backend, twins, company_a, staff
):
    autocad, revit, on_autocad, on_revit = twins
    SubscriptionFactory(company=company_a, product=revit)
    search_backend.refresh()
    data = search(gql, "souris 3d pivoter", user=staff)
    assert set(ids(data["items"])) == {on_autocad.pk, on_revit.pk}


def test_ranking_by_holdings_costs_a_constant_number_of_queries(
    gql, search_backend, company_a, member_a
):
    """Whatever the number of matches and of products held."""
    counts = []
    for n, held in ((2, 1), (12, 4)):
        products = [kb.product(f"produit-{n}-{i}") for i in range(held)]
        for product in products:
            SubscriptionFactory(company=company_a, product=product)
        for i in range(n):
            kb.article(
                f"Nébuleuse {n}-{i}",
                products=[products[i % held]],
                body=body(f"nebuleuse{n}"),
            )
        search_backend.refresh()
        search(gql, f"nebuleuse{n}", user=member_a)  # warm caches (content types…)
        with CaptureQueriesContext(connection) as captured:
            data = search(gql, f"nebuleuse{n}", user=member_a)
        assert data["total"] == n
        counts.append(len(captured))
    assert counts[0] == counts[1]
