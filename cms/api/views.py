"""The GraphQL endpoint the portal calls, after the GraphQL-over-HTTP spec.

- ``POST`` with ``application/json`` (``{"query", "variables", "operationName"}``) or
  ``application/graphql``; ``GET`` with the same as query parameters, for queries
  only (a mutation over GET is refused with 405).
- Answers ``application/graphql-response+json`` when the client accepts it: then a
  response without ``data`` (a document that does not parse or validate, a variable
  of the wrong type) is HTTP 400 and one with ``data`` is 200. Older clients asking
  for ``application/json`` get 200 for every well-formed request, as the spec says.
  A request that is not a GraphQL request at all (bad JSON, no query, a batch, too
  large) is 400 either way; an invalid bearer token is 401 (the middleware).
- Every error has a French ``message`` and an ``extensions.code`` from
  :data:`cms.api.errors.CODES`; unexpected ones are logged and masked (``INTERNAL``).

Callers authenticate with a bearer token (no CSRF: no ambient credential) or with
the session cookie, in which case the CSRF token is required as for any form.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from graphene_django.views import GraphQLView
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
)
from graphql.execution import ExecutionContext

from cms.access import answering, caller_of

from . import response_cache
from .documents import checked_document
from .errors import (
    USER_FACING,
    encoded,
    error_response,
    graphql_response,
    user_message,
    wants_graphql_response,
)
from .schema import schema
from .validation import variable_errors

logger = logging.getLogger("cms.api")

INVALID_DOCUMENT = "La requête GraphQL ne correspond pas au schéma de l'API."


class SyncExecutionContext(ExecutionContext):
    """graphql-core asks of every resolved value whether it is awaitable (an
    ``inspect`` check, ~3,000 times for one ``myCompany``). Under WSGI no resolver is
    async, so the answer is always no."""

    is_awaitable = staticmethod(lambda value: False)


class RequestError(Exception):
    """The HTTP request is not a GraphQL request this endpoint takes."""

    def __init__(self, message: str, status: int = 400, code: str = "BAD_REQUEST"):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


@dataclass(frozen=True)
class Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


@dataclass
class Outcome:
    """What :meth:`PortalGraphQLView._run` gives: an execution result, or an answer
    kept by :mod:`cms.api.response_cache`."""

    result: ExecutionResult | None = None
    has_data: bool = False
    slot: response_cache.Slot | None = None
    effects: list | None = None
    kept: str | None = None


@method_decorator(csrf_exempt, name="dispatch")
class PortalGraphQLView(GraphQLView):
    """One operation per request, bounded in size, depth and cost."""

    @method_decorator(ensure_csrf_cookie)  # a session client reads its CSRF token
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            if request.method not in ("GET", "POST"):
                raise RequestError("Seuls GET et POST sont acceptés.", status=405)
            self._check_csrf(request)
            if self._shows_graphiql(request):
                return render(request, "cms/graphiql.html")
            params = self._params(request)
            with answering(caller_of(request)):
                outcome = self._run(request, params)
        except RequestError as exc:
            response = error_response(request, exc.message, exc.code, exc.status)
            if exc.status == 405:
                response["Allow"] = "GET, POST"
            return response
        if outcome.kept is not None:
            response = graphql_response(request, None, 200, body=outcome.kept)
            if settings.GRAPHQL_RESPONSE_CACHE_HEADER:
                response["X-Answer-Cache"] = "hit"
            return response
        result = outcome.result
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [self.format_error(e) for e in result.errors]
        if outcome.has_data:
            payload["data"] = result.data
        status = 200 if outcome.has_data or not wants_graphql_response(request) else 400
        body = encoded(payload)
        if outcome.slot is not None and not result.errors and outcome.has_data:
            response_cache.keep(outcome.slot, body, outcome.effects)
        response = graphql_response(request, None, status, body=body)
        if outcome.slot is not None and settings.GRAPHQL_RESPONSE_CACHE_HEADER:
            response["X-Answer-Cache"] = "miss"
        return response

    # --- the HTTP request --------------------------------------------------------

    def _check_csrf(self, request: HttpRequest) -> None:
        if request.method != "POST" or not self._uses_session(request):
            return
        if CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}):
            raise RequestError(
                "Jeton CSRF absent ou invalide : envoyez X-CSRFToken avec le cookie "
                "de session, ou authentifiez-vous avec un jeton (Bearer).",
                status=403,
                code="FORBIDDEN",
            )

    @staticmethod
    def _uses_session(request: HttpRequest) -> bool:
        return (
            getattr(request, "api_token", None) is None
            and getattr(request, "service_token", None) is None
            and request.user.is_authenticated
        )

    def _shows_graphiql(self, request: HttpRequest) -> bool:
        self.graphiql = settings.GRAPHQL_GRAPHIQL
        return (
            self.graphiql
            and request.method == "GET"
            and "raw" not in request.GET
            and "text/html" in request.headers.get("Accept", "")
        )

    def _params(self, request: HttpRequest) -> Params:
        if len(request.body) > settings.GRAPHQL_MAX_QUERY_LENGTH * 4:
            raise RequestError("Le corps de la requête est trop volumineux.", 413)
        if request.method == "GET":
            body: Any = {
                "query": request.GET.get("query"),
                "variables": request.GET.get("variables"),
                "operationName": request.GET.get("operationName"),
            }
        else:
            content_type = request.content_type
            if content_type == "application/graphql":
                body = {"query": request.body.decode("utf-8", "replace")}
            elif content_type == "application/json":
                try:
                    body = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError):
                    raise RequestError(
                        "Le corps de la requête n'est pas du JSON."
                    ) from None
            else:
                raise RequestError(
                    "Type de contenu non pris en charge : envoyez application/json.",
                    status=415,
                )
        if isinstance(body, list):
            raise RequestError(
                "Les lots d'opérations ne sont pas pris en charge : une opération "
                "par requête."
            )
        if not isinstance(body, dict):
            raise RequestError("Le corps doit être un objet JSON.")
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestError("« query » doit être une chaîne non vide.")
        if len(query) > settings.GRAPHQL_MAX_QUERY_LENGTH:
            raise RequestError(
                f"La requête fait {len(query)} caractères ; au plus "
                f"{settings.GRAPHQL_MAX_QUERY_LENGTH} sont acceptés.",
                code="QUERY_TOO_COMPLEX",
            )
        variables = body.get("variables")
        if isinstance(variables, str) and variables.strip():
            try:
                variables = json.loads(variables)
            except ValueError:
                raise RequestError("« variables » n'est pas du JSON.") from None
        elif isinstance(variables, str):
            variables = None
        if variables is not None and not isinstance(variables, dict):
            raise RequestError("« variables » doit être un objet JSON.")
        operation_name = body.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError("« operationName » doit être une chaîne.")
        return Params(query, variables, operation_name or None)

    # --- GraphQL -------------------------------------------------------------------

    def _run(self, request: HttpRequest, params: Params) -> Outcome:
        graphql_schema = schema.graphql_schema
        checked = checked_document(graphql_schema, params.query)
        errors = [*checked.errors]
        if checked.document is not None:
            errors += variable_errors(checked.by_variable, params.variables)
        if errors:
            return Outcome(ExecutionResult(None, errors), has_data=False)
        document = checked.document
        operation = get_operation_ast(document, params.operation_name)
        if operation is None:
            message = (
                f"Aucune opération « {params.operation_name} » dans la requête."
                if params.operation_name
                else "Plusieurs opérations : précisez « operationName »."
            )
            raise RequestError(message, code="BAD_USER_INPUT")
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            raise RequestError("Une mutation s'envoie en POST.", status=405)
        slot = response_cache.slot_for(
            operation,
            query=params.query,
            operation_name=params.operation_name,
            variables=params.variables,
            caller=caller_of(request),
        )
        if slot is not None and (kept := response_cache.answer(slot)) is not None:
            return Outcome(kept=kept)
        with response_cache.recording() as effects:
            result = execute(
                graphql_schema,
                document,
                context_value=request,
                variable_values=params.variables,
                operation_name=params.operation_name,
                execution_context_class=SyncExecutionContext,
            )
        # Variables that do not coerce answer errors without a path and no data;
        # a field error (even one that nulls the whole result) has a path.
        has_data = result.data is not None or any(e.path for e in result.errors or ())
        return Outcome(result, has_data, slot, effects)

    @staticmethod
    def format_error(exc: GraphQLError) -> dict:
        formatted = exc.formatted
        original = exc.original_error
        if original is not None and not isinstance(original, GraphQLError):
            if isinstance(original, USER_FACING):
                message, code = user_message(original)
                formatted["message"] = message
                formatted["extensions"] = {"code": code}
                return formatted
            logger.error("GraphQL resolver failed", exc_info=original)
            formatted["message"] = (
                f"{type(original).__name__}: {original}"
                if settings.DEBUG
                else "Erreur interne : l'équipe support a été prévenue."
            )
            formatted["extensions"] = {"code": "INTERNAL"}
            return formatted
        if formatted.get("extensions", {}).get("code"):
            return formatted  # ours (ApiError, the bounds rules)
        if exc.path:  # raised while executing (a null in a non-null field): a bug
            logger.error("GraphQL execution failed at %s: %s", exc.path, exc.message)
            formatted["message"] = "Erreur interne : l'équipe support a été prévenue."
            formatted["extensions"] = {"code": "INTERNAL"}
            return formatted
        # A document or a variable at fault, in graphql-core's words (English, for
        # the developer, in extensions.detail) behind a message the portal can show.
        detail = formatted["message"]
        if detail.startswith("Variable '$"):
            formatted["message"] = "Une variable de la requête n'a pas le type attendu."
            variable = detail[len("Variable '$") :].split("'", 1)[0]
            formatted["extensions"] = {
                "code": "BAD_USER_INPUT",
                "field": variable,
                "detail": detail,
            }
        else:
            formatted["message"] = INVALID_DOCUMENT
            formatted["extensions"] = {
                "code": "GRAPHQL_VALIDATION_FAILED",
                "detail": detail,
            }
        return formatted
