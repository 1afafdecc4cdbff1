"""A page's URL on this server redirects to the portal, the same for every page."""

from __future__ import annotations

import pytest
from django.test import Client

from knowledge.models import Audience
from tests.knowledge import factories as kb


@pytest.fixture
def pages(db, settings):
    settings.PORTAL_URL = "https://portail.example/"
    return {
        "public": kb.article("Page publique"),
        "internal": kb.article("Page interne", audience=Audience.INTERNAL),
        "draft": kb.article("Page brouillon", publish=False),
        "expired": kb.expired_article(title="Page expirée"),
    }


def test_every_page_url_answers_the_same_redirect_to_the_portal(pages):
    client = Client()
    paths = [page.url_path.split("/", 2)[-1] for page in pages.values()]
    paths.append("base-de-connaissances/aucune-page-de-ce-nom/")
    for path in paths:
        response = client.get(f"/{path}")
        assert response.status_code == 302, path
        assert response["Location"] == f"https://portail.example/{path}"
        assert response.content == b""


def test_page_urls_in_the_api_still_resolve(pages, gql):
    slug = pages["public"].slug
    result = gql(f'{{ article(slug: "{slug}") {{ url }} }}')
    assert result.errors is None  # Wagtail still reverses "wagtail_serve"


def test_page_urls_refuse_writes(pages):
    response = Client().post("/base-de-connaissances/")
    assert response.status_code == 405
