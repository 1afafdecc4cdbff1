"""The public Atom feeds list public, published articles only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from knowledge.models import Audience
from tests.knowledge import factories as kb

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url: str) -> dict[str, ET.Element]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return {e.findtext(f"{ATOM}title"): e for e in feed.iter(f"{ATOM}entry")}


@pytest.fixture
def articles(company_a):
    licences = kb.category("licences")
    serveur = kb.category("licences-serveur", parent=licences)
    revit = kb.category("revit")
    return {
        "public": kb.article("Public licence", cat=serveur, tags=["flexnet"]),
        "public_revit": kb.article("Public Revit", cat=revit, tags=["bim"]),
        "clients": kb.article(
            "Clients", cat=serveur, tags=["flexnet"], audience=Audience.CLIENTS
        ),
        "companies": kb.article(
            "Companies",
            cat=serveur,
            tags=["flexnet"],
            audience=Audience.COMPANIES,
            companies=[company_a],
        ),
        "owners": kb.article(
            "Owners",
            cat=serveur,
            tags=["flexnet"],
            audience=Audience.PRODUCT_OWNERS,
            companies=[company_a],
        ),
        "internal": kb.article(
            "Internal", cat=serveur, tags=["flexnet"], audience=Audience.INTERNAL
        ),
        "draft": kb.article("Draft", cat=serveur, tags=["flexnet"], publish=False),
        "expired": kb.expired_article(title="Expired", cat=serveur, tags=["flexnet"]),
        "scheduled": kb.scheduled_article(
            title="Scheduled", cat=serveur, tags=["flexnet"]
        ),
    }


def test_feed_lists_only_public_published_articles(client, articles, settings):
    settings.PORTAL_URL = "https://support.aplicit.example"
    found = entries(client, "/feeds/articles/")

    assert set(found) == {"Public licence", "Public Revit"}
    entry = found["Public licence"]
    slug = articles["public"].slug
    assert entry.find(f"{ATOM}link").get("href") == (
        f"https://support.aplicit.example/base-de-connaissances/{slug}"
    )
    assert entry.findtext(f"{ATOM}summary") == articles["public"].summary
    terms = {c.get("term") for c in entry.iter(f"{ATOM}category")}
    assert {"Licences-Serveur", "flexnet"} <= terms


def test_feed_entry_names_the_authors(client, db):
    from knowledge.models import Author

    page = kb.article("Signed")
    page.authors.set(
        [
            Author.objects.create(display_name="Julien Lefèvre"),
            Author.objects.create(display_name="Nadia Benali"),
        ]
    )
    page.save_revision().publish()

    entry = entries(client, "/feeds/articles/")["Signed"]

    author = entry.find(f"{ATOM}author").findtext(f"{ATOM}name")
    assert "Julien Lefèvre" in author and "Nadia Benali" in author


def test_category_feed_includes_sub_categories_and_public_only(client, articles):
    assert set(entries(client, "/feeds/articles/category/licences/")) == {
        "Public licence"
    }
    assert set(entries(client, "/feeds/articles/category/revit/")) == {"Public Revit"}


def test_tag_feed_lists_public_articles_with_the_tag(client, articles):
    assert set(entries(client, "/feeds/articles/tag/flexnet/")) == {"Public licence"}
    assert set(entries(client, "/feeds/articles/tag/bim/")) == {"Public Revit"}


def test_unknown_category_or_tag_is_not_found(client, articles):
    assert client.get("/feeds/articles/category/nope/").status_code == 404
    assert client.get("/feeds/articles/tag/nope/").status_code == 404


def test_feed_keeps_the_30_latest(client, db):
    for n in range(32):
        kb.article(f"Article n°{n}")

    found = entries(client, "/feeds/articles/")

    assert len(found) == 30
    assert "Article n°31" in found and "Article n°0" not in found


def test_tag_only_on_restricted_articles_answers_like_an_unknown_tag(client, company_a):
    kb.article("Secret", tags=["canary-tag"], audience=Audience.INTERNAL)
    kb.article("Brouillon", tags=["draft-tag"], publish=False)
    for slug in ("canary-tag", "draft-tag"):
        response = client.get(f"/feeds/articles/tag/{slug}/")
        assert response.status_code == 404
        assert response.content == client.get("/feeds/articles/tag/nope/").content
