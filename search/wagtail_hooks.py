from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.admin_permissions import ViewPermissionMenuItem

from .graphql import SearchMutation, SearchQuery
from .models import SearchSynonym
from .views import (
    KnowledgeGapsReportView,
    SearchQueriesReportView,
    ZeroResultQueriesReportView,
)


@hooks.register("register_schema_query")
def register_search_query(query_mixins):
    query_mixins.append(SearchQuery)


@hooks.register("register_schema_mutation")
def register_search_mutation(mutation_mixins):
    mutation_mixins.append(SearchMutation)


@hooks.register("register_admin_urls")
def register_search_report_urls():
    return [
        path(
            "reports/recherches/",
            SearchQueriesReportView.as_view(),
            name="kbsearch_report",
        ),
        path(
            "reports/recherches/results/",
            SearchQueriesReportView.as_view(results_only=True),
            name="kbsearch_report_results",
        ),
        path(
            "reports/recherches-sans-resultat/",
            ZeroResultQueriesReportView.as_view(),
            name="kbsearch_report_zero",
        ),
        path(
            "reports/recherches-sans-resultat/results/",
            ZeroResultQueriesReportView.as_view(results_only=True),
            name="kbsearch_report_zero_results",
        ),
        path(
            "reports/lacunes-de-la-base/",
            KnowledgeGapsReportView.as_view(),
            name="kbsearch_gaps",
        ),
        path(
            "reports/lacunes-de-la-base/results/",
            KnowledgeGapsReportView.as_view(results_only=True),
            name="kbsearch_gaps_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return ViewPermissionMenuItem(
        _("Recherches"),
        reverse("kbsearch_report"),
        view_class=SearchQueriesReportView,
        icon_name="search",
        order=900,
    )


@hooks.register("register_reports_menu_item")
def register_zero_result_report_menu_item():
    return ViewPermissionMenuItem(
        _("Recherches sans résultat"),
        reverse("kbsearch_report_zero"),
        view_class=ZeroResultQueriesReportView,
        icon_name="search",
        order=901,
    )


@hooks.register("register_reports_menu_item")
def register_knowledge_gaps_report_menu_item():
    return ViewPermissionMenuItem(
        _("Lacunes de la base"),
        reverse("kbsearch_gaps"),
        view_class=KnowledgeGapsReportView,
        name="kbsearch-gaps",
        icon_name="warning",
        order=902,
    )


class SearchSynonymViewSet(SnippetViewSet):
    """Synonyms engineers edit; applied to the next searches, without a reindex."""

    model = SearchSynonym
    icon = "list-ul"
    menu_label = _("Synonymes de recherche")
    menu_name = "search-synonyms"
    add_to_settings_menu = True
    list_display = ["terms", "note", "updated_at"]
    search_fields = ["terms", "note"]
    search_backend_name = None  # a plain database filter: synonyms are not indexed
    ordering = ["terms"]


register_snippet(SearchSynonymViewSet)
