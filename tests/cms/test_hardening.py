import json

import pytest
from django.test import Client


def nested(levels: int) -> str:
    # `me { company { ... } }` cannot nest; grapple's pages/children can.
    inner = "id"
    for _ in range(levels):
        inner = f"children {{ {inner} }}"
    return f"{{ pages {{ {inner} }} }}"


def test_deeply_nested_query_is_rejected(gql, db):
    result = gql(nested(20))
    assert result.status == 400
    assert "exceeds maximum operation depth" in result.error_messages[0]


def test_many_aliases_are_rejected(gql, db):
    query = "{ " + " ".join(f"a{n}: me {{ email }}" for n in range(500)) + " }"
    result = gql(query)
    assert result.status == 400
    assert (
        "The query uses 500 aliases; at most 30 are allowed." in result.error_messages
    )


def test_introspection_is_refused_in_production_settings(gql, db, settings):
    settings.GRAPHQL_INTROSPECTION = False
    result = gql("{ __schema { types { name } } }")
    assert result.status == 400
    assert result.error_messages == ["Introspection is disabled on this server."]
    assert gql("{ __typename }").data == {"__typename": "Query"}


def test_introspection_works_in_development(gql, db):
    assert gql("{ __schema { queryType { name } } }").errors is None


def test_batched_operations_are_rejected(db):
    response = Client().post(
        "/graphql/",
        json.dumps([{"query": "{ me { email } }"}, {"query": "{ me { email } }"}]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (
        "Batched operations are not supported"
        in response.json()["errors"][0]["message"]
    )


@pytest.mark.parametrize("size", [10_000, -1])
def test_huge_page_size_is_rejected(gql, db, size):
    result = gql("query($n: Int) { articles(perPage: $n) { total } }", {"n": size})
    assert result.status == 400
    assert result.error_messages == [
        f"'perPage' must be between 1 and 100 (got {size})."
    ]


def test_mutation_over_get_is_rejected(gql, db):
    result = gql("mutation { logout }", method="get")
    assert result.status == 405
    assert "POST" in result.error_messages[0]


def test_query_over_get_is_accepted(gql, db):
    result = gql("{ me { email } }", method="get", HTTP_ACCEPT="application/json")
    assert result.status == 200 and result.data == {"me": None}


def test_overlong_query_is_rejected(gql, db, settings):
    result = gql("{ me { email } }" + " " * (settings.GRAPHQL_MAX_QUERY_LENGTH + 1))
    assert result.status == 400
    assert "characters long" in result.error_messages[0]


def test_syntax_error_says_where(gql, db):
    result = gql("{ me { email }")
    assert result.status == 400
    assert result.errors[0]["message"].startswith("Syntax Error")


def test_unexpected_error_is_masked_and_logged(gql, db, monkeypatch, caplog):
    from accounts import graphql as accounts_graphql

    def boom(root, info):
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(
        accounts_graphql.AccountsQuery, "resolve_me", staticmethod(boom)
    )
    from cms.api.schema import schema

    monkeypatch.setattr(schema.graphql_schema.query_type.fields["me"], "resolve", boom)
    result = gql("{ me { email } }")
    assert result.error_messages == [
        "Internal server error. The support team has been notified."
    ]
    assert "secret" not in json.dumps(result.errors)
    assert "Traceback" not in result.response.content.decode()
    assert "secret database detail" in caplog.text
