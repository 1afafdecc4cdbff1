"""Article queries: output, filters, ordering, pagination, feedback, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from knowledge.models import ArticleDailyViews, ArticleFeedback, Audience, Author
from tests.knowledge import factories as kb

LISTING = """query($n: Int, $p: Int, $order: String) {
  articles(perPage: $n, page: $p, order: $order) {
    total page perPage pages
    items {
      id title slug url summary audience publishedAt lastReviewedAt readingTimeMinutes
      category { name slug }
      tags { name }
      products { code name }
      versions { version product { code } }
      authors { displayName }
      relatedArticles { id title }
      helpfulCount notHelpfulCount viewCount linkedTicketCount
    }
  }
}"""


def make_rich_article(n, **kwargs):
    page = kb.article(
        f"Article riche {n}",
        products=[kb.product("revit"), kb.product("autocad")],
        tags=["licence", "flexnet"],
        **kwargs,
    )
    author, _ = Author.objects.get_or_create(display_name="Julien Lefèvre")
    page.authors.add(author)
    page.save()
    return page


def count_queries(gql, query, variables, user):
    with CaptureQueriesContext(connection) as ctx:
        result = gql(query, variables, user=user)
    assert result.errors is None, result.errors
    return len(ctx.captured_queries), result


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_listing_20_or_100_articles_costs_the_same_queries(gql, db, staff, who):
    user = staff if who == "staff" else None
    first = [make_rich_article(n) for n in range(20)]
    for page in first[1:4]:
        page.related_links.create(article=first[0])
    count_queries(gql, LISTING, {"n": 20}, user)  # warm the site-root cache
    few, result = count_queries(gql, LISTING, {"n": 20}, user)
    assert len(result.data["articles"]["items"]) == 20
    for n in range(20, 100):
        make_rich_article(n)
    many, result = count_queries(gql, LISTING, {"n": 100}, user)
    assert len(result.data["articles"]["items"]) == 100
    assert few == many


def test_a_client_listing_builds_the_audience_rule_once(gql, db, member_a):
    # The listing and its related links' check share one rule per request: the
    # view restrictions Wagtail reads to build it are read once, and asking for
    # related articles costs their one query, no more.
    first = [make_rich_article(n, audience=Audience.CLIENTS) for n in range(5)]
    for page in first[1:4]:
        page.related_links.create(article=first[0])
        page.save()
    count_queries(gql, LISTING, {"n": 5}, member_a)  # warm the site-root cache
    without_related = LISTING.replace("relatedArticles { id title }", "")
    base, _ = count_queries(gql, without_related, {"n": 5}, member_a)
    with CaptureQueriesContext(connection) as ctx:
        result = gql(LISTING, {"n": 5}, user=member_a)
    assert len(result.data["articles"]["items"]) == 5
    related = [item["relatedArticles"] for item in result.data["articles"]["items"]]
    assert related.count([{"id": str(first[0].pk), "title": first[0].title}]) == 3
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert sum("wagtailcore_pageviewrestriction" in sql for sql in sqls) == 1, sqls
    assert len(sqls) == base + 1, "\n".join(sql[:90] for sql in sqls)


def test_listing_reads_neither_body_nor_photos_unless_asked(gql, db):
    for n in range(3):
        make_rich_article(n)
    photo = get_image_model()(title="Julien", file=get_test_image_file("j.png"))
    photo.save()
    Author.objects.update(photo=photo)
    count_queries(gql, LISTING, {"n": 3}, None)  # warm the site-root cache

    def sqls(query):
        with CaptureQueriesContext(connection) as ctx:
            result = gql(query, {"n": 3})
        assert result.errors is None, result.errors
        return [q["sql"] for q in ctx.captured_queries], result.data

    page_sql = lambda queries: next(  # noqa: E731
        sql for sql in queries if 'FROM "knowledge_articlepage"' in sql
    )
    queries, _ = sqls(LISTING)
    assert '"body"' not in page_sql(queries)
    assert '"body_text"' not in page_sql(queries)
    assert not any("wagtailimages_image" in sql for sql in queries)

    with_photo = LISTING.replace("displayName", "displayName photo { id }")
    queries, data = sqls(with_photo.replace("summary", "summary body { id }"))
    assert '"knowledge_articlepage"."body"' in page_sql(queries)
    assert data["articles"]["items"][0]["body"]
    assert sum("wagtailimages_image" in sql for sql in queries) == 1
    assert data["articles"]["items"][0]["authors"][0]["photo"]


def test_listing_counts_tags_only_when_their_count_is_asked(gql, db):
    # A listing's tags need their names: counting every readable article under
    # each tag (a second count of the whole readable set) is for `articleCount`.
    for n in range(3):
        make_rich_article(n)
    count_queries(gql, LISTING, {"n": 3}, None)  # warm the site-root cache
    names, _ = count_queries(gql, LISTING, {"n": 3}, None)
    with_counts = LISTING.replace("tags { name }", "tags { name articleCount }")
    counted, result = count_queries(gql, with_counts, {"n": 3}, None)
    assert counted == names + 1
    tags = result.data["articles"]["items"][0]["tags"]
    assert {t["name"]: t["articleCount"] for t in tags} == {
        "licence": 3,
        "flexnet": 3,
    }


FRAGMENTS = """query($n: Int) {
  articles(perPage: $n) {
    items { id ...Names ... on ArticlePage { authors { displayName } } }
  }
}
fragment Names on ArticlePage { tags { name } products { code } }"""


def test_listing_fetches_only_the_relations_a_query_asks_for(gql, db):
    for n in range(3):
        make_rich_article(n)
    count_queries(gql, LISTING, {"n": 3}, None)  # warm the site-root cache
    everything, _ = count_queries(gql, LISTING, {"n": 3}, None)
    bare, _ = count_queries(gql, "{ articles { items { id title } } }", {}, None)
    assert bare < everything
    # Relations asked through fragments are fetched too, never one query per row.
    few, result = count_queries(gql, FRAGMENTS, {"n": 3}, None)
    item = result.data["articles"]["items"][0]
    assert {t["name"] for t in item["tags"]} == {"licence", "flexnet"}
    assert item["authors"] == [{"displayName": "Julien Lefèvre"}]
    for n in range(3, 12):
        make_rich_article(n)
    many, _ = count_queries(gql, FRAGMENTS, {"n": 12}, None)
    assert few == many


def test_long_body_costs_the_same_queries_as_a_short_one(gql, db):
    short = kb.article("Court")
    long_body = kb.BODY * 60
    long = kb.article("Long", body=long_body)
    query = "query($s: String) { article(slug: $s) { title body { blockType } } }"
    for page in (short, long):  # warm the site-root cache and today's view rows
        count_queries(gql, query, {"s": page.slug}, None)
    short_count, _ = count_queries(gql, query, {"s": short.slug}, None)
    long_count, result = count_queries(gql, query, {"s": long.slug}, None)
    assert len(result.data["article"]["body"]) == len(long_body)
    assert short_count == long_count


def test_streamfield_blocks_are_typed_and_rich_text_is_html(gql, db):
    page = kb.article("Blocs")
    query = """query($s: String) { article(slug: $s) { body {
      blockType
      ... on HeadingBlock { text level }
      ... on RichTextBlock { value }
      ... on CodeBlock { language code }
      ... on CalloutBlock { kind title calloutText: text }
    } } }"""
    body = gql(query, {"s": page.slug}).data["article"]["body"]
    assert body[0] == {"blockType": "HeadingBlock", "text": "Symptôme", "level": "h2"}
    assert body[1]["blockType"] == "RichTextBlock"
    assert "<b>-15.570.0</b>" in body[1]["value"]
    assert body[2] == {
        "blockType": "CodeBlock",
        "language": "batch",
        "code": "lmutil lmstat -a",
    }
    assert (
        body[3]["kind"] == "warning" and "<p>Sauvegardez.</p>" in body[3]["calloutText"]
    )


def test_filters_order_and_pagination(gql, db):
    revit = kb.product("revit")
    installation = kb.category("installation", parent=kb.category("autocad"))
    kb.article("Alpha", products=[revit], tags=["reseau"])
    kb.article("Bravo", cat=installation)
    kb.article("Charlie", products=[revit])
    query = """query($c: String, $t: String, $p: String, $o: String,
                     $n: Int, $pg: Int) {
      articles(category: $c, tag: $t, product: $p, order: $o, perPage: $n, page: $pg) {
        total pages items { title } } }"""

    def titles(**v):
        return [i["title"] for i in gql(query, v).data["articles"]["items"]]

    assert titles(p="revit", o="title") == ["Alpha", "Charlie"]
    assert titles(t="reseau") == ["Alpha"]
    # kb.article() files articles under "autocad" by default: the parent includes all
    assert titles(c="autocad", o="title") == ["Alpha", "Bravo", "Charlie"]
    assert titles(c="installation") == ["Bravo"]
    page2 = gql(query, {"o": "title", "n": 2, "pg": 2}).data["articles"]
    assert page2 == {"total": 3, "pages": 2, "items": [{"title": "Charlie"}]}


def test_order_outside_the_allowlist_is_refused(gql, db):
    result = gql('{ articles(order: "password") { total } }')
    assert "Tri « password » inconnu" in result.error_messages[0]


def test_per_page_above_the_cap_is_refused(gql, db):
    for size in (500, 0):
        result = gql(f"{{ articles(perPage: {size}) {{ total }} }}")
        assert result.status == 400
        assert result.errors[0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "perPage",
        }
        assert "entre 1 et 100" in result.error_messages[0]


def test_staff_counts_are_null_for_clients(gql, db, member_a, staff, company_a):
    from search.models import TicketArticleLink

    page = kb.article("Compté")
    for ref in ("T-1", "T-2"):
        TicketArticleLink.objects.create(
            ticket_ref=ref, article=page, company=company_a
        )
    ArticleFeedback.objects.create(article=page, user=member_a, helpful=True)
    ArticleDailyViews.objects.create(article=page, day="2026-11-01", count=7)
    query = """query($s: String) {
      article(slug: $s) { helpfulCount viewCount linkedTicketCount }
      articles { items { linkedTicketCount } } }"""
    as_client = gql(query, {"s": page.slug}, user=member_a).data
    assert as_client["article"] == {
        "helpfulCount": None,
        "viewCount": None,
        "linkedTicketCount": None,
    }
    assert as_client["articles"]["items"] == [{"linkedTicketCount": None}]
    as_staff = gql(query, {"s": page.slug}, user=staff).data
    assert as_staff["articles"]["items"] == [{"linkedTicketCount": 2}]
    staff_view = as_staff["article"]
    assert staff_view["linkedTicketCount"] == 2
    assert staff_view["helpfulCount"] == 1
    assert staff_view["viewCount"] >= 8  # 7 + the staff's own read


RATE = """mutation($id: ID!, $h: Boolean!, $r: FeedbackReason, $c: String) {
  rateArticle(articleId: $id, helpful: $h, reason: $r, comment: $c) { ok } }"""


def test_one_vote_per_person_a_new_vote_replaces_the_old(gql, db, member_a):
    page = kb.article("Noté")
    assert gql(RATE, {"id": page.pk, "h": True}, user=member_a).data == {
        "rateArticle": {"ok": True}
    }
    gql(
        RATE, {"id": page.pk, "h": False, "r": "INACCURATE", "c": "Faux"}, user=member_a
    )
    vote = ArticleFeedback.objects.get()
    assert (vote.helpful, vote.reason, vote.comment) == (False, "inaccurate", "Faux")


def test_feedback_rules(gql, db, member_a, member_b, company_a):
    page = kb.article("Restreint", audience=Audience.COMPANIES, companies=[company_a])
    anonymous = gql(RATE, {"id": page.pk, "h": True})
    assert anonymous.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    other = gql(RATE, {"id": page.pk, "h": True}, user=member_b)
    assert other.error_messages == ["Article introuvable."]
    long = gql(RATE, {"id": page.pk, "h": False, "c": "x" * 1001}, user=member_a)
    assert "1000 au plus" in long.error_messages[0]
    bad = gql(RATE, {"id": page.pk, "h": False, "r": "RUDE"}, user=member_a)
    assert bad.status == 400
    assert ArticleFeedback.objects.count() == 0


def test_views_are_aggregated_per_day(gql, db):
    page = kb.article("Lu")
    for _ in range(3):
        gql("query($s: String) { article(slug: $s) { id } }", {"s": page.slug})
    assert list(ArticleDailyViews.objects.values_list("count", flat=True)) == [3]
