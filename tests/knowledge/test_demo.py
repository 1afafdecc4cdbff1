"""The demo knowledge base loads, twice, without changing anything the second time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Revision, WorkflowPage

from cms import demo as cms_demo
from cms.access import ANONYMOUS
from knowledge import demo
from knowledge.models import ArticleFeedback, ArticlePage, Audience, Author, Category
from knowledge.selectors import articles_visible_to


def snapshot() -> dict:
    return {
        "articles": sorted(ArticlePage.objects.values_list("slug", "live")),
        "revisions": Revision.objects.count(),
        "categories": Category.objects.count(),
        "authors": Author.objects.count(),
        "feedback": ArticleFeedback.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
    }


@pytest.fixture
def loaded(db):
    cms_demo.load_people()
    demo.load()
    return snapshot()


def test_demo_loads_twice_without_changes(loaded):
    demo.load()

    assert snapshot() == loaded


def test_demo_has_articles_of_every_audience_and_state(loaded):
    articles = ArticlePage.objects.all()

    assert articles.count() >= 30
    audiences = set(articles.filter(live=True).values_list("audience", flat=True))
    assert audiences == set(Audience.values)
    assert articles.filter(live=False, first_published_at__isnull=True).count() >= 3
    scheduled = [
        a for a in articles if a.latest_revision.approved_go_live_at is not None
    ]
    assert [a.slug for a in scheduled] == ["autocad-2026-2-mise-a-jour"]
    assert articles.filter(expired=True).count() == 1
    assert articles_visible_to(ANONYMOUS).count() >= 15


def test_demo_articles_resolve_under_the_index(loaded):
    article = ArticlePage.objects.get(slug="erreur-licence-15-570-0")

    assert article.url == "/base-de-connaissances/erreur-licence-15-570-0/"
    assert {"paragraph", "code", "callout", "procedure"} <= {
        block.block_type for block in article.body
    }
    assert {a.display_name for a in article.authors.all()} == {
        "Julien Lefèvre",
        "Nadia Benali",
    }


def test_demo_index_has_the_review_workflow_and_editor_rights(loaded):
    index = demo.KnowledgeIndexPage.objects.get(slug="base-de-connaissances")

    workflow = WorkflowPage.objects.get(page=index).workflow
    assert workflow.name == "Relecture technique"
    task = workflow.tasks.get().specific
    assert list(task.groups.values_list("name", flat=True)) == ["Moderators"]
    editors = Group.objects.get(name="Editors")
    assert set(
        GroupPagePermission.objects.filter(group=editors, page=index).values_list(
            "permission__codename", flat=True
        )
    ) == {"add_page", "change_page", "publish_page"}
