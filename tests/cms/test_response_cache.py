"""The API's kept answers (cms.api.response_cache): a second identical request is
answered from memory, never for another caller, and never after a change that
alters it — a publish, an unpublish, an audience change, a holdings change, an
expiry — in this process or another."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from catalog.models import Subscription
from cms.models import ContentGeneration
from knowledge.models import ArticleDailyViews, ArticlePage, Audience
from search.models import SearchQueryDaily
from tests.factories import UserFactory
from tests.knowledge.factories import article, product

LISTING = "{ articles(perPage: 50) { total items { id title } } }"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 60
    caches["api"].clear()
    yield
    caches["api"].clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes as a real request makes them: the generation moves on commit."""

    def run(change):
        # The test's transaction never commits: a move registered by the fixtures'
        # writes would never run, and the change would count on it.
        connection._content_generation_move = None
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def titles(result) -> set[str]:
    return {item["title"] for item in result.data["articles"]["items"]}


def kept(result) -> str | None:
    return result.response.get("X-Answer-Cache")


def test_a_second_identical_query_is_answered_from_memory(gql, committed):
    committed(lambda: article("Erreur de licence"))
    first, second = gql(LISTING), gql(LISTING)
    assert (kept(first), kept(second)) == ("miss", "hit")
    assert first.data == second.data
    assert "Erreur de licence" in titles(second)
    assert second.response["Content-Type"].startswith(
        "application/graphql-response+json"
    )


def test_callers_never_share_an_answer(gql, committed, company_a, member_a, member_b):
    committed(
        lambda: article(
            "Pour A seulement", audience=Audience.COMPANIES, companies=[company_a]
        )
    )
    committed(lambda: article("Interne", audience=Audience.INTERNAL))
    assert "Pour A seulement" in titles(gql(LISTING, user=member_a))
    assert kept(gql(LISTING, user=member_a)) == "hit"
    for other in (
        gql(LISTING, user=member_b),
        gql(LISTING),
        gql(LISTING, user=UserFactory(company=member_b.company)),
    ):
        assert kept(other) == "miss"
        assert not {"Pour A seulement", "Interne"} & titles(other)
    # Another person of company A: an answer of its own, not member_a's.
    colleague = UserFactory(company=company_a)
    assert kept(gql(LISTING, user=colleague)) == "miss"


def _unpublish(page):
    page.unpublish()


def _to_internal(page):
    page.audience = Audience.INTERNAL
    page.save_revision().publish()


def _retitle(page):
    page.title = "Titre corrigé"
    page.save_revision().publish()


@pytest.mark.parametrize(
    "change, expect_title",
    [(_unpublish, None), (_to_internal, None), (_retitle, "Titre corrigé")],
    ids=["unpublish", "audience", "edit"],
)
def test_a_change_is_seen_by_the_next_request(gql, committed, change, expect_title):
    page = committed(lambda: article("Avant"))
    gql(LISTING)
    assert kept(gql(LISTING)) == "hit"
    committed(lambda: change(ArticlePage.objects.get(pk=page.pk)))
    after = gql(LISTING)
    assert kept(after) == "miss"
    assert "Avant" not in titles(after)
    if expect_title:
        assert expect_title in titles(after)


def test_a_publish_is_seen_by_the_next_request(gql, committed):
    committed(lambda: article("Premier"))
    gql(LISTING)
    committed(lambda: article("Nouveau"))
    assert "Nouveau" in titles(gql(LISTING))


def test_a_holdings_change_is_seen_by_the_next_request(
    gql, committed, company_a, member_a
):
    revit = product("revit")
    committed(
        lambda: article(
            "Pour les détenteurs de Revit",
            audience=Audience.PRODUCT_OWNERS,
            products=[revit],
        )
    )
    assert "Pour les détenteurs de Revit" not in titles(gql(LISTING, user=member_a))
    assert kept(gql(LISTING, user=member_a)) == "hit"
    today = timezone.localdate()
    subscription = committed(
        lambda: Subscription.objects.create(
            company=company_a,
            product=revit,
            autodesk_id="A-REVIT",
            start_date=today - dt.timedelta(days=10),
            end_date=today + dt.timedelta(days=300),
        )
    )
    assert "Pour les détenteurs de Revit" in titles(gql(LISTING, user=member_a))
    committed(subscription.delete)
    assert "Pour les détenteurs de Revit" not in titles(gql(LISTING, user=member_a))


