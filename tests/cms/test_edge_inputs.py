"""Inputs at the edges answer a coded error (or nothing), never an internal one."""

from __future__ import annotations

import pytest

from tests.knowledge import factories as kb

EDGES = [
    '{ article(id: "99999999999999999999999") { id } }',
    '{ article(id: "-1") { id } }',
    '{ company(id: "99999999999999999999999") { id } }',
    '{ download(slug: "x") { id } }',
    'mutation { requestDownload(fileId: "99999999999999999999999") { url } }',
    '{ searchArticles(query: "\\"") { total } }',
    '{ searchArticles(query: "") { total } }',
    '{ searchArticles(query: "licence : &") { total } }',
    '{ suggestArticles(prefix: "\\"") { id } }',
    '{ slaDeadline(criticality: BLOQUANT, openedAt: "9999-12-31T23:59:00+01:00")'
    " { dueAt } }",
    '{ slaDeadline(criticality: BLOQUANT, openedAt: "0001-01-01T00:00:00+01:00")'
    " { dueAt } }",
    "{ articles(page: 99999999) { total } }",
    "{ articles(page: 2147483647) { total } }",
    '{ ticketArticles(ticketRef: "") { items { internal } } }',
    '{ ticketArticles(ticketRef: "T\\u0000") { items { internal } } }',
    '{ searchArticles(query: "licence\\u0000") { total } }',
]


@pytest.mark.parametrize("query", EDGES)
def test_edge_inputs_never_fail_internally(gql, staff, query):
    kb.article("Licence")
    result = gql(query, user=staff)
    codes = [e["extensions"]["code"] for e in result.errors or []]
    assert "INTERNAL" not in codes
    assert set(codes) <= {"BAD_USER_INPUT", "NOT_FOUND"}


def test_nul_in_a_variable_is_a_coded_input_error(gql, db):
    result = gql(
        "query($r: String!) { ticketArticles(ticketRef: $r) { items { internal } } }",
        {"r": "T-\x00"},
    )
    assert result.status == 400
    assert result.errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "r"}
