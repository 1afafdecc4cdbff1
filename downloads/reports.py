"""Admin report: downloads per file and per company (« Catalogue → Téléchargements
(totaux) »)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from catalog.views import CATALOGUE_MENU_HOOK
from cms.admin_exports import SafeSpreadsheetExportMixin
from cms.admin_permissions import ViewPermissionMenuItem

from . import selectors
from .models import DownloadEvent


class DownloadCountsView(SafeSpreadsheetExportMixin, ReportView):
    """Downloads per file and per company, with CSV/XLSX export: read by whoever
    may read the download history (``downloads.view_downloadevent``)."""

    permission_policy = ModelPermissionPolicy(DownloadEvent)
    permission_required = "view"
    page_title = _("Téléchargements par fichier et par société")
    header_icon = "download"
    index_url_name = "catalog_download_counts:index"
    index_results_url_name = "catalog_download_counts:results"
    columns = [
        Column("file__page__title", label=_("Page")),
        Column("file__file_name", label=_("Fichier")),
        Column("company__name", label=_("Société")),
        Column("count", label=_("Téléchargements")),
    ]
    list_export = ["file__page__title", "file__file_name", "company__name", "count"]
    export_headings = {
        "file__page__title": "Page",
        "file__file_name": "Fichier",
        "company__name": "Société",
        "count": "Téléchargements",
    }

    def get_filename(self):
        return "telechargements-par-fichier"

    def get_queryset(self):
        return selectors.download_counts()


class DownloadCountsViewSet(ViewSet):
    name = "catalog_download_counts"
    url_prefix = "catalog/download-counts"
    icon = "download"
    menu_label = _("Téléchargements (totaux)")
    menu_hook = CATALOGUE_MENU_HOOK
    menu_order = 950

    def get_urlpatterns(self):
        return [
            path("", DownloadCountsView.as_view(), name="index"),
            path(
                "results/",
                DownloadCountsView.as_view(results_only=True),
                name="results",
            ),
        ]

    def get_menu_item(self, order=None):
        return ViewPermissionMenuItem(
            self.menu_label,
            self.menu_url,
            view_class=DownloadCountsView,
            name=self.name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )
