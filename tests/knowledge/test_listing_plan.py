"""The article listing costs one page of work at any size (100,000 articles: tens of
ms, not a second). SQLite keeps no statistics, so its plan is the same on a handful
of rows as on a large base: checked here with EXPLAIN QUERY PLAN."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.access import Caller
from knowledge import selectors
from knowledge.models import Audience
from tests.knowledge import factories as kb

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner, without statistics"
)


def plan_of(run) -> str:
    """The query plan of the one query ``run`` makes."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    (query,) = [q for q in ctx.captured_queries if "knowledge_articlepage" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        return "\n".join(row[-1] for row in cursor.fetchall())


@pytest.mark.parametrize("who", ["anonymous", "member_a", "staff"])
def test_listing_walks_publication_dates_and_counts_from_the_audience_index(
    db, request, company_a, who
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    cat = kb.category("licences")
    for audience in Audience.values:
        kb.article(f"Article {audience}", audience=audience, cat=cat)
    articles = selectors.article_list_for(caller=Caller.of_user(user))

    page = plan_of(lambda: list(articles.prefetch_related(None)[:20]))
    # The newest articles first, straight from the index: no sort of every article
    # the caller may read (a "RIGHT PART" sort only orders equal dates by id).
    assert "USING INDEX wagtailcore_page_first_published_at" in page, page
    assert "USE TEMP B-TREE FOR ORDER BY" not in page, page

    count = plan_of(articles.count)
    # The total reads the narrow audience index, not the articles' wide rows.
    assert "COVERING INDEX knowledge_article_audience_idx" in count, count


@pytest.mark.parametrize("who", ["anonymous", "member_a"])
def test_the_total_reads_the_audience_index_per_audience_class(
    db, request, company_a, who
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    cat = kb.category("licences")
    for audience in Audience.values:
        kb.article(f"Article {audience}", audience=audience, cat=cat)
    caller = Caller.of_user(user)
    count = plan_of(lambda: selectors.article_count_for(caller=caller))
    # Each audience class from the narrow index; no walk over every page.
    assert "COVERING INDEX knowledge_article_audience_idx" in count, count
    assert "SCAN wagtailcore_page" not in count, count
