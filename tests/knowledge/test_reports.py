"""Admin reports: articles due for review, readers' feedback; staff only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from catalog.models import ProductRelease
from knowledge.models import ArticleFeedback, Audience
from knowledge.reports import months_before
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.knowledge import factories as kb

STALE_URL = "/admin/knowledge/reports/a-relire/"
FEEDBACK_URL = "/admin/knowledge/reports/avis/"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


@pytest.fixture
def editor(db):
    user = StaffFactory(email="julien@aplicit.example")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def reviewed(db, settings):
    settings.KNOWLEDGE_STALE_AFTER_MONTHS = 12
    revit = kb.product("revit")
    autocad = kb.product("autocad")
    ProductRelease.objects.create(
        product=revit, version="2026", release_date=days_ago(60)
    )
    ProductRelease.objects.create(
        product=autocad, version="2025", release_date=days_ago(400)
    )
    return {
        "fresh": kb.article(
            "Fresh AutoCAD", products=[autocad], last_reviewed_at=days_ago(30)
        ),
        "old": kb.article("Old review", last_reviewed_at=days_ago(400)),
        "never": kb.article("Never reviewed", last_reviewed_at=None),
        "new_release": kb.article(
            "Revit before 2026", products=[revit], last_reviewed_at=days_ago(90)
        ),
        "reviewed_after_release": kb.article(
            "Revit after 2026", products=[revit], last_reviewed_at=days_ago(10)
        ),
        "internal_old": kb.article(
            "Internal old", audience=Audience.INTERNAL, last_reviewed_at=days_ago(500)
        ),
        "draft_old": kb.article(
            "Draft old", publish=False, last_reviewed_at=days_ago(500)
        ),
    }


def test_stale_report_lists_old_unreviewed_and_outdated_by_a_release(
    client, editor, reviewed
):
    client.force_login(editor)

    response = client.get(STALE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Old review", "Never reviewed", "Revit before 2026", "Internal old"):
        assert title in html
    for title in ("Fresh AutoCAD", "Revit after 2026", "Draft old"):
        assert title not in html
    assert "Nouvelle version : Revit 2026" in html
    assert "Jamais relu" in html


def test_stale_report_follows_the_configured_delay(client, editor, reviewed, settings):
    settings.KNOWLEDGE_STALE_AFTER_MONTHS = 24
    client.force_login(editor)

    html = client.get(STALE_URL).content.decode()

    assert "Old review" not in html and "Internal old" not in html
    assert "Never reviewed" in html and "Revit before 2026" in html


def test_stale_report_exports_csv(client, editor, reviewed):
    client.force_login(editor)

    response = client.get(STALE_URL, {"export": "csv"})

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("Article,Catégorie,Dernière relecture")
    assert "Revit before 2026" in body and "Fresh AutoCAD" not in body


def test_stale_report_exports_xlsx(client, editor, reviewed):
    client.force_login(editor)

    response = client.get(STALE_URL, {"export": "xlsx"})

    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def test_client_cannot_open_the_reports(client, reviewed, member_a):
    client.login(username=member_a.email, password=PASSWORD)

    for url in (STALE_URL, FEEDBACK_URL):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"Old review" not in response.content


def test_admin_user_who_is_not_staff_is_refused(client, reviewed):
    user = UserFactory(email="partner@example.com", company=None)
    user.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    client.force_login(user)

    # Wagtail turns PermissionDenied into a redirect to the dashboard.
    for url in (STALE_URL, FEEDBACK_URL):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/admin/")


def test_feedback_report_lists_and_filters_votes(client, editor, member_a, member_b):
    article = kb.article("Erreur -15.570.0")
    ArticleFeedback.objects.create(
        article=article, user=member_a, helpful=True, comment="Merci, résolu"
    )
    ArticleFeedback.objects.create(
        article=article,
        user=member_b,
        helpful=False,
        reason="inaccurate",
        comment="Port faux",
    )
    client.force_login(editor)

    html = client.get(FEEDBACK_URL).content.decode()
    assert "Merci, résolu" in html and "Port faux" in html
    assert "Erreur -15.570.0" in html

    html = client.get(FEEDBACK_URL, {"helpful": "false"}).content.decode()
    assert "Port faux" in html and "Merci, résolu" not in html

    html = client.get(FEEDBACK_URL, {"reason": "inaccurate"}).content.decode()
    assert "Port faux" in html and "Merci, résolu" not in html


def test_months_before_clamps_to_the_end_of_month():
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 11, 26), 12) == dt.date(2025, 11, 26)
