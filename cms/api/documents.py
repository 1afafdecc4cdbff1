"""GraphQL documents parsed and validated once, then served from a bounded cache.

Parsing and validating a document depend only on its text, the schema and the
bounds settings (every rule of :mod:`cms.api.validation` reads only the document;
what depends on a request's variables is checked per request by
:func:`cms.api.validation.variable_errors`). The portal sends the same few
operations again and again, so their verdict is kept: an LRU of at most
``GRAPHQL_DOCUMENT_CACHE_SIZE`` entries, and a document longer than
``GRAPHQL_DOCUMENT_CACHE_MAX_LENGTH`` characters is checked every time without
being kept, so a caller sending unique or huge documents cannot grow memory past
that bound (it only evicts entries).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.error import GraphQLSyntaxError
from graphql.language import ArgumentNode

from .validation import document_rules


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A parsed document (None when it does not parse), the errors of its
    validation, and its page-size arguments given by a variable."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    by_variable: tuple[ArgumentNode, ...]


def checked_document(schema: GraphQLSchema, query: str) -> CheckedDocument:
    key = (
        schema,
        query,
        settings.GRAPHQL_INTROSPECTION,
        settings.GRAPHQL_MAX_DEPTH,
        settings.GRAPHQL_MAX_FIELDS,
        settings.GRAPHQL_MAX_ALIASES,
        settings.GRAPHQL_MAX_PAGE_SIZE,
    )
    if len(query) > settings.GRAPHQL_DOCUMENT_CACHE_MAX_LENGTH:
        return _check(*key)
    return _cached_check(*key)


def _check(schema: GraphQLSchema, query: str, *_settings) -> CheckedDocument:
    try:
        document = parse(query)
    except GraphQLSyntaxError as exc:
        exc.extensions = {"code": "GRAPHQL_PARSE_FAILED"}
        return CheckedDocument(None, (exc,), ())
    by_variable: list[ArgumentNode] = []
    errors = validate(schema, document, document_rules(by_variable))
    return CheckedDocument(document, tuple(errors), tuple(by_variable))


_cached_check = lru_cache(maxsize=settings.GRAPHQL_DOCUMENT_CACHE_SIZE)(_check)
cache_info = _cached_check.cache_info
cache_clear = _cached_check.cache_clear
