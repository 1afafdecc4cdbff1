"""CSV and XLSX exports of the admin listings that a spreadsheet cannot run.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
as a formula by Excel and LibreOffice (``=HYPERLINK(...)``, ``+cmd|...``), and the
values exported here come from clients, Autodesk files and search boxes. As OWASP
advises (CSV injection), such a text gets a leading ``'``: the spreadsheet shows it
as text. Numbers stay numbers (a negative seat count is not a formula).

Every listing of the project with an export uses one of these mixins, first in its
bases: ``SafeSpreadsheetExportMixin`` on a view (``ReportView``), and
``SafeExportViewSetMixin`` on a ``ModelViewSet`` or ``SnippetViewSet`` (it applies the
view mixin to each view the viewset builds). ``tests/cms/test_admin_exports.py``
fails for a listing that forgets.
"""

from __future__ import annotations

import functools

from wagtail.admin.views.mixins import SpreadsheetExportMixin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_neutralised(value: object) -> object:
    """``'=1+1`` for the text ``=1+1``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeSpreadsheetExportMixin:
    """Neutralises formulas in both formats, after Wagtail's own preparation of
    each value (``force_str`` of related objects, lists joined, dates)."""

    def preprocess_field_value(self, field, value, export_format):
        prepared = super().preprocess_field_value(field, value, export_format)
        return formula_neutralised(prepared)


@functools.cache
def safe_export_view(view_class: type) -> type:
    """``view_class`` with :class:`SafeSpreadsheetExportMixin` if it exports."""
    if not issubclass(view_class, SpreadsheetExportMixin) or issubclass(
        view_class, SafeSpreadsheetExportMixin
    ):
        return view_class
    return type(
        view_class.__name__,
        (SafeSpreadsheetExportMixin, view_class),
        {"__module__": view_class.__module__, "__doc__": view_class.__doc__},
    )


class SafeExportViewSetMixin:
    """For a viewset: every view it constructs exports safely (index and results,
    and any custom view that exports)."""

    def construct_view(self, view_class, **kwargs):
        return super().construct_view(safe_export_view(view_class), **kwargs)
