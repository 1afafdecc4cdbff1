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


GRAPPLE_ROOTS = [
    "{ page(id: 1) { id } }",
    "{ pages { id } }",
    '{ search(query: "Zorglub") { __typename } }',
    "{ snippets { snippetType } }",
    "{ sites { pages { id } } }",
    "{ site(id: 1) { page(id: 1) { id } } }",
    "{ redirects { page { id } } }",
    "{ images { id } }",
    "{ documents { id } }",
    "{ collections { id } }",
]


@pytest.mark.parametrize("query", GRAPPLE_ROOTS)
def test_grapple_generic_root_queries_are_not_served(gql, world, query):
    """grapple's own roots read pages, media and redirects around the read rule:
    the schema is an allowlist without them (cms/api/schema.py)."""
    _, callers = world
    result = gql(query, user=callers["staff"])
    assert result.data is None
    assert result.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field" in result.errors[0]["extensions"]["detail"]


@pytest.mark.parametrize(
    "field",
    [
        "parent { id }",
        "children { id }",
        "siblings { id }",
        "descendants { id }",
        "ancestors { id }",
        "draftTitle",
        "hasUnpublishedChanges",
        "latestRevisionCreatedAt",
        "goLiveAt",
        "aliases { id }",
        "sitesRootedHere { rootPage { id } }",
        "articlepage { id }",
        "locked",
        "path",
    ],
)
def test_pages_serve_no_tree_and_no_editor_state(gql, world, field):
    articles, callers = world
    slug = articles["public"].slug
    result = gql(f'{{ article(slug: "{slug}") {{ {field} }} }}', user=callers["staff"])
    assert result.data is None
    assert result.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Cannot query field" in result.errors[0]["extensions"]["detail"]


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


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("filters", ['tag: "lic"', 'product: "vault"', ""])
def test_a_filtered_total_counts_the_listed_articles(gql, world, caller, filters):
    # The total is counted per audience class (knowledge.selectors.
    # article_count_for): the same articles as the listing, filtered or not.
    _, callers = world
    listing = gql(
        f"{{ articles(perPage: 100, {filters}) {{ total items {{ id }} }} }}"
        if filters
        else "{ articles(perPage: 100) { total items { id } } }",
        user=callers[caller],
    ).data["articles"]
    assert listing["total"] == len(listing["items"])


@pytest.mark.parametrize("caller", CALLERS)
def test_an_articles_tags_are_counted_for_the_caller(gql, world, caller):
    # An article's tag counts what this caller may read, as `tags` does.
    _, callers = world
    data = gql(
        "{ articles { items { tags { slug articleCount } } } }",
        user=callers[caller],
    ).data
    counts = {t["articleCount"] for i in data["articles"]["items"] for t in i["tags"]}
    assert counts == {len(READABLE[caller])}


def test_other_company_cannot_guess_a_restricted_article(gql, world):
    articles, callers = world
    restricted = articles["companies_a"]
    member_b = callers["member_b"]
    queries = [
        f"{{ article(id: {restricted.pk}) {{ id }} }}",
        f'{{ article(slug: "{restricted.slug}") {{ id }} }}',
    ]
    for query in queries:
        result = gql(query, user=member_b)
        assert str(restricted.pk) not in str(result.data), query


def test_rich_text_links_to_unreadable_pages_lose_their_address(gql, world):
    articles, callers = world
    internal = articles["internal"]
    body = [
        {
            "type": "paragraph",
            "value": f'<p>Voir <a linktype="page" id="{internal.pk}">la note</a>.</p>',
        }
    ]
    page = kb.article("Zorglub liens", body=body)
    query = '{ article(slug: "S") { body { ... on RichTextBlock { value } } } }'
    query = query.replace("S", page.slug)
    for caller, sees in (("member_a", False), ("anonymous", False), ("staff", True)):
        html = gql(query, user=callers[caller]).data["article"]["body"][0]["value"]
        assert ("href=" in html) == sees, caller  # (no site in tests: href="None")
        assert "la note" in html


@pytest.mark.parametrize("caller", CALLERS)
def test_the_total_leaves_out_articles_behind_a_view_restriction(gql, world, caller):
    # Counted per audience class, less the unpublished (knowledge.selectors.
    # article_count_for): a restricted article is one of those, for everyone.
    from wagtail.models import PageViewRestriction

    articles, callers = world
    for name in ("public", "clients", "product_owners_a"):
        PageViewRestriction.objects.create(
            page=articles[name],
            restriction_type=PageViewRestriction.PASSWORD,
            password="x",
        )
    listing = gql(
        "{ articles(perPage: 100) { total items { id } } }", user=callers[caller]
    ).data["articles"]
    hidden = {"public", "clients", "product_owners_a"}
    assert listing["total"] == len(READABLE[caller] - hidden)
    assert listing["total"] == len(listing["items"])
