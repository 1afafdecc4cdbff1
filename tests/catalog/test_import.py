"""Importing Autodesk Account's subscription export."""

import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from catalog import autodesk_csv
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
    assert [p.line for p in report.problems] == [4, 6, 6, 6, 6, 7]
    assert report.invalid_rows == 3
    lines = [str(p) for p in report.problems]
    assert lines[0].startswith("ligne 4, colonne « offering_name » : offre inconnue")
    assert lines[1:5] == [
        "ligne 6, colonne « seat_quantity » : « zero » n'est pas un nombre entier "
        "de postes (attendu : 1 à 100 000)",
        "ligne 6, colonne « start_date » : 2026-13-01 n'existe pas",
        "ligne 6, colonne « term » : « Weekly » inconnue (attendu : Monthly, Annual, "
        "3-Year, Multi-Year ou leur libellé français)",
        "ligne 6, colonne « reseller_email » : « not-an-email » n'est pas une "
        "adresse e-mail",
    ]
    assert (
        lines[5] == "ligne 7, colonne « subscription_id » : 1001 déjà présent ligne 2"
    )


def test_skip_invalid_imports_the_valid_rows(company_a, products):
    text = VALID + "1003,AutoCAD,1,2026-12-31,2026-01-01,Annual,,,,,,\n"
    report = run(company_a, text, skip_invalid=True)
    assert report.applied
    assert sorted(Subscription.objects.values_list("autodesk_id", flat=True)) == [
        "1001",
        "1002",
    ]
    assert [(p.line, p.subscription_id) for p in report.problems] == [(4, "1003")]
    assert "01/01/2026 précède le début (31/12/2026)" in str(report.problems[0])


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
    assert report.ok, report.problems
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


def test_missing_column_is_reported_with_the_row_errors_of_the_others(
    company_a, products
):
    text = (
        "Subscription ID,Offering Name,Start Date,End Date\n"
        "1001,AutoCAD,2026-01-01,2027-02-31\n"
        "1002,Revit,2026-01-01,2026-12-31\n"
    )
    report = run(company_a, text, skip_invalid=True)
    assert [str(p) for p in report.problems] == [
        "colonne manquante : « Seats » (attendue sous l'un de ces en-têtes, casse, "
        "espaces et accents ignorés : seat_quantity, seats, quantity, qty, "
        "number_of_seats, nombre_de_postes, postes)",
        "ligne 2, colonne « End Date » : 2027-02-31 n'existe pas",
    ]
    # A missing column refuses the file, even with --skip-invalid.
    assert not report.applied and not Subscription.objects.exists()


def test_subscription_of_another_company_is_not_moved(company_a, company_b, products):
    SubscriptionFactory(company=company_b, autodesk_id="1001")
    report = run(company_a, VALID)
    assert not report.applied
    assert "appartient à une autre société" in str(report.problems[0])
    assert Subscription.objects.get(autodesk_id="1001").company == company_b


def test_command_imports_the_sample_export(company_a, capsys, db):
    from catalog.demo import load_products

    load_products()
    call_command("import_autodesk_subscriptions", str(SAMPLE), "--company", "CLI-A")
    assert "Import effectué" in capsys.readouterr().out
    assert Subscription.objects.filter(company=company_a).count() == 4
    call_command(
        "import_autodesk_subscriptions", str(SAMPLE), "--company", "CLI-A", "--dry-run"
    )
    assert "4 inchangé(s)" in capsys.readouterr().out


