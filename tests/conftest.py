"""Shared fixtures: people of two client companies and staff, and a GraphQL client."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import PortalToken, User
from tests.factories import CompanyFactory, StaffFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, reachable: bool, how: str) -> None:
    """Skip a test whose service is missing on a developer's machine; fail it in CI,
    where .ci/run was meant to start the service."""
    if reachable:
        return
    message = f"{name} is not reachable ({how})"
    if IN_CI:
        pytest.fail(f"{message}: .ci/run should have started it")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the locmem cache outlives a test's
    rolled-back rows, whose keys the next test may reuse)."""
    cache.clear()


@dataclass
class GraphQLResult:
    status: int
    data: dict[str, Any] | None
    errors: list[dict[str, Any]] | None
    response: Any

    @property
    def error_messages(self) -> list[str]:
        return [e["message"] for e in self.errors or []]


class GraphQLClient:
    """Posts one operation as a given caller and returns data and errors."""

    def __init__(self):
        self.http = Client()

    def __call__(
        self,
        query: str,
        variables: dict | None = None,
        *,
        user: User | None = None,
        token: str | None = None,
        method: str = "post",
        **extra,
    ) -> GraphQLResult:
        # As Apollo Client 4 and gql ask: the GraphQL-over-HTTP media type first.
        headers = {
            "HTTP_ACCEPT": "application/graphql-response+json, application/json;q=0.9",
            **extra,
        }
        if user is not None:
            _, raw = PortalToken.generate(user=user)
            token = raw
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        payload = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if method == "get":
            params = {"query": query}
            if variables is not None:
                params["variables"] = json.dumps(variables)
            response = self.http.get("/graphql/", params, **headers)
        else:
            response = self.http.post(
                "/graphql/",
                json.dumps(payload),
                content_type="application/json",
                **headers,
            )
        body = response.json()
        return GraphQLResult(
            response.status_code, body.get("data"), body.get("errors"), response
        )


@pytest.fixture
def gql(db) -> GraphQLClient:
    return GraphQLClient()


@pytest.fixture
def company_a(db):
    return CompanyFactory(name="Atelier A", customer_number="CLI-A")


@pytest.fixture
def company_b(db):
    return CompanyFactory(name="Bureau B", customer_number="CLI-B")


@pytest.fixture
def admin_a(company_a):
    return UserFactory(email="admin@a.example", company=company_a, role=User.Role.ADMIN)


@pytest.fixture
def member_a(company_a):
    return UserFactory(email="member@a.example", company=company_a)


@pytest.fixture
def member_b(company_b):
    return UserFactory(email="member@b.example", company=company_b)


@pytest.fixture
def staff(db):
    return StaffFactory(email="engineer@aplicit.example")
