"""Importing Autodesk Account's subscription export."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from catalog.models import Subscription, Term
from catalog.services import subscriptions_import_csv
from tests.catalog.factories import ProductFactory, SubscriptionFactory

HEADER = (
    "subscription_id,offering_name,seat_quantity,start_date,end_date,term,"
    "autorenew_date,contract_number,subscription_status,reseller_name,"
    "reseller_email,team\n"
)
VALID = (
    HEADER
    + "1001,AutoCAD,3,2026-01-01,2026-12-31,Annual,2026-12-31,C-1,Active,Aplicit,"
    "r@aplicit.example,Paris\n"
    + "1002,Revit,1,2025-07-01,2028-06-30,3-Year,,C-2,Active,Aplicit,,Lyon\n"
)
SAMPLE = (
    Path(__file__).parents[2] / "catalog/sample_data/autodesk_subscriptions_sample.csv"
)


@pytest.fixture
def products(db):
    return {
        "autocad": ProductFactory(code="autocad", name="AutoCAD", offering_code="ACD"),
        "revit": ProductFactory(code="revit", name="Revit"),
    }


def run(company, text, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    return subscriptions_import_csv(company=company, data=data, **kwargs)


def test_valid_file_creates_subscriptions(company_a, products, staff):
    report = run(company_a, VALID, user=staff, filename="export.csv")
    assert report.applied and report.ok
    assert sorted(report.created) == ["1001", "1002"]
    acad = Subscription.objects.get(autodesk_id="1001")
    assert acad.company == company_a and acad.product == products["autocad"]
    assert acad.seats == 3 and acad.term == Term.ANNUAL
    assert acad.end_date == datetime.date(2026, 12, 31)
    assert acad.autorenew_date == datetime.date(2026, 12, 31)
    assert acad.reseller_email == "r@aplicit.example" and acad.team == "Paris"
    assert Subscription.objects.get(autodesk_id="1002").term == Term.THREE_YEAR
    # The history says who imported what.
    entry = ModelLogEntry.objects.get(object_id=str(acad.pk))
    assert entry.action == "catalog.import" and entry.user == staff
    assert entry.data["file"] == "export.csv"


def test_reimport_is_idempotent_and_updates_changes(company_a, products):
    run(company_a, VALID)
    again = run(company_a, VALID)
    assert again.created == [] and again.updated == []
    assert sorted(again.unchanged) == ["1001", "1002"]
    renewed = VALID.replace(
        "1001,AutoCAD,3,2026-01-01,2026-12-31", "1001,AutoCAD,5,2026-01-01,2027-12-31"
    )
    report = run(company_a, renewed)
    assert report.updated == ["1001"]
    acad = Subscription.objects.get(autodesk_id="1001")
    assert (acad.seats, acad.end_date) == (5, datetime.date(2027, 12, 31))
    assert Subscription.objects.count() == 2


def test_invalid_rows_are_reported_with_line_numbers_and_nothing_imported(
    company_a, products
):
    text = (
        VALID
        + "1003,Unknown Product,1,2026-01-01,2026-12-31,Annual,,,,,,\n"
        + "\n"  # blank lines are skipped but still counted
        + "1004,AutoCAD,zero,2026-13-01,2026-12-31,Weekly,,,,,not-an-email,\n"
        + "1001,AutoCAD,1,2026-01-01,2026-12-31,Annual,,,,,,\n"
    )
    report = run(company_a, text)
    assert not report.applied
    assert Subscription.objects.count() == 0
    assert [e.line for e in report.errors] == [4, 6, 7]
    assert "offre inconnue « Unknown Product »" in str(report.errors[0])
    messages = " ".join(report.errors[1].messages)
    for problem in ("seat_quantity", "start_date", "term inconnu", "reseller_email"):
        assert problem in messages
    assert "déjà présent ligne 2" in str(report.errors[2])


def test_skip_invalid_imports_the_valid_rows(company_a, products):
    text = VALID + "1003,AutoCAD,1,2026-12-31,2026-01-01,Annual,,,,,,\n"
    report = run(company_a, text, skip_invalid=True)
    assert report.applied
    assert sorted(Subscription.objects.values_list("autodesk_id", flat=True)) == [
        "1001",
        "1002",
    ]
    assert [(e.line, e.subscription_id) for e in report.errors] == [(4, "1003")]
    assert "end_date antérieure" in str(report.errors[0])


def test_dry_run_writes_nothing(company_a, products):
    report = run(company_a, VALID, dry_run=True)
    assert not report.applied and sorted(report.created) == ["1001", "1002"]
    assert Subscription.objects.count() == 0


def test_renamed_headers_bom_semicolons_and_french_dates(company_a, products):
    text = (
        "\ufeffSubscription Number;Product Name;Offering Code;Seats;"
        "Subscription Start Date;Subscription End Date;Subscription Term;"
        "Auto Renew Date;Contract #;Status;Reseller;Team Name;Extra\n"
        "2001;AutoCAD LT?;ACD;1 000;01/02/2026;31/01/2027;Annual;;C-9;Canceled;"
        "Aplicit;Bureau;x\n"
    )
    report = run(company_a, text)
    assert report.ok, report.errors
    sub = Subscription.objects.get(autodesk_id="2001")
    # Matched by offering code, seats with a thousands separator, day-first dates.
    assert sub.product.code == "autocad" and sub.seats == 1000
    assert sub.start_date == datetime.date(2026, 2, 1)
    assert sub.is_cancelled and sub.contract_number == "C-9"
    assert report.ignored_columns == ["Extra"]


def test_windows_1252_file_from_french_excel(company_a, db):
    ProductFactory(code="rhone", name="Réseau Rhône")
    text = "subscription_id;offering_name;seat_quantity;start_date;end_date\n"
    text += "3001;Réseau Rhône;2;2026-01-01;2026-12-31\n"
    report = run(company_a, text.encode("cp1252"))
    assert report.ok and report.created == ["3001"]


def test_missing_columns_refuse_the_file(company_a, products):
    with pytest.raises(ValidationError, match="Colonnes manquantes : end_date"):
        run(company_a, "subscription_id,offering_name,seat_quantity,start_date\n")


def test_subscription_of_another_company_is_not_moved(company_a, company_b, products):
    SubscriptionFactory(company=company_b, autodesk_id="1001")
    report = run(company_a, VALID)
    assert not report.applied
    assert "appartient à une autre société" in str(report.errors[0])
    assert Subscription.objects.get(autodesk_id="1001").company == company_b


def test_command_imports_the_sample_export(company_a, capsys, db):
    from catalog.demo import load_products

    load_products()
    call_command("import_autodesk_subscriptions", str(SAMPLE), "--company", "CLI-A")
    assert "Imported" in capsys.readouterr().out
    assert Subscription.objects.filter(company=company_a).count() == 4
    call_command(
        "import_autodesk_subscriptions", str(SAMPLE), "--company", "CLI-A", "--dry-run"
    )
    assert "4 unchanged" in capsys.readouterr().out


def test_command_fails_and_lists_invalid_rows(company_a, products, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(VALID + "1003,AutoCAD,-1,2026-01-01,2026-12-31,,,,,,,\n")
    with pytest.raises(CommandError, match="Nothing imported: 1 invalid"):
        call_command("import_autodesk_subscriptions", str(path), "--company", "CLI-A")
    assert "ligne 4 : seat_quantity invalide" in capsys.readouterr().err
    assert Subscription.objects.count() == 0
    call_command(
        "import_autodesk_subscriptions",
        str(path),
        "--company",
        "CLI-A",
        "--skip-invalid",
    )
    assert Subscription.objects.count() == 2


def test_command_refuses_unknown_company(products, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(VALID)
    with pytest.raises(CommandError, match="Unknown customer number"):
        call_command("import_autodesk_subscriptions", str(path), "--company", "NOPE")
