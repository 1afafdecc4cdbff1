"""Admin and GraphQL wiring of the downloads.

Download pages are Wagtail pages under the « Téléchargements » index. The audit of
downloads (read only) and the totals report sit in the catalogue's admin menu
(:data:`catalog.views.CATALOGUE_MENU_HOOK`); their URLs and names kept the
``catalog_`` prefix they had when downloads were part of the catalogue.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.models import Company
from catalog.graphql import company_field_add
from catalog.models import Product
from catalog.views import CATALOGUE_MENU_HOOK
from cms.admin_exports import SafeExportViewSetMixin

from .graphql import DownloadMutation, DownloadQuery, company_downloads_field
from .groups import support_setup_ensure
from .models import DownloadEvent, DownloadIndexPage
from .reports import DownloadCountsViewSet


@hooks.register("register_schema_query")
def register_download_query(query_mixins):
    query_mixins.append(DownloadQuery)
    company_field_add("downloads", company_downloads_field)


@hooks.register("register_schema_mutation")
def register_download_mutation(mutation_mixins):
    mutation_mixins.append(DownloadMutation)


@hooks.register("after_create_page")
def grant_support_on_download_index(request, page):
    """« Support technique » writes the download pages once their index exists."""
    if isinstance(page.specific, DownloadIndexPage):
        support_setup_ensure(index_page=page)


class DownloadEventFilterSet(WagtailFilterSet):
    company = django_filters.ModelChoiceFilter(
        label=_("Société"), queryset=Company.objects.all()
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Produit"),
        queryset=Product.objects.all(),
        field_name="file__page__product",
    )
    at = django_filters.DateFromToRangeFilter(label=_("Date"))

    class Meta:
        model = DownloadEvent
        fields = ["company", "product", "at"]


class DownloadEventViewSet(SafeExportViewSetMixin, ModelViewSet):
    """The download audit (read by staff; written by the download view)."""

    name = "catalog_download_events"
    url_prefix = "catalog/download-events"
    model = DownloadEvent
    icon = "download"
    menu_label = _("Téléchargements")
    menu_hook = CATALOGUE_MENU_HOOK
    menu_order = 800  # after the catalogue's own pages, before the import
    list_display = ["file", "user", "company", "at", "bytes_range"]
    filterset_class = DownloadEventFilterSet
    search_fields = ["file__file_name", "file__page__title", "company__name"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    list_export = ["at", "company", "user", "file", "file.page", "bytes_range"]
    export_filename = "telechargements"
    form_fields = ["bytes_range"]

    def get_queryset(self, request):
        return DownloadEvent.objects.select_related(
            "file", "file__page", "user", "company"
        )


@hooks.register("register_admin_viewset")
def register_download_viewsets():
    return [DownloadEventViewSet(), DownloadCountsViewSet()]
