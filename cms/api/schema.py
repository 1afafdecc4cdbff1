"""The schema the portal gets: grapple's, cut down to an allowlist.

grapple builds a schema from every registered model with generic root queries
(``pages``, ``sites``, ``redirects``, ``images``, ``documents``, ``search``,
``snippets``…) and every Wagtail page field (drafts' titles, aliases, the tree,
lock state). Those read the database around the project's selectors. So the schema
served is grapple's with only what is listed here:

- root fields: :data:`QUERY_FIELDS` and :data:`MUTATION_FIELDS` (each resolves
  through a selector that takes the caller);
- types the project declares itself (its apps' ``graphql`` modules): all their
  fields, since their resolvers only call selectors;
- types grapple generates (pages, snippets, media, StreamField blocks): only the
  fields in :data:`GRAPPLE_TYPES`, without arguments unless listed (grapple's
  ``order``/``searchQuery``/``offset`` arguments name model fields and search
  around the rule).

Any other type is removed, and a kept field that would still lead to a removed
type stops the start-up (:class:`SchemaNotAllowed`): a new path must be allowed
here, on purpose, and the canary walk (tests/cms/test_canary_walk.py) then walks
it as every kind of caller.
"""

from __future__ import annotations

import datetime
import json

import graphene
from django.core.exceptions import ImproperlyConfigured
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from grapple.registry import registry
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.stream_block import StreamValue
from wagtail.rich_text import RichText

QUERY_FIELDS = {
    # knowledge
    "articles",
    "article",
    "categories",
    "tags",
    # search
    "searchArticles",
    "suggestArticles",
    "ticketSuggestions",
    "ticketArticles",
    "ticketContext",
    # catalogue and downloads
    "myCompany",
    "company",
    "slaDeadline",
    "downloads",
    "download",
    # accounts
    "me",
}

MUTATION_FIELDS = {
    "login",
    "logout",
    "requestPasswordReset",
    "resetPassword",
    "rateArticle",
    "requestDownload",
    "linkArticleToTicket",
    "unlinkArticleFromTicket",
    "createArticleDraftFromTicket",
}

# What a page is to the portal: no tree (parent, children, siblings…), no editor
# state (draft title, lock, revisions, aliases, schedule), no other site's pages.
PAGE_FIELDS = {
    "id",
    "title",
    "slug",
    "url",
    "pageType",
    "seoTitle",
    "searchDescription",
    "firstPublishedAt",
    "lastPublishedAt",
}
BLOCK_FIELDS = {"id", "blockType", "field", "rawValue"}

# Types grapple generates -> the fields served ("*": all of them); a field name
# followed by arguments keeps those arguments.
GRAPPLE_TYPES: dict[str, set[str] | str] = {
    "PageInterface": PAGE_FIELDS,
    "ArticlePage": PAGE_FIELDS
    | {
        "summary",
        "body",
        "category",
        "products",
        "versions",
        "authors",
        "tags",
        "lastReviewedAt",
        "audience",
        "publishedAt",
        "readingTimeMinutes",
        "relatedArticles",
        "helpfulCount",
        "notHelpfulCount",
        "viewCount",
        "linkedTicketCount",
    },
    "DownloadPage": PAGE_FIELDS
    | {
        "kind",
        "product",
        "releases",
        "version",
        "releaseDate",
        "releaseNotes",
        "relatedArticles",
        "isLatest",
        "supersededBy",
        "isPublic",
        "files",
    },
    "DownloadFile": {
        "id",
        "platform",
        "language",
        "fileName",
        "size",
        "sha256",
        "canDownload",
        "reason",
    },
    "Product": {
        "id",
        "name",
        "code",
        "family",
        "offeringName",
        "isCollection",
        "includes",
    },
    "ProductRelease": {"id", "product", "version", "releaseDate", "endOfSupport"},
    "Category": {"id", "name", "slug", "description", "articleCount", "children"},
    "Author": {"id", "displayName", "jobTitle", "photo"},
    # Media reached from a readable article only (no root query lists them).
    "ImageObjectType": {"id", "title", "url", "width", "height"},
    "DocumentObjectType": {"id", "title", "url", "fileSize"},
    # (an article's tags are the project's `Tag`, as the root `tags` serves them)
    # The blocks of the article body (knowledge.blocks.ArticleBodyBlock).
    "StreamFieldInterface": BLOCK_FIELDS,
    "StreamFieldBlock": BLOCK_FIELDS,
    "HeadingBlock": "*",
    "CodeBlock": "*",
    "CalloutBlock": "*",
    "FigureBlock": "*",
    "AttachmentBlock": "*",
    "StepBlock": "*",
    "ProcedureBlock": "*",
    "RichTextBlock": "*",
    "CharBlock": "*",
    "TextBlock": "*",
    "ChoiceBlock": "*",
    "ChoiceOption": "*",
    "ListBlock": "*",
    "StructBlock": "*",
    "StreamBlock": "*",
    "EmbedBlock": "*",
    "ImageChooserBlock": "*",
    "DocumentChooserBlock": "*",
}

# grapple's names for its built-in types -> the plain names served.
RENAMED = {"ImageObjectType": "Image", "DocumentObjectType": "Document"}

# The project's own types (pages of results from cms.api.pagination included).
PROJECT_MODULES = (
    "cms.",
    "accounts.",
    "knowledge.",
    "catalog.",
    "downloads.",
    "search.",
    "tickets.",
)


