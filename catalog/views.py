"""Admin view: upload an Autodesk Account export for a company; the download view
of signed links."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import PermissionCheckedMixin
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from cms.access import caller_of
from cms.admin_exports import SafeSpreadsheetExportMixin
from cms.admin_permissions import ViewPermissionMenuItem

from . import downloads, services
from .forms import SubscriptionImportForm
from .models import DownloadEvent, Subscription


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


# --- Downloads: the signed-link view ------------------------------------------------

DOWNLOAD_CHUNK = 256 * 1024


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions of a single ``Range: bytes=...`` header, or
    None to serve the whole file (no header, several ranges, or a malformed one:
    RFC 9110 lets a server ignore those). :class:`RangeNotSatisfiable` when the
    range starts past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, sep, last = header[len("bytes=") :].strip().partition("-")
    if not sep:
        return None
    try:
        if first == "":  # suffix: the last N bytes
            length = int(last)
            if length <= 0 or size == 0:
                raise RangeNotSatisfiable
            return max(0, size - length), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    if end < start:
        return None
    return start, min(end, size - 1)


def _stream(handle, start: int, length: int):
    """Read ``length`` bytes from ``start``, one chunk at a time."""
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(DOWNLOAD_CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _refused(message: str, status: int = 403) -> HttpResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _sendfile(response: HttpResponse, storage, name: str) -> bool:
    """Hand the transfer to nginx or Apache (``DOWNLOADS_SENDFILE``)."""
    mode = settings.DOWNLOADS_SENDFILE
    if mode == "x-accel-redirect":
        response["X-Accel-Redirect"] = settings.DOWNLOADS_ACCEL_PREFIX + quote(name)
        return True
    if mode == "x-sendfile":
        response["X-Sendfile"] = storage.path(name)
        return True
    return False


@require_GET
def download_file(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a signed download link: checks signature, expiry, person and the
    entitlement now, then streams the file (Range requests supported)."""
    try:
        file, holder = downloads.download_link_resolve(
            token=token, caller=caller_of(request)
        )
    except downloads.LinkRefused as exc:
        return _refused(str(exc))
    storage = file.file.storage
    name = file.file.name
    size = file.size if file.size else storage.size(name)
    range_header = request.headers.get("Range", "")
    try:
        span = parse_range(range_header, size)
    except RangeNotSatisfiable:
        response = _refused("Plage demandée hors du fichier.", status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = span if span else (0, size - 1)
    length = end - start + 1 if size else 0
    if start == 0:  # one audit row per download, not per resumed chunk
        downloads.download_event_record(
            file=file, caller=holder, bytes_range=range_header[:60] if span else ""
        )
    content_type = mimetypes.guess_type(file.file_name)[0] or "application/octet-stream"
    response = HttpResponse(content_type=content_type)
    if not _sendfile(response, storage, name):
        response = StreamingHttpResponse(
            _stream(storage.open(name, "rb"), start, length),
            content_type=content_type,
            status=206 if span else 200,
        )
        response["Content-Length"] = str(length)
        if span:
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=file.file_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Accept-Ranges"] = "bytes"
    response["X-Checksum-SHA256"] = file.sha256
    return response


# --- Downloads: staff report ----------------------------------------------------------


class DownloadCountsView(SafeSpreadsheetExportMixin, ReportView):
    """Downloads per file and per company, with CSV/XLSX export: read by whoever
    may read the download history (``catalog.view_downloadevent``)."""

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
        return downloads.download_counts()


class DownloadCountsViewSet(ViewSet):
    name = "catalog_download_counts"
    url_prefix = "catalog/download-counts"
    icon = "download"
    menu_label = _("Téléchargements (totaux)")
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
