"""The schema cannot drift by accident: the SDL is committed (schema.graphql), and
the README's GraphQL examples run against it."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    parse,
    print_ast,
    print_schema,
    validate,
)

from cms.api.schema import schema

ROOT = Path(__file__).resolve().parents[2]
SDL = ROOT / "schema.graphql"


def test_committed_schema_is_the_served_schema():
    served = print_schema(schema.graphql_schema)
    committed = SDL.read_text(encoding="utf-8")
    if served.strip() == committed.strip():
        return
    # Both sides from SDL: graphene's scalar classes would read as changed kinds.
    old, new = build_schema(committed), build_schema(served)
    changes = [
        f"BREAKING {c.type.name}: {c.description}"
        for c in find_breaking_changes(old, new)
    ] + [
        f"dangerous {c.type.name}: {c.description}"
        for c in find_dangerous_changes(old, new)
    ]
    raise AssertionError(
        "The served schema differs from schema.graphql: run `make schema`, commit "
        "it, and list the breaking changes below in the commit message.\n"
        + ("\n".join(changes) or "(no breaking or dangerous change: additions only)")
    )


def readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```graphql\n(.*?)```", text, flags=re.S)


def test_readme_graphql_examples_validate_against_the_schema():
    """Each operation of each ```graphql block (a block may show several)."""
    examples = readme_examples()
    assert len(examples) >= 4
    for example in examples:
        document = parse(example)
        fragments = [
            d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        ]
        for operation in document.definitions:
            if isinstance(operation, FragmentDefinitionNode):
                continue
            alone = DocumentNode(definitions=(operation, *fragments))
            errors = validate(schema.graphql_schema, alone)
            assert not errors, f"{print_ast(operation)}\n{errors}"
