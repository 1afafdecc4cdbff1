"""The parsed and validated document cache (cms/api/documents.py): same verdicts as
without it, variables checked on every request, and a bounded size."""

import pytest
from django.conf import settings

from cms.api import documents


@pytest.fixture(autouse=True)
def empty_cache():
    documents.cache_clear()
    yield
    documents.cache_clear()


def codes(result) -> list[str]:
    return [e["extensions"]["code"] for e in result.errors or []]


def test_the_same_invalid_document_answers_the_same_error_twice(gql, db):
    for query, code in (
        ("{ articles { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ articles { ", "GRAPHQL_PARSE_FAILED"),
    ):
        first, second = gql(query), gql(query)
        assert first.status == second.status == 400
        assert codes(first) == codes(second) == [code]
        assert first.errors == second.errors
    assert documents.cache_info().hits == 2


def test_a_valid_document_is_parsed_once(gql, db):
    query = "{ articles(perPage: 5) { total } }"
    for _ in range(3):
        assert gql(query).errors is None
    info = documents.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_variables_are_checked_on_every_request(gql, db):
    query = "query($n: Int) { articles(perPage: $n) { total } }"
    assert gql(query, {"n": 5}).errors is None
    too_big = gql(query, {"n": 10_000})
    assert codes(too_big) == ["BAD_USER_INPUT"]
    assert too_big.errors[0]["extensions"]["field"] == "perPage"
    assert gql(query, {"n": 5}).errors is None
    assert documents.cache_info().misses == 1


def test_a_nul_in_a_variable_is_refused_from_a_cached_document(gql, db):
    query = "query($s: String) { article(slug: $s) { title } }"
    assert gql(query, {"s": "a"}).errors is None
    assert codes(gql(query, {"s": "a\x00b"})) == ["BAD_USER_INPUT"]


def test_a_settings_change_is_not_answered_from_the_cache(gql, db, settings):
    query = "{ __schema { queryType { name } } }"
    assert gql(query).errors is None
    settings.GRAPHQL_INTROSPECTION = False
    assert codes(gql(query)) == ["GRAPHQL_VALIDATION_FAILED"]


def test_unique_documents_cannot_grow_the_cache_past_its_bound(gql, db):
    size = settings.GRAPHQL_DOCUMENT_CACHE_SIZE
    for n in range(size + 40):
        assert gql(f"{{ a{n}: articles(perPage: 1) {{ total }} }}").errors is None
    info = documents.cache_info()
    assert info.maxsize == size
    assert info.currsize == size


def test_a_long_document_is_not_kept(gql, db):
    padding = " " * settings.GRAPHQL_DOCUMENT_CACHE_MAX_LENGTH
    assert gql("{ articles { total } }" + padding).errors is None
    assert documents.cache_info().currsize == 0
