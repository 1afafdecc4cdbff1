"""Admin views of the catalogue: upload an Autodesk Account export for a company."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic import PermissionCheckedMixin
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from cms.admin_permissions import ViewPermissionMenuItem

from . import services
from .forms import SubscriptionImportForm
from .models import Subscription

# The catalogue's admin menu (catalog.wagtail_hooks.CatalogueGroup) also lists the
# menu items registered with this hook by apps above it (downloads: the download
# history and totals).
CATALOGUE_MENU_HOOK = "register_catalogue_menu_item"


class SubscriptionImportView(
    PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """Upserts a company's subscriptions: needs both ``catalog.add_subscription``
    and ``catalog.change_subscription`` (the mixin checks ``permission_required``,
    then ``any_permission_required``). Shows the command's report: every problem
    with its line and column, and what was (or would be) created and updated."""

    permission_policy = ModelPermissionPolicy(Subscription)
    permission_required = "add"
    any_permission_required = ["change"]
    form_class = SubscriptionImportForm
    template_name = "catalog/admin/import.html"
    page_title = _("Importer un export Autodesk Account")
    header_icon = "upload"
    # A page shows this many problems and row outcomes; the command lists them all.
    shown = 500

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        company = form.cleaned_data["company"]
        try:
            report = services.subscriptions_import_csv(
                company=company,
                data=upload.read(),
                user=self.request.user,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                encoding=form.cleaned_data["encoding"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        if report.applied:
            messages.success(
                self.request,
                _("%(company)s : %(created)d créés, %(updated)d mis à jour.")
                % {
                    "company": company,
                    "created": len(report.created),
                    "updated": len(report.updated),
                },
            )
        context = self.get_context_data(form=form, report=report, company=company)
        context.update(
            problems=report.problems[: self.shown],
            problems_hidden=max(0, len(report.problems) - self.shown),
            outcomes=report.outcomes[: self.shown],
            outcomes_hidden=max(0, len(report.outcomes) - self.shown),
        )
        return self.render_to_response(context)


class SubscriptionImportViewSet(ViewSet):
    """Puts the import form in the Catalogue menu."""

    name = "catalog_import"
    url_prefix = "catalog/import"
    icon = "upload"
    menu_label = _("Importer (Autodesk)")
    menu_order = 900

    def get_urlpatterns(self):
        return [path("", SubscriptionImportView.as_view(), name="index")]

    def get_menu_item(self, order=None):
        return ViewPermissionMenuItem(
            self.menu_label,
            self.menu_url,
            view_class=SubscriptionImportView,
            name=self.name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )
