"""Every admin page opens and speaks French, as the superuser, the support team and
the editors see it.

The crawl opens every page of the admin menu a person is shown (Wagtail's included),
every project URL of ``tests/cms/test_admin_rights.py``'s table the person may open
(lists, add, edit, history, inspect, exports in CSV and XLSX) and the add, edit and
history views of every project page type. Each answer must not be a 500, and the
words engineers read — labels, column heads, buttons, help texts, choice options,
headings, booleans in cells — must hold none of the English words Django and Wagtail
show when a ``verbose_name``, a choice label or a translation is missing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.cms import test_admin_rights as rights
from tests.cms.test_admin_rights import (
    ADMIN_URLS,
    EDITOR,
    SUPERUSER,
    SUPPORT,
    client_for,
    menu_items,
)
from tests.knowledge import factories as kb

# The same people and objects as the rights' table.
world, people = rights.world, rights.people

# What Django derives from a field's name when it has no verbose_name (« Language »,
# « Created at »), what a choice without a label shows (« expired »), and the words
# of Wagtail's own screens when the French catalogue is not active (« Password »).
# Words French shares with English (« Code », « Date », « Description », « Type »,
# « Version », « Article », « Message », « Page », « Total », « Contact », « Action »,
# « Score », « Notes », « Slug », « URL », « active ») cannot tell and are left out.
ENGLISH_WORDS = frozenset(
    """
    add address author body cancel category channel checksum choose city
    company contract count created customer day days delete download downloads
    draft edit email enabled disabled end event events expired expiring expires
    false feedback file files filter first helpful hours kind language last level
    name password phone platform product products published quantity queries query
    rating recipients release releases reminder role save search searches seats
    sent serial size start status subscription subscriptions summary tag tags terms
    text title token true updated used user users username views yes
    """.split()
)
# Cells (listings, inspect views) hold data, not labels: only a boolean or a raw
# status value shown as a word is a defect there.
ENGLISH_VALUES = frozenset(
    {"true", "false", "none", "expired", "expiring", "cancelled"}
)

# Elements whose text a person reads as the screen's words, not its data.
LABEL_SELECTOR = ", ".join(
    [
        "label",
        "legend",
        "th",
        "button",
        "option",
        "summary",
        "h1",
        "h2",
        "h3",
        "dt",
        "a.button",
        ".help",
        ".w-field__help",
        ".w-help-text",
        ".w-slim-header",
        ".w-header__title",
    ]
)
VALUE_SELECTOR = "td, dd"
# Wagtail's own screens, English in Wagtail 8.0 whatever the language: its sites
# listing declares ``Column("site_name")`` without a label, and its aging pages report
# prints ``None`` for a page published by no one (the demo loader publishes so).
WAGTAIL_GAPS = {
    ("/admin/sites/", "Site name"),
    ("/admin/reports/aging-pages/", "None"),
}
# A name quoted in a label (« Subscription ID », a column of Autodesk's export) is
# meant as is.
QUOTED = re.compile(r"«[^»]*»|“[^”]*”")


@dataclass(frozen=True)
class Finding:
    url: str
    element: str
    text: str

    def __str__(self) -> str:
        return f"{self.url}: <{self.element}> « {self.text} »"


def english_words(text: str) -> set[str]:
    text = QUOTED.sub("", text)
    return {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS}


def block_labels(soup: BeautifulSoup) -> set[str]:
    """The labels of the StreamField blocks a page's editor offers (Wagtail packs
    their definitions as JSON for its block widgets)."""
    labels = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("label"), str):
                labels.add(node["label"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for element in soup.select("[data-w-block-data-value]"):
        walk(json.loads(element["data-w-block-data-value"]))
    return labels


def untranslated(url: str, html: str) -> list[Finding]:
    """The English label-like texts of one rendered admin page."""
    soup = BeautifulSoup(html, "html.parser")
    path = url.split("?")[0]
    found = [
        Finding(url, "bloc", label)
        for label in block_labels(soup)
        if label and (english_words(label) or not label[:1].isupper())
    ]
    for hidden in soup.select(
        "script, style, template, noscript, [hidden], .w-sr-only, .visuallyhidden"
    ):
        hidden.decompose()
    for element in soup.select(LABEL_SELECTOR):
        text = " ".join(element.get_text(" ", strip=True).split())
        if text and english_words(text):
            found.append(Finding(url, element.name, text[:120]))
    for element in soup.select(VALUE_SELECTOR):
        text = element.get_text(" ", strip=True)
        if text.lower() in ENGLISH_VALUES:
            found.append(Finding(url, element.name, text))
    return [f for f in found if (path, f.text) not in WAGTAIL_GAPS]


def page_urls(world) -> list[str]:
    """Add, edit and history of every project page type, on demo-like pages."""
    index = kb.knowledge_index()
    article = kb.article("Erreur -15.570.0 après migration du serveur")
    download_index, download = world["download_index"], world["download_page"]
    urls = []
    for parent, page in ((index.get_parent(), index), (index, article)):
        meta = page.specific._meta
        urls.append(
            reverse(
                "wagtailadmin_pages:add",
                args=[meta.app_label, meta.model_name, parent.pk],
            )
        )
    urls.append(
        reverse(
            "wagtailadmin_pages:add",
            args=["downloads", "downloadpage", download_index.pk],
        )
    )
    for page in (index, article, download_index, download):
        urls += [
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            reverse("wagtailadmin_pages:history", args=[page.pk]),
            reverse("wagtailadmin_explore", args=[page.pk]),
        ]
    return urls


def crawl_urls(role, user, world) -> list[str]:
    urls = list(menu_items(user))
    for row in ADMIN_URLS:
        if role == SUPERUSER or role in row.opens_for:
            urls.append(row.url(world))
            if row.query == "export=csv":
                urls.append(row.url(world).replace("export=csv", "export=xlsx"))
    return list(dict.fromkeys(urls + page_urls(world)))


def open_page(client: Client, url: str):
    response = client.get(url)
    if response.status_code == 302 and response.url.startswith("/admin/"):
        response = client.get(response.url)
    return response


@pytest.mark.parametrize("role", [SUPERUSER, SUPPORT, EDITOR])
def test_every_admin_page_opens_and_speaks_french(world, people, role):
    client = client_for(people[role])
    errors, findings = [], []
    for url in crawl_urls(role, people[role], world):
        response = open_page(client, url)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
            continue
        if "text/html" in response.get("Content-Type", ""):
            findings += untranslated(url, response.content.decode())

    assert errors == []
    assert not findings, "\n".join(map(str, findings))


def test_exports_open_in_both_formats(world, people):
    """The XLSX export answers a workbook, the CSV French column heads."""
    client = client_for(people[SUPERUSER])
    url = reverse("catalog_subscriptions:index")

    csv = client.get(f"{url}?export=csv")
    xlsx = client.get(f"{url}?export=xlsx")

    assert csv.status_code == 200 and xlsx.status_code == 200
    head = b"".join(csv.streaming_content).decode().splitlines()[0]
    assert not english_words(head), head
    assert xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


def test_sign_in_page_is_french(db):
    response = Client().get(reverse("wagtailadmin_login"))

    assert response.status_code == 200
    assert untranslated("login", response.content.decode()) == []
    assert "Mot de passe" in response.content.decode()


def test_import_page_has_the_admin_header(world, people):
    response = client_for(people[SUPPORT]).get(reverse("catalog_import:index"))
    soup = BeautifulSoup(response.content, "html.parser")

    header = soup.select_one("header.w-slim-header, header.w-header")
    assert header is not None
    assert "Importer un export Autodesk Account" in header.get_text(" ")


def test_article_editor_offers_its_blocks_in_french(world, people):
    """The block menu and the fields inside blocks: capitalised as Wagtail's own
    French labels are, none left to Wagtail's English default (« Language »)."""
    index = kb.knowledge_index()
    url = reverse("wagtailadmin_pages:add", args=["knowledge", "articlepage", index.pk])
    response = client_for(people[EDITOR]).get(url)

    labels = block_labels(BeautifulSoup(response.content, "html.parser"))

    assert {"Code", "Langage", "Titre", "Type", "Texte", "Étapes numérotées"} <= labels
    assert not {"Language", "Kind", "Text", "code", "titre"} & labels


