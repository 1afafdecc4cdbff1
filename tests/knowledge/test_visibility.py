"""The visibility matrix: callers × articles × every read path.

Each article carries a unique word in its title so that counts, listings and searches
can be checked per article.
"""

from __future__ import annotations

import pytest

from knowledge.models import ArticlePageRelatedLink, Audience
from tests.knowledge import factories as kb

ARTICLES = [
    "public",
    "clients",
    "companies_a",
    "product_owners_a",
    "internal",
    "draft",
    "scheduled",
    "expired",
]

# Who reads what. product_owners_a names company A explicitly (holders are tested with
# the catalogue in test_product_owners.py).
READABLE = {
    "anonymous": {"public"},
    "member_a": {"public", "clients", "companies_a", "product_owners_a"},
    "member_b": {"public", "clients"},
    "staff": {"public", "clients", "companies_a", "product_owners_a", "internal"},
}


@pytest.fixture
def world(company_a, company_b, member_a, member_b, staff):
    cat = kb.category("licences")
    make = {
        "public": lambda: kb.article("Zorglub public", cat=cat, tags=["lic"]),
        "clients": lambda: kb.article(
            "Zorglub clients", audience=Audience.CLIENTS, cat=cat, tags=["lic"]
        ),
        "companies_a": lambda: kb.article(
            "Zorglub companies",
            audience=Audience.COMPANIES,
            companies=[company_a],
            cat=cat,
            tags=["lic"],
        ),
        "product_owners_a": lambda: kb.article(
            "Zorglub owners",
            audience=Audience.PRODUCT_OWNERS,
            companies=[company_a],
            products=[kb.product("vault")],
            cat=cat,
            tags=["lic"],
        ),
        "internal": lambda: kb.article(
            "Zorglub internal", audience=Audience.INTERNAL, cat=cat, tags=["lic"]
        ),
        "draft": lambda: kb.article(
            "Zorglub draft", publish=False, cat=cat, tags=["lic"]
        ),
        "scheduled": lambda: kb.scheduled_article(
            title="Zorglub scheduled", cat=cat, tags=["lic"]
        ),
        "expired": lambda: kb.expired_article(
            title="Zorglub expired", cat=cat, tags=["lic"]
        ),
    }
    articles = {name: make[name]() for name in ARTICLES}
    # The public article links to every other one: relations must filter too.
    for position, name in enumerate(ARTICLES[1:]):
        ArticlePageRelatedLink.objects.create(
            page=articles["public"], article=articles[name], sort_order=position
        )
    callers = {
        "anonymous": None,
        "member_a": member_a,
        "member_b": member_b,
        "staff": staff,
    }
    return articles, callers


def ids_of(articles, names):
    return {str(articles[n].pk) for n in names}


CALLERS = list(READABLE)


@pytest.mark.parametrize("caller", CALLERS)
def test_articles_listing_and_total(gql, world, caller):
    articles, callers = world
    result = gql(
        "{ articles(perPage: 100) { total items { id } } }", user=callers[caller]
    )
    listing = result.data["articles"]
    assert {i["id"] for i in listing["items"]} == ids_of(articles, READABLE[caller])
    assert listing["total"] == len(READABLE[caller])


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", ARTICLES)
def test_article_detail_by_slug_and_id(gql, world, caller, name):
    articles, callers = world
    page = articles[name]
    query = "query($s: String, $i: ID) { article(slug: $s, id: $i) { id title } }"
    by_slug = gql(query, {"s": page.slug}, user=callers[caller])
    by_id = gql(query, {"i": str(page.pk)}, user=callers[caller])
    expected = {"id": str(page.pk), "title": page.title}
    if name in READABLE[caller]:
        assert by_slug.data["article"] == by_id.data["article"] == expected
    else:  # not found and not allowed look the same
        assert by_slug.data == by_id.data == {"article": None}
        assert by_slug.errors is None


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("name", ARTICLES)
def test_grapple_page_query(gql, world, caller, name):
    articles, callers = world
    page = articles[name]
    for args in (f"id: {page.pk}", f'slug: "{page.slug}"'):
        result = gql(f"{{ page({args}) {{ id title }} }}", user=callers[caller])
        found = result.data["page"]
        assert (found is not None) == (name in READABLE[caller]), args


