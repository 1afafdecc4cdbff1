"""Wagtail admin reports « Recherches » (top queries, queries without results) and
« Lacunes de la base » (what the knowledge base did not answer, by product)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from cms.admin_exports import SafeSpreadsheetExportMixin

from .gaps import PERIODS, knowledge_gaps
from .models import SearchGapDaily, SearchQueryDaily

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


DEFAULT_PERIOD = 30


class KnowledgeGapFilterSet(WagtailFilterSet):
    period = django_filters.ChoiceFilter(
        label=_("Période"),
        choices=[
            (str(days), _("%(days)s derniers jours") % {"days": days})
            for days in PERIODS
        ],
        empty_label=_("30 derniers jours"),
        method="by_period",  # applied by the view, which groups the rows
    )

    class Meta:
        model = SearchGapDaily
        fields: list[str] = []

    def by_period(self, queryset, name, value):
        return queryset


class KnowledgeGapsReportView(SafeSpreadsheetExportMixin, ReportView):
    """What the knowledge base did not answer, by product, beside how many client
    companies hold the product (``kbsearch.view_searchgapdaily``: Editors, Support
    technique). Three SQL queries whatever the rows (``search.gaps.knowledge_gaps``).
    """

    permission_policy = ModelPermissionPolicy(SearchGapDaily)
    permission_required = "view"
    page_title = _("Lacunes de la base")
    header_icon = "warning"
    index_url_name = "kbsearch_gaps"
    index_results_url_name = "kbsearch_gaps_results"
    filterset_class = KnowledgeGapFilterSet
    columns = [
        Column("product", label=_("Produit"), accessor="product_label"),
        Column("holders", label=_("Sociétés détentrices"), accessor="holders"),
        Column("searches", label=_("Recherches"), accessor="searches"),
        Column("zero", label=_("dont sans résultat"), accessor="zero_results"),
        Column("low", label=_("dont faible pertinence"), accessor="low_confidence"),
        Column("tickets", label=_("Tickets sans suggestion"), accessor="tickets"),
        Column("queries", label=_("Requêtes distinctes"), accessor="queries"),
        Column("examples", label=_("Exemples"), accessor="examples_text"),
    ]
    list_export = [
        "product_label",
        "product_code",
        "holders",
        "searches",
        "zero_results",
        "low_confidence",
        "tickets",
        "queries",
        "examples_text",
    ]
    export_headings = {
        "product_label": _("Produit"),
        "product_code": _("Code produit"),
        "holders": _("Sociétés détentrices"),
        "searches": _("Recherches"),
        "zero_results": _("Recherches sans résultat"),
        "low_confidence": _("Recherches de faible pertinence"),
        "tickets": _("Tickets sans suggestion"),
        "queries": _("Requêtes distinctes"),
        "examples_text": _("Exemples"),
    }

    @cached_property
    def days(self) -> int:
        if self.filters and self.filters.is_valid():
            chosen = self.filters.form.cleaned_data.get("period")
            if chosen:
                return int(chosen)
        return DEFAULT_PERIOD

    def get_filename(self):
        return f"lacunes-de-la-base-{self.days}-jours"

    def get_queryset(self):
        return SearchGapDaily.objects.all()

    def get_filtered_queryset(self):
        return knowledge_gaps(days=self.days)
