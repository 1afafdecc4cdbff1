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
# The contract the portal was last built against; move it forward at a release.
RELEASED = Path(__file__).with_name("schema.released.graphql")

# Breaking changes since RELEASED, each accepted on purpose, with its reason.
PRE_1_0_CLEANUP = (
    "pre-1.0 contract cleanup (issue 12): one GraphQL type per model with plain "
    "names, one page type for every list that can grow"
)
ACCEPTED_BREAKING: dict[str, str] = dict.fromkeys(
    [
        "TagObjectType was removed.",
        "ImageObjectType was removed.",
        "DocumentObjectType was removed.",
        "TagNode was removed.",
        "TicketArticleLinkNode was removed.",
        "CatalogCompany was removed.",
        "CatalogSupportContract was removed.",
        "CatalogSubscription was removed.",
        "CatalogProduct was removed.",
        "CatalogLicence was removed.",
        "CategoryNode was removed.",
        "MeType was removed.",
        "CompanyType was removed.",
        "ArticlePage.tags changed type from [TagObjectType] to [Tag!]!.",
        "Author.photo changed type from ImageObjectType to Image.",
        "FigureBlock.image changed type from ImageObjectType to Image.",
        "AttachmentBlock.document changed type from DocumentObjectType to Document.",
        "DocumentChooserBlock.document changed type from DocumentObjectType to Document.",  # noqa: E501
        "ImageChooserBlock.image changed type from ImageObjectType to Image.",
        "Query.tags changed type from [TagNode!]! to [Tag!]!.",
        "Query.ticketArticles changed type from [TicketArticleLinkNode!]! to TicketArticleLinkList!.",  # noqa: E501
        "Query.myCompany changed type from CatalogCompany to Company.",
        "Query.company changed type from CatalogCompany to Company.",
        "Query.categories changed type from [CategoryNode!]! to [Category!]!.",
        "Query.me changed type from MeType to Me.",
        "SlaDeadline.supportContract changed type from CatalogSupportContract to SupportContract.",  # noqa: E501
        "LinkArticleToTicket.link changed type from TicketArticleLinkNode! to TicketArticleLink!.",  # noqa: E501
        "Login.me changed type from MeType! to Me!.",
    ],
    PRE_1_0_CLEANUP,
)


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


def test_breaking_changes_since_the_released_contract_are_accepted():
    """A breaking change needs its line (and reason) above; a line no change needs
    any more goes, so the list says exactly what the portal must adapt to."""
    released = build_schema(RELEASED.read_text(encoding="utf-8"))
    committed = build_schema(SDL.read_text(encoding="utf-8"))
    found = {c.description for c in find_breaking_changes(released, committed)}
    assert sorted(found - set(ACCEPTED_BREAKING)) == [], "unlisted breaking changes"
    assert sorted(set(ACCEPTED_BREAKING) - found) == [], "listed, no longer found"


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
