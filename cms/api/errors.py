"""One error shape for the API: a French ``message`` the portal can show and an
``extensions.code`` from :data:`CODES` (plus ``extensions.field`` when an argument
is at fault). Domain code raises Django's or :class:`ApiError`; the GraphQL view,
the bearer-token middleware and the download view all answer through
:func:`error_response` / :func:`graphql_response`.
"""

from __future__ import annotations

import json

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from graphql import GraphQLError

CODES = {
    "BAD_REQUEST": "the HTTP request is not a GraphQL request (body, method, type)",
    "GRAPHQL_PARSE_FAILED": "the document is not GraphQL",
    "GRAPHQL_VALIDATION_FAILED": "the document does not fit the schema",
    "QUERY_TOO_COMPLEX": "too deep, too many fields or aliases, too long",
    "BAD_USER_INPUT": "an argument or variable is invalid (see extensions.field)",
    "UNAUTHENTICATED": "sign in, or the token is invalid, expired or revoked",
    "FORBIDDEN": "signed in, but not allowed",
    "NOT_FOUND": "no such object for this caller",
    "RATE_LIMITED": "too many attempts: wait and try again",
    "SEARCH_UNAVAILABLE": "the search engine does not answer",
    "INTERNAL": "an unexpected error, logged for the support team",
}

# The media type the GraphQL-over-HTTP spec defines; plain JSON stays for older
# clients (it answers 200 for every well-formed request).
GRAPHQL_RESPONSE = "application/graphql-response+json"


class ApiError(GraphQLError):
    """An error meant for the caller, with a code from :data:`CODES`."""

    def __init__(
        self, message: str, code: str = "BAD_USER_INPUT", *, field: str | None = None
    ):
        assert code in CODES, code
        extensions = {"code": code}
        if field:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


class NotFound(ApiError):
    """Not found and not allowed look the same to the caller."""

    def __init__(self, what: str = "Objet"):
        super().__init__(f"{what} introuvable.", code="NOT_FOUND")


class Unauthenticated(PermissionDenied):
    """Wrong credentials, or a sign-in needed: ``UNAUTHENTICATED``."""

    api_code = "UNAUTHENTICATED"


class RateLimited(PermissionDenied):
    """Too many attempts (sign-in lockout): ``RATE_LIMITED``."""

    api_code = "RATE_LIMITED"


# Exceptions whose message is written for the caller (services raise Django's own).
USER_FACING = (GraphQLError, PermissionDenied, ValidationError, ObjectDoesNotExist)


def user_message(exc: BaseException) -> tuple[str, str]:
    """(message, code) for a user-facing exception."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages), "BAD_USER_INPUT"
    if isinstance(exc, ObjectDoesNotExist):
        return "Objet introuvable.", "NOT_FOUND"
    if isinstance(exc, PermissionDenied):
        return str(exc) or "Accès refusé.", getattr(exc, "api_code", "FORBIDDEN")
    return str(exc), "BAD_USER_INPUT"


# Identifiers are positive 64-bit integers in every database used here.
MAX_ID = 2**63 - 1


def object_id(value) -> int | None:
    """``value`` as a primary key, or None when it cannot be one (not found then,
    rather than a database overflow)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def error(message: str, code: str, **extensions) -> dict:
    assert code in CODES, code
    return {"message": message, "extensions": {"code": code, **extensions}}


def wants_graphql_response(request: HttpRequest) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("Accept", "")


def encoded(payload: dict) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def graphql_response(
    request: HttpRequest, payload: dict | None, status: int, *, body: str | None = None
) -> HttpResponse:
    """``payload`` ({data?, errors?}), or its ``body`` already encoded, in the media
    type the client accepts."""
    media = GRAPHQL_RESPONSE if wants_graphql_response(request) else "application/json"
    return HttpResponse(
        encoded(payload) if body is None else body,
        status=status,
        content_type=f"{media}; charset=utf-8",
    )


def error_response(
    request: HttpRequest, message: str, code: str, status: int, **extensions
) -> HttpResponse:
    """A request-level error (no data), in the same shape as GraphQL's."""
    return graphql_response(
        request, {"errors": [error(message, code, **extensions)]}, status
    )
