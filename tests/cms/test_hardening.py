import json

import pytest
from django.test import Client


def nested(levels: int) -> str:
    # Categories nest (a category's children are categories).
    inner = "slug"
    for _ in range(levels - 2):
        inner = f"children {{ {inner} }}"
    return f"{{ categories {{ {inner} }} }}"


def codes(result) -> list[str]:
    return [e["extensions"]["code"] for e in result.errors or []]


def test_deeply_nested_query_is_rejected(gql, db):
    assert gql(nested(12)).errors is None
    result = gql(nested(20))
    assert result.status == 400
    assert codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.error_messages == [
        "La requête a 20 niveaux ; au plus 12 sont acceptés."
    ]


def test_many_aliases_are_rejected(gql, db):
    query = "{ " + " ".join(f"a{n}: __typename me {{ email }}" for n in range(31))
    result = gql(query.replace("__typename ", "") + " }")
    assert result.status == 400
    assert codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.error_messages == [
        "La requête utilise 31 alias ; au plus 30 sont acceptés."
    ]


def test_introspection_is_refused_in_production_settings(gql, db, settings):
    settings.GRAPHQL_INTROSPECTION = False
    result = gql("{ __schema { types { name } } }")
    assert result.status == 400
    assert codes(result) == ["GRAPHQL_VALIDATION_FAILED"]
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
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("size", [10_000, -1])
def test_huge_page_size_is_rejected(gql, db, size):
    result = gql("query($n: Int) { articles(perPage: $n) { total } }", {"n": size})
    assert result.status == 400
    assert codes(result) == ["BAD_USER_INPUT"]
    assert result.errors[0]["extensions"]["field"] == "perPage"


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
    assert codes(result) == ["QUERY_TOO_COMPLEX"]


def test_syntax_error_says_where(gql, db):
    result = gql("{ me { email }")
    assert result.status == 400
    assert codes(result) == ["GRAPHQL_PARSE_FAILED"]
    assert result.errors[0]["locations"] == [{"line": 1, "column": 15}]


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
        "Erreur interne : l'équipe support a été prévenue."
    ]
    assert codes(result) == ["INTERNAL"]
    assert "secret" not in json.dumps(result.errors)
    assert "Traceback" not in result.response.content.decode()
    assert "secret database detail" in caplog.text


def test_graphiql_is_served_from_the_project_in_development(db, settings):
    """GraphiQL works offline: its page names no outside host, and its assets are
    this project's static files."""
    from django.contrib.staticfiles import finders

    settings.GRAPHQL_GRAPHIQL = True
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 200
    assert "http://" not in html and "https://" not in html
    for asset in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js"):
        assert f"/static/graphiql/{asset}" in html
        assert finders.find(f"graphiql/{asset}")


def test_graphiql_is_off_in_production_settings(db, settings):
    settings.GRAPHQL_GRAPHIQL = False
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 400  # a GET without a query, answered as JSON
