"""Errors the API shows to its callers; anything else is logged and masked."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from graphql import GraphQLError


class ApiError(GraphQLError):
    """An error meant for the caller, with a machine-readable ``extensions.code``."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT"):
        super().__init__(message, extensions={"code": code})


class NotFound(ApiError):
    """Not found and not allowed look the same to the caller."""

    def __init__(self, what: str = "Objet"):
        super().__init__(f"{what} introuvable.", code="NOT_FOUND")


# Exceptions whose message is written for the caller (services raise Django's own).
USER_FACING = (GraphQLError, PermissionDenied, ValidationError, ObjectDoesNotExist)

CODES = {
    PermissionDenied: "FORBIDDEN",
    ValidationError: "BAD_USER_INPUT",
    ObjectDoesNotExist: "NOT_FOUND",
}


def user_message(exc: BaseException) -> tuple[str, str]:
    """(message, code) for a user-facing exception."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages), "BAD_USER_INPUT"
    if isinstance(exc, ObjectDoesNotExist):
        return "Objet introuvable.", "NOT_FOUND"
    for cls, code in CODES.items():
        if isinstance(exc, cls):
            return str(exc) or "Accès refusé.", code
    return str(exc), "BAD_USER_INPUT"
