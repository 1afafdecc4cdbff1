"""Every StreamField block type is servable: each block of each demo article, and one
block of each type the article body offers, through `body` with every field of its
GraphQL type (``rawValue`` included, nested blocks three levels down), without error.

The query is built from the served schema, so a new block type or field is walked
without editing this test."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.files.base import ContentFile
from graphql import GraphQLObjectType, get_named_type, is_leaf_type
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from catalog import demo as catalog_demo
from cms import demo as cms_demo
from cms.api.schema import schema
from knowledge import demo
from knowledge.blocks import ArticleBodyBlock
from knowledge.models import ArticlePage
from tests.knowledge.factories import article

LEVELS = 3  # StreamBlock, ListBlock and StructBlock children, and theirs


COMMON = {"id", "blockType", "field", "rawValue"}


def _selection(gtype: GraphQLObjectType, level: int) -> str:
    """Every field of a block type; its own ones aliased ``<Type>_<field>`` (two
    types may give one name two types: ``text`` is a String here, RichText there)."""
    parts = []
    for name, field in gtype.fields.items():
        target = get_named_type(field.type)
        alias = name if name in COMMON else f"{gtype.name}_{name}: {name}"
        if is_leaf_type(target):
            parts.append(alias)
        elif target.name == "StreamFieldInterface":
            if level + 1 < LEVELS:
                parts.append(f"{alias} {{ ...Block{level + 1} }}")
        else:  # an image, a document…: its own leaves
            leaves = [
                n
                for n, f in target.fields.items()
                if is_leaf_type(get_named_type(f.type))
            ]
            parts.append(f"{alias} {{ {' '.join(leaves)} }}")
    return " ".join(parts)


def body_fragments() -> str:
    served = schema.graphql_schema
    blocks = served.get_implementations(served.get_type("StreamFieldInterface")).objects
    fragments = []
    for level in range(LEVELS):
        spreads = " ".join(
            f"... on {block.name} {{ {_selection(block, level)} }}" for block in blocks
        )
        fragments.append(
            f"fragment Block{level} on StreamFieldInterface {{ {spreads} }}"
        )
    return "\n".join(fragments)


BODIES = (
    body_fragments()
    + """
query($slug: String!) { article(slug: $slug) { body { ...Block0 } } }"""
)


@pytest.fixture(autouse=True)
def walk_limits(settings, tmp_path):
    """The walk asks for every field of every block type at once: far past what the
    API lets a portal query select (600 fields, 30 aliases)."""
    settings.GRAPHQL_MAX_FIELDS = 100_000
    settings.GRAPHQL_MAX_ALIASES = 100_000
    settings.GRAPHQL_MAX_QUERY_LENGTH = 200_000
    settings.MEDIA_ROOT = str(tmp_path)


def served_bodies(gql, user) -> dict[str, list[dict]]:
    """Each live article's body, one request each."""
    bodies = {}
    for slug in ArticlePage.objects.live().values_list("slug", flat=True):
        result = gql(BODIES, {"slug": slug}, user=user)
        assert result.errors is None, (slug, result.errors)
        bodies[slug] = result.data["article"]["body"]
    return bodies


def test_every_block_of_every_demo_article_is_served(gql, staff):
    cms_demo.load_people()
    catalog_demo.load()
    demo.load()
    bodies = served_bodies(gql, staff)
    stored = {p.slug: p.body for p in ArticlePage.objects.live()}
    assert len(stored) >= 20 and set(bodies) == set(stored)
    for slug, body in stored.items():
        assert [b["field"] for b in bodies[slug]] == [b.block_type for b in body]
        assert all(b["rawValue"] is not None for b in bodies[slug])
    served_types = Counter(b["field"] for body in bodies.values() for b in body)
    assert {"heading", "paragraph", "code", "callout"} <= set(served_types)


def test_one_block_of_each_type_is_served_with_its_fields(gql, staff):
    image = Image.objects.create(title="Capture", file=get_test_image_file())
    document = Document.objects.create(
        title="Notice", file=ContentFile(b"%PDF-1.4 notice", name="notice.pdf")
    )
    body = [
        {"type": "heading", "value": {"text": "Symptôme", "level": "h2"}},
        {"type": "paragraph", "value": "<p>Le <b>serveur</b> ne répond pas.</p>"},
        {
            "type": "code",
            "value": {"language": "batch", "code": "lmutil", "caption": ""},
        },
        {
            "type": "callout",
            "value": {"kind": "warning", "title": "", "text": "<p>Ah</p>"},
        },
        {"type": "image", "value": {"image": image.pk, "caption": "", "alt": "Écran"}},
        {"type": "attachment", "value": {"document": document.pk, "title": "Notice"}},
        {"type": "video", "value": "https://www.youtube.com/watch?v=aqz-KE-bpKQ"},
        {
            "type": "table",
            "value": {
                "data": [["Produit", "Port"], ["AutoCAD", "27000"], [None, ""]],
                "first_row_is_table_header": True,
                "first_col_is_header": False,
            },
        },
        {
            "type": "procedure",
            "value": {
                "title": "Relancer le service",
                "steps": [
                    {"title": "Arrêter", "text": "<p>Ouvrez <i>LMTOOLS</i>.</p>"},
                    {"title": "Démarrer", "text": "<p>Cliquez.</p>"},
                ],
            },
        },
    ]
    assert {b["type"] for b in body} == set(ArticleBodyBlock.base_blocks)
    page = article("Tous les blocs", body=body)
    served = served_bodies(gql, staff)[page.slug]
    assert [b["field"] for b in served] == [b["type"] for b in body]
    by_type = {b["field"]: b for b in served}
    assert by_type["heading"]["HeadingBlock_text"] == "Symptôme"
    assert by_type["image"]["FigureBlock_image"]["title"] == "Capture"
    assert by_type["attachment"]["AttachmentBlock_document"]["title"] == "Notice"
    table = json.loads(by_type["table"]["rawValue"])
    assert table["data"][1] == ["AutoCAD", "27000"]
    procedure = json.loads(by_type["procedure"]["rawValue"])
    assert procedure["steps"] == [
        {"title": "Arrêter", "text": "<p>Ouvrez <i>LMTOOLS</i>.</p>"},
        {"title": "Démarrer", "text": "<p>Cliquez.</p>"},
    ]
    (steps,) = [
        b
        for b in by_type["procedure"]["ProcedureBlock_blocks"]
        if b["field"] == "steps"
    ]
    assert json.loads(steps["rawValue"]) == procedure["steps"]
    assert [s["StepBlock_title"] for s in steps["ListBlock_items"]] == [
        "Arrêter",
        "Démarrer",
    ]
    assert by_type["video"]["rawValue"] == body[6]["value"]
