"""The GraphQL endpoint the portal calls: graphene-django's view, hardened."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from graphql import GraphQLError
from graphql.execution import ExecutionContext

from cms.access import answering, caller_of

from .errors import USER_FACING, user_message
from .validation import validation_rules

logger = logging.getLogger("cms.api")


def _error_response(message: str, status: int = 400, code: str = "BAD_REQUEST"):
    return JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )


class SyncExecutionContext(ExecutionContext):
    """graphql-core asks of every resolved value whether it is awaitable (an
    ``inspect`` check, ~3,000 times for one ``myCompany``). Under WSGI no resolver is
    async, so the answer is always no."""

    is_awaitable = staticmethod(lambda value: False)


@method_decorator(csrf_exempt, name="dispatch")
class PortalGraphQLView(GraphQLView):
    """One operation per POST (or a query over GET), bounded in size, depth and cost.

    Callers authenticate with a bearer token (no CSRF: no ambient credential) or with
    the session cookie, in which case the CSRF token is required as for any form.
    """

    execution_context_class = SyncExecutionContext

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.graphiql = settings.GRAPHQL_GRAPHIQL
        if request.method == "POST" and self._uses_session(request):
            rejected = CsrfViewMiddleware(lambda r: None).process_view(
                request, None, (), {}
            )
            if rejected is not None:
                return _error_response(
                    "CSRF token missing or invalid: send X-CSRFToken with the "
                    "session cookie, or authenticate with a bearer token.",
                    status=403,
                    code="FORBIDDEN",
                )
        if len(request.body) > settings.GRAPHQL_MAX_QUERY_LENGTH * 4:
            return _error_response("The request body is too large.", status=413)
        if (
            request.method == "POST"
            and self.get_content_type(request) == "application/json"
        ):
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return _error_response("The request body is not valid JSON.")
            if isinstance(body, list):
                return _error_response(
                    "Batched operations are not supported: send one operation per "
                    "request."
                )
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def _uses_session(request: HttpRequest) -> bool:
        return (
            request.api_token is None
            and request.service_token is None
            and request.user.is_authenticated
        )

    def execute_graphql_request(
        self, request, data, query, variables, operation_name, show_graphiql=False
    ):
        if query and len(query) > settings.GRAPHQL_MAX_QUERY_LENGTH:
            return _RejectedResult(
                f"The query is {len(query)} characters long; at most "
                f"{settings.GRAPHQL_MAX_QUERY_LENGTH} are accepted."
            )
        self.validation_rules = validation_rules(
            variables if isinstance(variables, dict) else None
        )
        with answering(caller_of(request)):
            return super().execute_graphql_request(
                request, data, query, variables, operation_name, show_graphiql
            )

    @staticmethod
    def format_error(error) -> dict:
        if isinstance(error, GraphQLError):
            original = error.original_error
            if original is None or isinstance(original, GraphQLError):
                return error.formatted
            formatted = error.formatted
            if isinstance(original, USER_FACING):
                message, code = user_message(original)
                formatted["message"] = message
                formatted["extensions"] = {"code": code}
                return formatted
            error_to_log = original
        else:
            formatted = {"message": str(error)}
            if getattr(error, "response", None) is not None:  # graphene's HttpError
                return formatted
            error_to_log = error
        logger.error("GraphQL resolver failed", exc_info=error_to_log)
        formatted["message"] = (
            f"{type(error_to_log).__name__}: {error_to_log}"
            if settings.DEBUG
            else "Internal server error. The support team has been notified."
        )
        formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
        return formatted


class _RejectedResult:
    """An execution result that carries one request-level error (HTTP 400)."""

    def __init__(self, message: str):
        self.errors = [GraphQLError(message)]
        self.data = None
