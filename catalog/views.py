"""Admin view: upload an Autodesk Account export for a company."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from . import services
from .forms import SubscriptionImportForm

PERMISSION = "catalog.add_subscription"


class SubscriptionImportView(FormView):
    form_class = SubscriptionImportForm
    template_name = "catalog/admin/import.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms([PERMISSION, "catalog.change_subscription"]):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            page_title=_("Importer un export Autodesk Account"),
            header_icon="upload",
        )
        return context

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
        return render(
            self.request,
            self.template_name,
            self.get_context_data(form=form, report=report, company=company),
        )


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


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
        return ImportMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name=self.name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )
