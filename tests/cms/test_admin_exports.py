"""CSV and XLSX exports of the admin listings neutralise spreadsheet formulas."""

import csv
import io

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from cms.admin_exports import SafeSpreadsheetExportMixin, formula_neutralised
from tests.catalog.factories import ProductFactory, SubscriptionFactory

HYPERLINK = '=HYPERLINK("http://x","y")'
PROJECT_PACKAGES = {"cms", "accounts", "catalog", "knowledge", "search", "downloads"}


@pytest.mark.parametrize(
    "text",
    [HYPERLINK, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
)
def test_formula_text_gets_a_leading_quote(text):
    assert formula_neutralised(text) == "'" + text


@pytest.mark.parametrize("value", ["Paris", "", "1+1", " =1", -3, -2.5, 0, None])
def test_other_values_and_real_numbers_are_left_alone(value):
    assert formula_neutralised(value) == value


@pytest.fixture
def hostile_subscription(company_a):
    return SubscriptionFactory(
        company=company_a,
        product=ProductFactory(code="revit", name="Revit"),
        autodesk_id="FORMULA",
        team=HYPERLINK,
        reseller_name="-2+3",
        seats=7,
    )


def test_subscription_csv_export_neutralises_formulas(
    admin_client, hostile_subscription
):
    response = admin_client.get("/admin/catalog/subscriptions/", {"export": "csv"})
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    )
    (row,) = rows
    assert row["Équipe Autodesk"] == "'" + HYPERLINK
    assert row["Revendeur"] == "'-2+3"
    assert row["Postes"] == "7"


def test_subscription_xlsx_export_neutralises_formulas(
    admin_client, hostile_subscription
):
    response = admin_client.get("/admin/catalog/subscriptions/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows())
    values = dict(zip(header, row, strict=True))
    assert values["Équipe Autodesk"] == "'" + HYPERLINK
    assert values["Revendeur"] == "'-2+3"
    assert values["Postes"] == 7  # still a number


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        else:
            yield pattern


def test_every_project_listing_with_an_export_neutralises_formulas():
    """A new listing that forgets the mixin fails here (Wagtail's own reports,
    of editors' page titles, are Wagtail's)."""
    labels = {
        config.label
        for config in apps.get_app_configs()
        if config.name.split(".")[0] in PROJECT_PACKAGES
    }
    exporting, unsafe = [], []
    for pattern in _patterns(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None or not issubclass(view_class, SpreadsheetExportMixin):
            continue
        kwargs = pattern.callback.view_initkwargs
        if not kwargs.get("list_export", view_class.list_export):
            continue
        model = kwargs.get("model") or getattr(view_class, "model", None)
        ours = view_class.__module__.split(".")[0] in PROJECT_PACKAGES or (
            model is not None and model._meta.app_label in labels
        )
        if ours:
            exporting.append(str(pattern.pattern))
            if not issubclass(view_class, SafeSpreadsheetExportMixin):
                unsafe.append((str(pattern.pattern), view_class))
    assert len(exporting) >= 10  # the walk found the listings
    assert unsafe == []
