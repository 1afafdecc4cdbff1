"""The benchmark's peers answer what they are compared with (issue 16): the tuned
REST v2 endpoint the same articles (ids, total) as the GraphQL query, the values()
floors the same JSON, for an anonymous reader and a client; and each request's SQL
query count does not grow with the data. The bench's own generator at a few dozen
articles, the same code `make bench` runs before timing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from bench import data, runner, workloads
from catalog.models import Product
from tests.catalog.factories import LicenceFactory, SubscriptionFactory

# The engine's peers (search) need more than a database; ticketContext has no peer.
COMPARED = [
    "listing",
    "portal_listing",
    "portal_listing_client",
    "article",
    "article_client",
    "my_company",
]

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore")]


@pytest.fixture
def bench_data():
    base = data.create_base(n_companies=5)
    data.add_articles(0, 30)
    data.add_subscriptions(base["admin"].company, 10)
    return base


@override_settings(ROOT_URLCONF="bench.urls")
def test_every_peer_answers_the_items_of_its_workload(bench_data):
    ctx = workloads.Context(base=bench_data, conf=runner.SIZES["tiny"], log=print)
    for name in COMPARED:
        workload = workloads.REGISTRY[name]
        peers = workloads.peers_of(ctx, workload)
        assert set(peers) - {workload.subject}, name  # something to compare with
        check = workloads.check_same_items(workload, peers)
        assert check["items"]["ids"], name
        for peer, n in check["bytes"].items():
            if peers[peer].exact:
                assert n == check["bytes"][workload.subject], (name, peer)


@override_settings(ROOT_URLCONF="bench.urls")
def test_query_counts_do_not_grow_with_the_data(bench_data):
    ctx = workloads.Context(base=bench_data, conf=runner.SIZES["tiny"], log=print)
    before = workloads.query_counts(ctx, COMPARED)
    data.add_articles(30, 40)
    data.add_subscriptions(bench_data["admin"].company, 15, start=10)
    assert workloads.query_counts(ctx, COMPARED) == before


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_ticket_context_workload_answers_in_constant_queries(bench_data):
    # The company holds the ticket's product from the start: a prefetch over no row
    # costs no query, so "none held" → "some held" is not a growth of the data.
    company = bench_data["admin"].company
    LicenceFactory(
        subscription=SubscriptionFactory(
            company=company, product=Product.objects.get(code="autocad")
        )
    )
    ctx = workloads.Context(base=bench_data, conf=runner.SIZES["tiny"], log=print)
    workload = workloads.REGISTRY["ticket_context"]
    peers = workloads.peers_of(ctx, workload)
    answer = peers["graphql"].items(peers["graphql"].call())
    assert answer == {
        "company": data.BENCH_COMPANY,
        "subscriptions": answer["subscriptions"],
    }
    before = workloads.query_counts(ctx, ["ticket_context"])
    data.add_articles(30, 40)
    data.add_subscriptions(company, 15, start=10)
    LicenceFactory(
        subscription=SubscriptionFactory(
            company=company, product=Product.objects.get(code="autocad")
        )
    )
    assert workloads.query_counts(ctx, ["ticket_context"]) == before
