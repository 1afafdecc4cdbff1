"""Fuzzing the whole API: generated queries and mutations over every root field, as
anonymous and as a client (hypothesis-graphql), never get an internal error, and every
error carries a code from the one list."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from accounts.models import PortalToken
from cms.api.errors import CODES
from cms.api.schema import schema
from knowledge.models import Audience
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.knowledge import factories as kb

QUERY_FIELDS = sorted(schema.graphql_schema.query_type.fields)
MUTATION_FIELDS = sorted(schema.graphql_schema.mutation_type.fields)
# Requests per (operation kind, caller): 4 x 250 = 1,000 in all.
EXAMPLES = 250

SCALARS = {
    "Date": st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31))
    .map(str)
    .map(nodes.String),
    "DateTime": st.datetimes(
        datetime.datetime(1, 1, 2), datetime.datetime(9999, 12, 30)
    )
    .map(lambda d: d.isoformat())
    .map(nodes.String),
    "Time": st.times().map(str).map(nodes.String),
    "JSONString": st.just("{}").map(nodes.String),
    "RichText": st.text(max_size=20).map(nodes.String),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure reproduces
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(company_a, member_a):
    revit = ProductFactory(code="revit", name="Revit")
    SubscriptionFactory(company=company_a, product=revit)
    kb.article("Licence introuvable", tags=["licence"], products=[revit])
    kb.article("Réservé", audience=Audience.COMPANIES, companies=[company_a])
    return member_a


def check(gql, query: str, token: str | None):
    result = gql(query, token=token)
    assert result.response.status_code < 500, query
    for error in result.errors or []:
        code = error.get("extensions", {}).get("code")
        assert code in CODES, (query, error)
        assert code != "INTERNAL", (query, error)
    assert "Traceback" not in json.dumps(result.errors or [])


def _token(user) -> str | None:
    return None if user is None else PortalToken.generate(user=user)[1]


@pytest.mark.parametrize("as_client", [False, True], ids=["anonymous", "client"])
def test_generated_queries_never_fail_internally(gql, world, as_client):
    token = _token(world if as_client else None)

    @FUZZ
    @given(
        from_schema(schema.graphql_schema, fields=QUERY_FIELDS, custom_scalars=SCALARS)
    )
    def run(query):
        check(gql, query, token)

    run()


@pytest.mark.parametrize("as_client", [False, True], ids=["anonymous", "client"])
def test_generated_mutations_never_fail_internally(gql, world, as_client):
    strategy = from_schema(
        schema.graphql_schema,
        fields=MUTATION_FIELDS,
        custom_scalars=SCALARS,
    )

    @FUZZ
    @given(st.data())
    def run(data):
        # A fresh token each time: a generated `logout` revokes the one it uses.
        token = _token(world if as_client else None)
        check(gql, data.draw(strategy), token)

    run()
