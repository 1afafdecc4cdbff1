"""The demo seeds three weeks of search analytics, so the reports show something."""

from __future__ import annotations

from django.test import Client

from search import demo
from search.models import SearchQueryDaily


def test_demo_searches_fill_both_reports_and_load_twice_alike(db, staff):
    demo.load()
    fields = ("day", "normalised_query", "searches")
    rows = list(SearchQueryDaily.objects.values_list(*fields))
    assert len({day for day, _query, _n in rows}) >= 10
    assert SearchQueryDaily.objects.filter(zero_result_searches__gt=0).exists()
    demo.load()
    again = list(SearchQueryDaily.objects.values_list(*fields))
    assert sorted(again) == sorted(rows)

    staff.is_superuser = True
    staff.save()
    admin = Client()
    admin.force_login(staff)
    zero = admin.get("/admin/reports/recherches-sans-resultat/")
    assert zero.status_code == 200
    assert "navisworks clash detective" in zero.content.decode()
