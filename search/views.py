"""Wagtail admin report « Recherches »: top queries and queries without results."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.admin_exports import SafeSpreadsheetExportMixin

from .models import SearchQueryDaily

DAYS = 30


def _value(key):
    return lambda row: row[key]


class SearchQueriesReportView(SafeSpreadsheetExportMixin, ReportView):
    """The last 30 days' queries, most searched first (every client's searches:
    ``kbsearch.view_searchquerydaily``)."""

    permission_policy = ModelPermissionPolicy(SearchQueryDaily)
    permission_required = "view"
    page_title = _("Recherches (30 derniers jours)")
    header_icon = "search"
    index_url_name = "kbsearch_report"
    index_results_url_name = "kbsearch_report_results"
    zero_results_only = False
    columns = [
        Column("query", label=_("Recherche"), accessor=_value("normalised_query")),
        Column("searches", label=_("Recherches"), accessor=_value("total_searches")),
        Column(
            "zero",
            label=_("Sans résultat"),
            accessor=_value("total_zero_result_searches"),
        ),
        Column(
            "results", label=_("Résultats cumulés"), accessor=_value("total_results")
        ),
    ]
    list_export = ["normalised_query", "total_searches", "total_zero_result_searches"]

    def get_queryset(self):
        since = timezone.localdate() - timedelta(days=DAYS)
        rows = (
            SearchQueryDaily.objects.filter(day__gte=since)
            .values("normalised_query")
            .annotate(
                total_searches=Sum("searches"),
                total_results=Sum("results_total"),
                total_zero_result_searches=Sum("zero_result_searches"),
            )
        )
        if self.zero_results_only:
            rows = rows.filter(total_zero_result_searches__gt=0)
        return rows.order_by("-total_searches", "normalised_query")


class ZeroResultQueriesReportView(SearchQueriesReportView):
    """The last 30 days' queries that found nothing at least once."""

    page_title = _("Recherches sans résultat (30 derniers jours)")
    index_url_name = "kbsearch_report_zero"
    index_results_url_name = "kbsearch_report_zero_results"
    zero_results_only = True