def test_a_change_made_by_another_process_is_seen(gql, committed):
    """Another worker's write moves the row all processes read."""
    committed(lambda: article("Partout"))
    gql(LISTING)
    assert kept(gql(LISTING)) == "hit"
    ContentGeneration.objects.filter(pk=1).update(value=12345)
    assert kept(gql(LISTING)) == "miss"


def test_an_answer_goes_when_an_article_expires(gql, committed):
    page = committed(lambda: article("Bientôt expiré"))
    soon = timezone.now() + dt.timedelta(seconds=1)
    committed(
        lambda: (
            ArticlePage.objects.filter(pk=page.pk).update(expire_at=soon)
            or ContentGeneration.objects.filter(pk=1).update(value=777)
        )
    )
    assert "Bientôt expiré" in titles(gql(LISTING))
    assert kept(gql(LISTING)) == "hit"
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.05)
    after = gql(LISTING)
    assert kept(after) == "miss"
    assert "Bientôt expiré" not in titles(after)


def test_views_and_search_statistics_count_answers_from_memory(gql, committed):
    page = committed(lambda: article("Compté"))
    query = "query($slug: String) { article(slug: $slug) { title } }"
    results = [gql(query, {"slug": page.slug}) for _ in range(3)]
    assert [kept(r) for r in results] == ["miss", "hit", "hit"]
    assert ArticleDailyViews.objects.get(article=page).count == 3

    search = 'query { searchArticles(query: "licence") { total } }'
    time.sleep(2.1)  # past the engine's refresh after the last change
    assert [kept(gql(search)) for _ in range(3)] == ["miss", "hit", "hit"]
    assert SearchQueryDaily.objects.get(normalised_query="licence").searches == 3


def test_search_right_after_a_change_is_not_kept(gql, committed):
    """The engine shows a change after its refresh: an answer read before it is not
    kept."""
    committed(lambda: article("Fraîchement publié"))
    search = 'query { searchArticles(query: "publié") { total } }'
    assert [kept(gql(search)) for _ in range(2)] == ["miss", "miss"]


def test_errors_mutations_and_uncached_fields_are_not_kept(gql, member_a):
    missing = 'query { article(slug: "nulle-part") { title } articles { total } }'
    unknown_id = 'query { article(id: "pas-un-id") { title } }'
    for query in (unknown_id, unknown_id):
        result = gql(query)
        assert result.errors and kept(result) == "miss"
    gql(missing)
    assert kept(gql(missing)) == "hit"  # null is an answer, not an error
    me = "query { me { email } }"
    assert kept(gql(me, user=member_a)) is None
    mutation = 'mutation { rateArticle(articleId: "1", helpful: true) { ok } }'
    assert kept(gql(mutation, user=member_a)) is None


def test_off_keeps_nothing(gql, settings, committed):
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0
    committed(lambda: article("Rien de gardé"))
    assert [kept(gql(LISTING)) for _ in range(2)] == [None, None]


def test_odd_variables_neither_fail_nor_multiply_the_kept_answers(gql, committed):
    """A lone surrogate is a coded error, not a 500; variables the operation does not
    declare change nothing, so they do not make another key (an attacker's way to
    fill memory)."""
    committed(lambda: article("Variables"))
    query = "query($q: String) { article(slug: $q) { title } }"
    for variables in ({"q": "\ud800"}, {"q": "a", "junk": "\udfff"}):
        result = gql(query, variables)
        assert result.status == 400
        assert result.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    literal = gql('{ article(slug: "\ud800") { title } }')  # the lexer refuses it
    assert literal.status == 400
    assert literal.errors[0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    first = gql(LISTING, {"junk": 1})
    assert kept(first) == "miss" and not first.errors
    assert kept(gql(LISTING, {"junk": 2})) == "hit"


def test_an_answer_too_large_is_not_kept(gql, committed, monkeypatch):
    from cms.api import response_cache

    committed(lambda: article("Grand"))
    monkeypatch.setattr(response_cache, "MAX_KEPT_CHARACTERS", 10)
    assert [kept(gql(LISTING)) for _ in range(2)] == ["miss", "miss"]


def test_the_index_written_by_its_task_moves_the_generation(db, committed):
    from types import SimpleNamespace

    from modelsearch.tasks import insert_or_update_object_task

    from cms.generation import current, index_task_finished

    before = current()[0]
    committed(
        lambda: index_task_finished(
            None, task_result=SimpleNamespace(task=insert_or_update_object_task)
        )
    )
    assert current()[0] == before + 1