@pytest.mark.parametrize("caller", CALLERS)
def test_grapple_pages_children_descendants_siblings(gql, world, caller):
    articles, callers = world
    index = kb.knowledge_index()
    public = articles["public"]
    query = f"""{{
      pages(limit: 100) {{ id }}
      typed: pages(contentType: "knowledge.ArticlePage", limit: 100) {{ id }}
      index: page(id: {index.pk}) {{
        children(limit: 100) {{ id }} descendants(limit: 100) {{ id }}
      }}
      article: page(id: {public.pk}) {{
        siblings(limit: 100) {{ id }} parent {{ id }} ancestors {{ id }}
        nextSiblings {{ id }} previousSiblings {{ id }}
      }}
    }}"""
    data = gql(query, user=callers[caller]).data
    readable = ids_of(articles, READABLE[caller])
    all_articles = ids_of(articles, ARTICLES)
    assert {p["id"] for p in data["pages"]} & all_articles == readable
    assert {p["id"] for p in data["typed"]} == readable
    assert {p["id"] for p in data["index"]["children"]} == readable
    assert {p["id"] for p in data["index"]["descendants"]} == readable
    siblings = {p["id"] for p in data["article"]["siblings"]}
    assert siblings == readable - {str(public.pk)}
    neighbours = data["article"]["nextSiblings"] + data["article"]["previousSiblings"]
    assert {p["id"] for p in neighbours} <= readable
    assert data["article"]["parent"] == {"id": str(index.pk)}


@pytest.mark.parametrize("caller", CALLERS)
def test_related_articles(gql, world, caller):
    articles, callers = world
    result = gql(
        '{ article(slug: "SLUG") { relatedArticles { id } } }'.replace(
            "SLUG", articles["public"].slug
        ),
        user=callers[caller],
    )
    related = {a["id"] for a in result.data["article"]["relatedArticles"]}
    assert related == ids_of(articles, READABLE[caller] - {"public"})


@pytest.mark.parametrize("caller", CALLERS)
def test_grapple_search(gql, world, caller):
    articles, callers = world
    result = gql(
        '{ search(query: "Zorglub") { ... on ArticlePage { id } } }',
        user=callers[caller],
    )
    found = {hit["id"] for hit in result.data["search"] if hit}
    assert found == ids_of(articles, READABLE[caller])


@pytest.mark.parametrize("caller", CALLERS)
def test_category_and_tag_counts(gql, world, caller):
    _, callers = world
    data = gql(
        "{ categories { slug articleCount } tags { slug articleCount } }",
        user=callers[caller],
    ).data
    counts = {c["slug"]: c["articleCount"] for c in data["categories"]}
    assert counts["licences"] == len(READABLE[caller])
    tags = {t["slug"]: t["articleCount"] for t in data["tags"]}
    assert tags.get("lic", 0) == len(READABLE[caller])


def test_other_company_cannot_guess_a_restricted_article(gql, world):
    articles, callers = world
    restricted = articles["companies_a"]
    member_b = callers["member_b"]
    queries = [
        f"{{ article(id: {restricted.pk}) {{ id }} }}",
        f'{{ article(slug: "{restricted.slug}") {{ id }} }}',
        f"{{ page(id: {restricted.pk}) {{ id }} }}",
        f'{{ page(urlPath: "{restricted.url_path}") {{ id }} }}',
        f"{{ pages(ancestor: {restricted.pk}) {{ id }} }}",
    ]
    for query in queries:
        result = gql(query, user=member_b)
        assert str(restricted.pk) not in str(result.data), query


def test_preview_tokens_are_refused_to_clients(gql, world):
    _, callers = world
    result = gql('{ page(token: "anything") { id } }', user=callers["member_a"])
    assert result.data == {"page": None}


def test_snippets_query_lists_only_public_snippets(gql, world):
    result = gql("{ snippets { snippetType } }")
    types = {s["snippetType"] for s in result.data["snippets"]}
    assert types <= {"Category", "Author", "Product"}
