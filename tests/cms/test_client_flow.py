"""End to end with a real GraphQL client library (gql, as a Python front end would
use it) against a live server: sign in, read, search, download, sign out, and the
error codes of what fails on the way."""

from __future__ import annotations

import hashlib

import pytest
import requests
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from accounts.models import User
from knowledge.models import Audience
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.downloads.helpers import download_page, private_storage  # noqa: F401
from tests.factories import UserFactory
from tests.knowledge import factories as kb

pytestmark = [
    # live_server needs real commits; serialized_rollback restores Wagtail's root page
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("private_storage"),
]

ACCEPT = "application/graphql-response+json, application/json;q=0.9"


_transports: list[RequestsHTTPTransport] = []


def client(url: str, token: str | None = None) -> Client:
    headers = {"Accept": ACCEPT, "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    transport = RequestsHTTPTransport(url=url, headers=headers, retries=0)
    _transports.append(transport)
    return Client(transport=transport, fetch_schema_from_transport=False)


@pytest.fixture(autouse=True)
def _close_transports():
    """No keep-alive connection left to the live server's threads after the test."""
    yield
    while _transports:
        _transports.pop().close()


def error_code(exc: TransportQueryError) -> str:
    return exc.errors[0]["extensions"]["code"]


@pytest.fixture
def portal(live_server, company_a):
    revit = ProductFactory(code="revit", name="Revit")
    SubscriptionFactory(company=company_a, product=revit)
    UserFactory(
        email="alice@a.example",
        company=company_a,
        role=User.Role.ADMIN,
        password="motdepasse-solide-42",
    )
    kb.article("Erreur de licence 15.570.0", audience=Audience.CLIENTS)
    page = download_page(title="Revit correctif 3", product=revit)
    return {"url": f"{live_server.url}/graphql/", "page": page, "live": live_server}


def test_a_client_signs_in_reads_searches_downloads_and_signs_out(portal):
    url = portal["url"]
    anonymous = client(url)

    # A wrong password is UNAUTHENTICATED, with a French message.
    login = gql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
        "{ token me { email role company { name } } } }"
    )
    with pytest.raises(TransportQueryError) as refused:
        anonymous.execute(login, variable_values={"e": "alice@a.example", "p": "x"})
    assert error_code(refused.value) == "UNAUTHENTICATED"
    assert "incorrect" in refused.value.errors[0]["message"]

    signed = anonymous.execute(
        login,
        variable_values={"e": "alice@a.example", "p": "motdepasse-solide-42"},
    )["login"]
    assert signed["me"]["company"]["name"] == "Atelier A"
    alice = client(url, signed["token"])

    # Reads what a client reads.
    listing = alice.execute(gql("{ articles { total items { title audience } } }"))
    assert listing["articles"]["items"] == [
        {"title": "Erreur de licence 15.570.0", "audience": "clients"}
    ]
    # Its company's catalogue: one page of subscriptions, in the shared page type.
    catalogue = alice.execute(
        gql(
            "{ myCompany { __typename subscriptions(perPage: 10) { __typename "
            "total pages items { __typename seats product { __typename code } } } } }"
        )
    )["myCompany"]
    assert catalogue["__typename"] == "Company"
    assert catalogue["subscriptions"] == {
        "__typename": "AutodeskSubscriptionList",
        "total": 1,
        "pages": 1,
        "items": [
            {
                "__typename": "AutodeskSubscription",
                "seats": 1,
                "product": {"__typename": "Product", "code": "revit"},
            }
        ],
    }
    # A field that does not exist is a validation error, not silently dropped.
    with pytest.raises(TransportQueryError) as invalid:
        alice.execute(gql("{ articles { totl } }"), parse_result=False)
    assert error_code(invalid.value) == "GRAPHQL_VALIDATION_FAILED"

    found = alice.execute(
        gql(
            '{ searchArticles(query: "licence") { total items { article { title } } } }'
        )
    )
    assert found["searchArticles"]["total"] == 1

    # Downloads a file the company is entitled to, checksum included.
    files = alice.execute(
        gql("query($s: String!) { download(slug: $s) { files { id canDownload } } }"),
        variable_values={"s": portal["page"].slug},
    )["download"]["files"]
    assert files[0]["canDownload"] is True
    link = alice.execute(
        gql("mutation($f: ID!) { requestDownload(fileId: $f) { url sha256 size } }"),
        variable_values={"f": files[0]["id"]},
    )["requestDownload"]
    body = requests.get(link["url"], headers={"Connection": "close"}, timeout=10)
    assert body.status_code == 200
    assert hashlib.sha256(body.content).hexdigest() == link["sha256"]

    # Out of range is a coded input error on the argument at fault.
    with pytest.raises(TransportQueryError) as too_many:
        alice.execute(gql("{ articles(perPage: 1000) { total } }"))
    assert error_code(too_many.value) == "BAD_USER_INPUT"
    assert too_many.value.errors[0]["extensions"]["field"] == "perPage"

    # Signs out: the token no longer works (HTTP 401, UNAUTHENTICATED).
    assert alice.execute(gql("mutation { logout }")) == {"logout": True}
    response = requests.post(
        url,
        json={"query": "{ me { email } }"},
        headers={
            "Authorization": f"Bearer {signed['token']}",
            "Accept": ACCEPT,
            "Connection": "close",
        },
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith(
        "application/graphql-response+json"
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # Anonymous again: a non-public page is not even visible (not found and not
    # allowed look the same).
    with pytest.raises(TransportQueryError) as anonymous_download:
        anonymous.execute(
            gql("mutation($f: ID!) { requestDownload(fileId: $f) { url } }"),
            variable_values={"f": files[0]["id"]},
        )
    assert error_code(anonymous_download.value) == "NOT_FOUND"
