"""Validation rules that bound what one GraphQL request may ask for."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from graphene.validation import depth_limit_validator
from graphql import GraphQLError, specified_rules
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.validation import ValidationRule

# Argument names that size a page of results, whatever the field.
PAGE_SIZE_ARGUMENTS = {"limit", "perPage", "first", "last"}


def _walk(selection_set, fragments, seen):
    """Every field node of a selection set, fragments expanded once each."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue
            seen.add(name)
            yield from _walk(fragments[name].selection_set, fragments, seen)
        else:
            if isinstance(selection, FieldNode):
                yield selection
            yield from _walk(selection.selection_set, fragments, seen)


def cost_limit_rule(variables: dict[str, Any] | None):
    """Caps aliases, the number of fields and page sizes in one operation."""
    variables = variables or {}

    class CostLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_):
            fragments = {
                f.name.value: f
                for f in self.context.document.definitions
                if f.kind == "fragment_definition"
            }
            aliases = fields = 0
            for field in _walk(node.selection_set, fragments, set()):
                fields += 1
                aliases += field.alias is not None
                for argument in field.arguments or ():
                    if argument.name.value in PAGE_SIZE_ARGUMENTS:
                        self._check_page_size(argument)
            if aliases > settings.GRAPHQL_MAX_ALIASES:
                self.report_error(
                    GraphQLError(
                        f"The query uses {aliases} aliases; at most "
                        f"{settings.GRAPHQL_MAX_ALIASES} are allowed.",
                        node,
                    )
                )
            if fields > settings.GRAPHQL_MAX_FIELDS:
                self.report_error(
                    GraphQLError(
                        f"The query selects {fields} fields; at most "
                        f"{settings.GRAPHQL_MAX_FIELDS} are allowed. Split it.",
                        node,
                    )
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
                return
            limit = settings.GRAPHQL_MAX_PAGE_SIZE
            if size > limit or size < 0:
                self.report_error(
                    GraphQLError(
                        f"'{argument.name.value}' must be between 1 and {limit} "
                        f"(got {size}).",
                        argument,
                    )
                )

    return CostLimitRule


class NoIntrospectionRule(ValidationRule):
    """Refuses schema introspection (``__typename`` stays allowed: clients add it)."""

    def enter_field(self, node: FieldNode, *_):
        if node.name.value in {"__schema", "__type"}:
            self.report_error(
                GraphQLError("Introspection is disabled on this server.", node)
            )


def validation_rules(variables: dict[str, Any] | None) -> list[type[ValidationRule]]:
    """GraphQL's own rules (graphene-django *replaces* them with the list it is
    given, so they are listed here), then this server's bounds."""
    rules = [
        *specified_rules,
        depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH),
        cost_limit_rule(variables),
    ]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoIntrospectionRule)
    return rules