def test_command_fails_and_lists_invalid_rows(company_a, products, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(VALID + "1003,AutoCAD,-1,2026-01-01,2026-12-31,,,,,,,\n")
    with pytest.raises(CommandError, match="Rien n'a été importé") as refused:
        call_command("import_autodesk_subscriptions", str(path), "--company", "CLI-A")
    assert refused.value.returncode == 1
    assert (
        "ligne 4, colonne « seat_quantity » : -1 postes : hors limites"
        in capsys.readouterr().err
    )
    assert Subscription.objects.count() == 0
    # The valid rows go in, and the status still says that not everything did.
    with pytest.raises(CommandError, match="Import partiel") as partial:
        call_command(
            "import_autodesk_subscriptions",
            str(path),
            "--company",
            "CLI-A",
            "--skip-invalid",
        )
    assert partial.value.returncode == 3
    assert Subscription.objects.count() == 2


def test_command_refuses_unknown_company(products, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(VALID)
    with pytest.raises(CommandError, match="N° client inconnu"):
        call_command("import_autodesk_subscriptions", str(path), "--company", "NOPE")


# --- Every problem at once, never a traceback ----------------------------------------

SHORT = "Subscription ID;Offering Name;Seats;Start Date;End Date;Team\n"


def problems_of(company, text, **kwargs) -> list[str]:
    report = run(company, text, **kwargs)
    assert not report.applied and not Subscription.objects.exists()
    return [str(p) for p in report.problems]


def test_a_file_with_many_kinds_of_errors_gets_them_all_in_one_report(
    company_a, products
):
    text = (
        SHORT
        + "5001;AutoCAD;3000000000;2026-01-01;2027-02-31;Paris\n"
        + "5002;AutoCAD;1e20;1999-12-31;2026-12-31;Lyon\n"
        + "5003;AutoCAD;2;2026-01-01;2026-12-31;"
        + "x" * 200_000
        + "\n"
        + "5004;AutoCAD;2;le 1er mai;2026-12-31;Bell\x07\n"
        + ";Revit;-4;2026-01-01;2101-01-01;"
        + "é" * 121
        + "\n"
        + "5006;Revit;1;2026-01-01;2026-12-31;"
        + "t" * 1500
        + "\n"
        + "5007;Revit;1;2026-01-01;2026-12-31;Valide\n"
    )
    assert problems_of(company_a, text) == [
        "ligne 2, colonne « Seats » : 3000000000 postes : hors limites "
        "(attendu : 1 à 100 000)",
        "ligne 2, colonne « End Date » : 2027-02-31 n'existe pas",
        "ligne 3, colonne « Seats » : « 1e20 » n'est pas un nombre entier de postes "
        "(attendu : 1 à 100 000)",
        "ligne 3, colonne « Start Date » : 1999-12-31 hors de la plage acceptée "
        "(2000 à 2100)",
        "ligne 4 : ligne illisible en CSV (une cellule dépasse 131 072 caractères)",
        "ligne 5, colonne « Start Date » : « le 1er mai » n'est pas une date "
        "(attendu AAAA-MM-JJ ou JJ/MM/AAAA)",
        "ligne 5, colonne « Team » : caractère de contrôle U+0007 interdit",
        "ligne 6, colonne « Subscription ID » : vide (valeur obligatoire)",
        "ligne 6, colonne « Seats » : -4 postes : hors limites (attendu : 1 à 100 000)",
        "ligne 6, colonne « End Date » : 2101-01-01 hors de la plage acceptée "
        "(2000 à 2100)",
        "ligne 6, colonne « Team » : 121 caractères (attendu : 120 au plus)",
        "ligne 7, colonne « Team » : 1 500 caractères (attendu : 1 000 au plus)",
    ]


def test_nonexistent_date_is_not_called_a_format_error(company_a, products):
    text = SHORT + "5001;AutoCAD;1;31/02/2027;2027-03-01;\n"
    assert problems_of(company_a, text) == [
        "ligne 2, colonne « Start Date » : 31/02/2027 n'existe pas"
    ]


def test_undecodable_byte_in_utf8_mode_is_reported_on_its_line(company_a, products):
    data = (SHORT + "5001;AutoCAD;1;2026-01-01;2026-12-31;Équipe\n").encode()
    data += b"5002;AutoCAD;1;2026-01-01;2026-12-31;Caf\xff\n"
    report = run(company_a, data, skip_invalid=True)
    assert [str(p) for p in report.problems] == [
        "ligne 3 : octet 0xFF illisible en UTF-8 (le fichier est peut-être en "
        "Windows-1252)",
    ]
    assert report.notes == [
        "1 ligne(s) illisible(s) en UTF-8 : si le fichier est en Windows-1252, "
        "choisissez cet encodage (--encoding cp1252 ou « Encodage » dans le "
        "formulaire)."
    ]
    # A problem of a line, not of the file: the other row still goes in, unmangled.
    assert report.applied and report.created == ["5001"]
    assert Subscription.objects.get().team == "Équipe"


def test_forced_utf8_refuses_a_windows_1252_file(company_a, products):
    data = (SHORT + "5001;AutoCAD;1;2026-01-01;2026-12-31;Équipe\n").encode("cp1252")
    report = run(company_a, data, encoding="utf-8")
    assert "ligne 2 : octet 0xC9 illisible en UTF-8" in str(report.problems[0])
    assert run(company_a, data, encoding="cp1252").ok


def test_oversized_file_and_too_many_rows_are_refused_whole(
    company_a, products, monkeypatch
):
    monkeypatch.setattr(autodesk_csv, "MAX_FILE_BYTES", 100)
    assert problems_of(company_a, VALID + " " * 100) == [
        "Fichier trop volumineux : 0.0 Mo (0 Mo au plus). Découpez-le."
    ]
    monkeypatch.setattr(autodesk_csv, "MAX_FILE_BYTES", 20 * 1024 * 1024)
    monkeypatch.setattr(autodesk_csv, "MAX_ROWS", 1)
    assert problems_of(company_a, VALID, skip_invalid=True) == [
        "Plus de 1 lignes de données : découpez le fichier."
    ]


def test_values_longer_than_the_model_allows_are_refused_not_cut(company_a, products):
    text = HEADER + (
        f"{'9' * 41},AutoCAD,1,2026-01-01,2026-12-31,,,{'C' * 41},,,"
        f"{'r' * 250}@aplicit.example,\n"
    )
    assert problems_of(company_a, text) == [
        "ligne 2, colonne « subscription_id » : 41 caractères (attendu : 40 au plus)",
        "ligne 2, colonne « contract_number » : 41 caractères (attendu : 40 au plus)",
        "ligne 2, colonne « reseller_email » : 266 caractères (attendu : 254 au plus)",
    ]


# --- The dry run says what would change ---------------------------------------------


def test_dry_run_counts_created_updated_and_unchanged(company_a, products):
    run(company_a, VALID)
    text = (
        VALID.replace("1002,Revit,1,", "1002,Revit,4,")
        + "1003,Revit,2,2026-01-01,2026-12-31,Annual,,,,,,\n"
    )
    report = run(company_a, text, dry_run=True)
    assert not report.applied and report.ok
    assert (report.created, report.updated, report.unchanged) == (
        ["1003"],
        ["1002"],
        ["1001"],
    )
    assert [str(o) for o in report.outcomes] == [
        "ligne 2 : 1001 — inchangé",
        "ligne 3 : 1002 — mise à jour (postes : 1 → 4)",
        "ligne 4 : 1003 — création",
    ]
    assert Subscription.objects.get(autodesk_id="1002").seats == 1


def test_old_mac_line_endings_and_bad_bytes_keep_their_line_numbers(
    company_a, products
):
    data = (
        SHORT.replace("\n", "\r").encode()
        + b"5001;AutoCAD;1;2026-01-01;2026-12-31;Ok\r"
        + b"5002;AutoCAD;1;2026-01-01;2026-12-31;\xc3\xa9quipe \xff\r"
    )
    report = run(company_a, data, skip_invalid=True)
    assert [str(p) for p in report.problems] == [
        "ligne 3 : octet 0xFF illisible en UTF-8 (le fichier est peut-être en "
        "Windows-1252)"
    ]
    assert report.created == ["5001"]


def test_american_date_gets_a_hint(company_a, products):
    text = SHORT + "5001;AutoCAD;1;04/30/2026;2026-12-31;\n"
    assert problems_of(company_a, text) == [
        "ligne 2, colonne « Start Date » : 04/30/2026 n'existe pas "
        "(lue JJ/MM/AAAA : date américaine MM/JJ/AAAA ?)"
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "Le fichier est vide : pas de ligne d'en-tête."),
        (b"\xef\xbb\xbf\n\n", "Le fichier est vide : pas de ligne d'en-tête."),
        (
            '"' + "x" * 200_000 + '"\n1;2\n',
            "en-tête illisible (ligne 1) : une cellule dépasse 131 072 caractères",
        ),
        (
            b"Subscription \x81;Seats\n",  # undefined in Windows-1252
            "en-tête (ligne 1) : octet 0x81 illisible en Windows-1252",
        ),
    ],
)
def test_empty_or_unreadable_header_is_a_file_problem(
    company_a, products, data, problem
):
    report = run(company_a, data, skip_invalid=True)
    assert str(report.file_problems[0]).startswith(problem)
    assert not report.applied


def test_headers_are_echoed_without_control_characters(company_a, products):
    text = (
        "Subscription ID;Offering Name;Seats;Start Date;End Date;\x1b[2JX\n"
        "5001;AutoCAD;1;2026-01-01;2026-12-31;\n"
    )
    assert run(company_a, text).ignored_columns == ["\ufffd[2JX"]
