"""Admin for the catalogue and the GraphQL wiring.

Products are snippets (public taxonomy). Client data (subscriptions, licences,
contracts, reminders) deliberately uses ModelViewSet, not snippets: grapple's generic
``snippets`` query lists every snippet model, and client data must only be read
through :mod:`catalog.selectors`. Both kinds get Wagtail's history (who, what, when)
from ModelLogEntry.
"""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts.models import Company
from cms.admin_exports import SafeExportViewSetMixin

from . import views
from .graphql import CatalogQuery
from .models import (
    Licence,
    Product,
    RenewalReminder,
    Subscription,
    SubscriptionStatus,
    SupportContract,
)
from .models.subscriptions import status_q
from .services import IMPORT_ACTION


@hooks.register("register_schema_query")
def register_catalog_query(query_mixins):
    query_mixins.append(CatalogQuery)


@hooks.register("register_log_actions")
def register_catalog_log_actions(actions):
    actions.register_action(
        IMPORT_ACTION,
        _("Import Autodesk"),
        _("Importé depuis un export Autodesk Account"),
    )


class SubscriptionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=SubscriptionStatus.choices, method="filter_status"
    )
    ends_within = django_filters.ChoiceFilter(
        label=_("Fin dans"),
        choices=[("30", _("30 jours")), ("90", _("90 jours"))],
        method="filter_ends_within",
    )
    product = django_filters.ModelChoiceFilter(
        label=_("Produit"), queryset=Product.objects.all()
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Société"), queryset=Company.objects.all()
    )

    class Meta:
        model = Subscription
        fields = ["status", "ends_within", "product", "company", "term"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, timezone.localdate()))

    def filter_ends_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            is_cancelled=False,
            end_date__gte=today,
            end_date__lte=today + datetime.timedelta(days=int(value)),
        )


class ProductViewSet(SafeExportViewSetMixin, SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Produits")
    list_display = [
        "name",
        "code",
        "family",
        BooleanColumn("is_collection", label=_("Collection")),
    ]
    list_filter = ["family", "is_collection"]
    search_fields = ["name", "code", "offering_name"]
    list_export = ["name", "code", "family", "offering_name", "offering_code"]


class SubscriptionViewSet(SafeExportViewSetMixin, ModelViewSet):
    name = "catalog_subscriptions"
    url_prefix = "catalog/subscriptions"
    model = Subscription
    icon = "form"
    menu_label = _("Abonnements")
    list_display = ["__str__", "company", "seats", "end_date", "get_status_display"]
    filterset_class = SubscriptionFilterSet
    search_fields = ["autodesk_id", "contract_number", "company__name", "product__name"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    list_export = [
        "company",
        "product",
        "autodesk_id",
        "contract_number",
        "seats",
        "term",
        "start_date",
        "end_date",
        "autorenew_date",
        "get_status_display",
        "reseller_name",
        "team",
    ]
    export_filename = "abonnements"

    def get_queryset(self, request):
        return Subscription.objects.select_related("company", "product")


class LicenceViewSet(SafeExportViewSetMixin, ModelViewSet):
    name = "catalog_licences"
    url_prefix = "catalog/licences"
    model = Licence
    icon = "key"
    menu_label = _("Licences")
    list_display = ["__str__", "company", "licence_type", "quantity", "serial_number"]
    list_filter = {
        "licence_type": ["exact"],
        "product": ["exact"],
        "company": ["exact"],
    }
    search_fields = ["serial_number", "server_host", "company__name", "product__name"]
    search_backend_name = None
    inspect_view_enabled = True
    list_export = [
        "company",
        "product",
        "licence_type",
        "quantity",
        "serial_number",
        "product_key",
        "server_host",
        "subscription",
        "valid_until",
    ]
    export_filename = "licences"

    def get_queryset(self, request):
        return Licence.objects.select_related("company", "product", "subscription")


class SupportContractViewSet(SafeExportViewSetMixin, ModelViewSet):
    name = "catalog_support_contracts"
    url_prefix = "catalog/support-contracts"
    model = SupportContract
    icon = "doc-full"
    menu_label = _("Contrats de support")
    list_display = ["company", "level", "start_date", "end_date", "bloquant_minutes"]
    list_filter = {"level": ["exact"], "company": ["exact"]}
    search_fields = ["company__name", "reference"]
    search_backend_name = None
    inspect_view_enabled = True
    list_export = [
        "company",
        "level",
        "reference",
        "term",
        "start_date",
        "end_date",
        "bloquant_minutes",
        "genant_minutes",
        "informatif_minutes",
        "opens_at",
        "closes_at",
    ]
    export_filename = "contrats-support"


class RenewalReminderViewSet(SafeExportViewSetMixin, ModelViewSet):
    name = "catalog_renewal_reminders"
    url_prefix = "catalog/renewal-reminders"
    model = RenewalReminder
    icon = "mail"
    menu_label = _("Rappels envoyés")
    list_display = ["subscription", "days_before", "end_date", "sent_at"]
    list_filter = {"days_before": ["exact"]}
    search_fields = ["subscription__autodesk_id", "subscription__company__name"]
    search_backend_name = None
    inspect_view_enabled = True
    list_export = ["subscription", "days_before", "end_date", "sent_at", "recipients"]
    export_filename = "rappels-renouvellement"
    # Written by the reminder task; editable only to re-arm a step by deleting it.
    form_fields = ["subscription", "end_date", "days_before", "recipients"]


class CatalogueGroup(ViewSetGroup):
    menu_label = _("Catalogue")
    menu_icon = "folder-open-inverse"
    menu_order = 210
    submenu_hook = views.CATALOGUE_MENU_HOOK
    items = (
        SubscriptionViewSet,
        LicenceViewSet,
        SupportContractViewSet,
        ProductViewSet,
        RenewalReminderViewSet,
        views.SubscriptionImportViewSet,
    )


@hooks.register("register_admin_viewset")
def register_catalogue_viewsets():
    return CatalogueGroup()
