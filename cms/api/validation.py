"""What one GraphQL request may ask for: GraphQL's own rules, then this server's
bounds, computed on each operation as it would be executed (every fragment spread
expanded where it is spread, however often)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from graphql import GraphQLError, specified_rules
from graphql.language import (
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


def bounds_rule(variables: dict[str, Any] | None):
    """Caps depth, fields, aliases and page sizes of each operation."""
    variables = variables or {}

    class BoundsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_):
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            sizes: dict[int, FieldNode] = {}

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
                self._check_page_size(argument)

        def _too_complex(self, node, message):
            self.report_error(
                GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"})
            )

        def _check_page_size(self, argument):
            value = argument.value
            if isinstance(value, VariableNode):
                raw = variables.get(value.name.value)
            elif isinstance(value, IntValueNode):
                raw = value.value
            else:
                return
            try:
                size = int(raw)
            except (TypeError, ValueError):
                return  # not a number: the variable's own coercion reports it
            limit = settings.GRAPHQL_MAX_PAGE_SIZE
            name = argument.name.value
            if not 1 <= size <= limit:
                self.report_error(
                    GraphQLError(
                        f"« {name} » doit être compris entre 1 et {limit} "
                        f"(reçu : {size}).",
                        argument,
                        extensions={"code": "BAD_USER_INPUT", "field": name},
                    )
                )

    return BoundsRule


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def nul_free_rule(variables: dict[str, Any] | None):
    """No NUL character in any string, literal or variable: PostgreSQL refuses them
    in text (and no real input holds one)."""
    variables = variables or {}

    class NulFreeRule(ValidationRule):
        def enter_document(self, node, *_):
            for name, value in variables.items():
                if _has_nul(value):
                    self._refuse(None, name)

        def enter_string_value(self, node, *_):
            if "\x00" in node.value:
                self._refuse(node, None)

        def _refuse(self, node, field):
            extensions = {"code": "BAD_USER_INPUT"}
            if field:
                extensions["field"] = field
            self.report_error(
                GraphQLError(
                    "Les caractères nuls (\\0) ne sont pas acceptés.",
                    node,
                    extensions=extensions,
                )
            )

    return NulFreeRule


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


def validation_rules(variables: dict[str, Any] | None) -> list[type[ValidationRule]]:
    """GraphQL's specified rules, then this server's bounds."""
    rules = [*specified_rules, bounds_rule(variables), nul_free_rule(variables)]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoIntrospectionRule)
    return rules