def declared_fields(model):
    """The fields a project model declares itself (not those of Wagtail's Page,
    Orderable or taggit's bases)."""
    inherited = {
        field.name
        for base in model.__mro__[1:]
        if hasattr(base, "_meta") and base.__module__.split(".")[0] not in PACKAGES
        for field in base._meta.get_fields()
    }
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and field.name not in inherited
    ]


PACKAGES = {"accounts", "catalog", "downloads", "knowledge", "search"}
# French words that are their field's name.
SAME_IN_FRENCH = {
    "action",
    "article",
    "audience",
    "code",
    "description",
    "page",
    "photo",
    "slug",
    "version",
    "versions",
}


def test_every_project_field_and_model_has_a_french_name():
    """What the admin shows for a field or model without a verbose_name is its
    Python name in English (« Created at »): every one is named."""
    unnamed = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in PACKAGES:
            continue
        default_name = re.sub(r"(?<!^)(?=[A-Z])", " ", model.__name__).lower()
        if str(model._meta.verbose_name) == default_name and " " in default_name:
            unnamed.append(model._meta.label)
        unnamed += [
            f"{model._meta.label}.{field.name}"
            for field in declared_fields(model)
            if str(field.verbose_name) == field.name.replace("_", " ")
            and field.name not in SAME_IN_FRENCH
        ]
    assert unnamed == [], unnamed
