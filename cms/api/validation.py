"""What one GraphQL request may ask for: GraphQL's own rules, then this server's
bounds, computed on each operation as it would be executed (every fragment spread
expanded where it is spread, however often)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from graphql import GraphQLError, specified_rules
from graphql.language import (
    ArgumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.validation import ValidationRule

# Argument names that size a page of results, whatever the field.
PAGE_SIZE_ARGUMENTS = {"limit", "perPage", "first", "last"}


class _TooMuch(Exception):
    pass


def _measure(operation, fragments, on_field):
    """(depth, fields, aliases) of ``operation`` with fragments expanded at each
    spread; stops (``_TooMuch``) past the field budget, so a fragment spread 2^n
    times costs no more than the budget to refuse. A fragment cycle is cut (the
    NoFragmentCycles rule reports it)."""
    budget = settings.GRAPHQL_MAX_FIELDS
    fields = aliases = depth = 0
    # (selection set, depth, fragments on the path)
    stack = [(operation.selection_set, 0, frozenset())]
    while stack:
        selection_set, level, path = stack.pop()
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in path or name not in fragments:
                    continue
                stack.append(
                    (fragments[name].selection_set, level, path | frozenset([name]))
                )
            elif isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # __typename, introspection: not a cost
                fields += 1
                aliases += selection.alias is not None
                depth = max(depth, level + 1)
                on_field(selection)
                if fields > budget:
                    raise _TooMuch(depth, fields, aliases)
                stack.append((selection.selection_set, level + 1, path))
            else:  # an inline fragment
                stack.append((selection.selection_set, level, path))
    return depth, fields, aliases


def bounds_rule(by_variable: list[ArgumentNode]):
    """Caps depth, fields, aliases and literal page sizes of each operation; the
    page-size arguments given by a variable are appended to ``by_variable``, for
    :func:`variable_errors` to check against each request's variables. The rule
    reads only the document: its verdict can be cached with it."""

    class BoundsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_):
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            sizes: dict[int, ArgumentNode] = {}

            def on_field(field: FieldNode):
                for argument in field.arguments or ():
                    if argument.name.value in PAGE_SIZE_ARGUMENTS:
                        sizes[id(argument)] = argument

            try:
                depth, fields, aliases = _measure(node, fragments, on_field)
            except _TooMuch:
                self._too_complex(
                    node,
                    f"La requête sélectionne plus de {settings.GRAPHQL_MAX_FIELDS} "
                    "champs (fragments comptés à chaque utilisation) : "
                    "découpez-la.",
                )
                return
            if depth > settings.GRAPHQL_MAX_DEPTH:
                self._too_complex(
                    node,
                    f"La requête a {depth} niveaux ; au plus "
                    f"{settings.GRAPHQL_MAX_DEPTH} sont acceptés.",
                )
            if aliases > settings.GRAPHQL_MAX_ALIASES:
                self._too_complex(
                    node,
                    f"La requête utilise {aliases} alias ; au plus "
                    f"{settings.GRAPHQL_MAX_ALIASES} sont acceptés.",
                )
            for argument in sizes.values():
                if isinstance(argument.value, VariableNode):
                    if all(argument is not seen for seen in by_variable):
                        by_variable.append(argument)
                elif isinstance(argument.value, IntValueNode):
                    error = _page_size_error(argument, argument.value.value)
                    if error is not None:
                        self.report_error(error)

        def _too_complex(self, node, message):
            self.report_error(
                GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"})
            )

    return BoundsRule


def _page_size_error(argument: ArgumentNode, raw: Any) -> GraphQLError | None:
    try:
        size = int(raw)
    except (TypeError, ValueError):
        return None  # not a number: the variable's own coercion reports it
    limit = settings.GRAPHQL_MAX_PAGE_SIZE
    name = argument.name.value
    if 1 <= size <= limit:
        return None
    return GraphQLError(
        f"« {name} » doit être compris entre 1 et {limit} (reçu : {size}).",
        argument,
        extensions={"code": "BAD_USER_INPUT", "field": name},
    )


def _has_nul(value) -> bool:
    """A NUL, or a lone surrogate (JSON's ``"\\ud800"``: no UTF-8 for it, so no
    database stores it)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_error(node, field: str | None) -> GraphQLError:
    extensions = {"code": "BAD_USER_INPUT"}
    if field:
        extensions["field"] = field
    return GraphQLError(
        "Les caractères nuls (\\0) et les demi-paires Unicode isolées ne sont pas "
        "acceptés.",
        node,
        extensions=extensions,
    )


class NulFreeRule(ValidationRule):
    """No NUL character in a string literal: PostgreSQL refuses them in text (and no
    real input holds one). Variables are checked by :func:`variable_errors`."""

    def enter_string_value(self, node, *_):
        if _has_nul(node.value):
            self.report_error(_nul_error(node, None))


class NoIntrospectionRule(ValidationRule):
    """Refuses schema introspection (``__typename`` stays allowed: clients add it)."""

    def enter_field(self, node: FieldNode, *_):
        if node.name.value in {"__schema", "__type"}:
            self.report_error(
                GraphQLError(
                    "L'introspection du schéma est désactivée sur ce serveur.",
                    node,
                    extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
                )
            )


def document_rules(by_variable: list[ArgumentNode]) -> list[type[ValidationRule]]:
    """GraphQL's specified rules, then this server's bounds: all of them read only
    the document (and the settings), so a document's verdict can be cached
    (:mod:`cms.api.documents`). ``by_variable``: see :func:`bounds_rule`."""
    rules = [*specified_rules, bounds_rule(by_variable), NulFreeRule]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoIntrospectionRule)
    return rules


def variable_errors(
    by_variable: Iterable[ArgumentNode], variables: dict[str, Any] | None
) -> list[GraphQLError]:
    """What a request's variables break: a page size out of bounds, a NUL."""
    variables = variables or {}
    errors = []
    for argument in by_variable:
        name = argument.value.name.value
        error = _page_size_error(argument, variables.get(name))
        if error is not None:
            errors.append(error)
    errors += [_nul_error(None, name) for name, v in variables.items() if _has_nul(v)]
    return errors