class SchemaNotAllowed(ImproperlyConfigured):
    pass


def _is_project_type(gtype) -> bool:
    module = getattr(getattr(gtype, "graphene_type", None), "__module__", "")
    return module.startswith(PROJECT_MODULES)


def _allowed_fields(gtype) -> tuple[set[str] | None, set[str]]:
    """(fields kept — None for all —, fields whose arguments are kept)."""
    if gtype.name in ("Query", "Mutation"):
        wanted = QUERY_FIELDS if gtype.name == "Query" else MUTATION_FIELDS
        return set(wanted), set(wanted)
    if _is_project_type(gtype):
        return None, set(gtype.fields)
    listed = GRAPPLE_TYPES[gtype.name]
    if listed == "*":
        return set(gtype.fields), set()
    names = {name.removesuffix("(*)") for name in listed}
    with_args = {name[:-3] for name in listed if name.endswith("(*)")}
    return names, with_args


def _kept(gtype) -> bool:
    return (
        gtype.name in ("Query", "Mutation")
        or _is_project_type(gtype)
        or gtype.name in GRAPPLE_TYPES
    )


def allowlisted(source: GraphQLSchema) -> GraphQLSchema:
    """``source`` with only the allowed root fields, types and fields."""
    composite = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)
    types = [
        t
        for name, t in source.type_map.items()
        if not name.startswith("__") and isinstance(t, composite)
    ]
    kept = {t.name for t in types if _kept(t)}
    for gtype in types:
        if gtype.name not in kept or isinstance(gtype, GraphQLUnionType):
            continue
        names, with_args = _allowed_fields(gtype)
        fields = gtype.fields  # materialised once; pruned in place
        for name in list(fields):
            if names is not None and name not in names:
                del fields[name]
            elif name not in with_args:
                fields[name].args.clear()
        missing = (names or set()) - set(fields)
        if missing and gtype.name not in ("Query", "Mutation"):
            raise SchemaNotAllowed(f"{gtype.name} has no field {sorted(missing)}")
        gtype.__dict__["interfaces"] = [i for i in gtype.interfaces if i.name in kept]
    for gtype in types:
        raw = gtype.fields.get("rawValue") if gtype.name in kept else None
        if raw is not None and raw.resolve is not None:
            raw.resolve = _raw_value_as_text(raw.resolve)
        if gtype.name == "EmbedBlock" and gtype.name in kept:
            # FIXME: grapple's EmbedBlock.resolve_raw_value (and resolve_value, which
            # calls it) passes no instance to StreamFieldInterface.resolve_raw_value
            # for a block of a StreamField: a TypeError. Serve the URL, as it means to.
            for name in ("rawValue", "value"):
                gtype.fields[name].resolve = _embed_url
    for gtype in types:
        if gtype.name in kept and gtype.name in RENAMED:
            gtype.name = RENAMED[gtype.name]
    kept = {RENAMED.get(name, name) for name in kept}
    # Rebuild from the roots and the kept types (interface implementations are not
    # reachable from fields alone), then check nothing else came back in.
    schema = GraphQLSchema(
        query=source.query_type,
        mutation=source.mutation_type,
        types=[t for t in types if t.name in kept],
        directives=source.directives,
    )
    for name, gtype in schema.type_map.items():
        if isinstance(gtype, composite) and not name.startswith("__"):
            if name not in kept:
                raise SchemaNotAllowed(f"type {name} is reachable but not allowed")
            for field_name, field in getattr(gtype, "fields", {}).items():
                target = get_named_type(field.type)
                if isinstance(target, composite) and target.name not in kept:
                    raise SchemaNotAllowed(f"{name}.{field_name} -> {target.name}")
    return schema


def _raw_value_as_text(resolve):
    """grapple declares ``rawValue: String!`` but returns a dict for structured
    blocks and None for an empty optional one: serve them as JSON text and ""."""

    def resolve_raw_value(root, info, **kwargs):
        value = resolve(root, info, **kwargs)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return json.dumps(value, default=_block_json, ensure_ascii=False)

    return resolve_raw_value


def _block_json(value):
    """What a block value nested in a structured block is in JSON: a list block's
    items, a stream's children, rich text as the HTML served, a chosen image or
    document by its title."""
    if isinstance(value, RichText):
        return value.__html__()
    if isinstance(value, ListValue):
        return list(value)
    if isinstance(value, StreamValue):
        return [{"type": child.block_type, "value": child.value} for child in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _embed_url(root, info, **kwargs) -> str:
    value = getattr(root, "value", root)
    return getattr(value, "url", None) or ""


class AllowlistedSchema(graphene.Schema):
    """A graphene schema serving :func:`allowlisted` of grapple's."""

    def __init__(self, source: graphene.Schema):
        self.query = source.query
        self.mutation = source.mutation
        self.subscription = source.subscription
        self.graphql_schema = allowlisted(source.graphql_schema)


def grapple_schema() -> graphene.Schema:
    """grapple's schema, without the stub types grapple makes for every model of its
    apps that declares no ``graphql_fields`` (``Subscription``, ``Licence``…: an
    ``id`` each, reachable from nothing). They would take the plain names the
    project's own types bear for those models."""
    for model in [
        m for m in registry.django_models if not hasattr(m, "graphql_fields")
    ]:
        del registry.django_models[model]
    from grapple.schema import schema  # built on import, from the registry

    return schema


schema = AllowlistedSchema(grapple_schema())
