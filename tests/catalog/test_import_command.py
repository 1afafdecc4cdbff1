"""``manage.py import_autodesk_subscriptions``: exit status, dry run, progress bar."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Subscription
from tests.catalog.factories import ProductFactory

HEADER = "subscription_id,offering_name,seat_quantity,start_date,end_date\n"


@pytest.fixture
def autocad(db):
    return ProductFactory(code="autocad", name="AutoCAD")


def export(tmp_path, rows: int, *, bad_line: int | None = None):
    """A file of ``rows`` data rows; the row on ``bad_line`` (if any) has no seats."""
    lines = [HEADER]
    for n in range(2, rows + 2):
        seats = "" if n == bad_line else "2"
        lines.append(f"{7000 + n},AutoCAD,{seats},2026-01-01,2026-12-31\n")
    path = tmp_path / "export.csv"
    path.write_text("".join(lines))
    return path


class Terminal(io.StringIO):
    def isatty(self):
        return True


def command(path, *args, stderr=None):
    out, err = io.StringIO(), stderr or io.StringIO()
    try:
        call_command(
            "import_autodesk_subscriptions",
            str(path),
            "--company",
            "CLI-A",
            *args,
            stdout=out,
            stderr=err,
        )
    finally:
        command.out, command.err = out.getvalue(), err.getvalue()


def test_dry_run_with_an_invalid_row_exits_non_zero(company_a, autocad, tmp_path):
    path = export(tmp_path, 3, bad_line=3)
    with pytest.raises(CommandError, match="Simulation : le fichier a des problèmes"):
        command(path, "--dry-run")
    assert "ligne 3, colonne « seat_quantity » : vide" in command.err
    # With --skip-invalid the dry run says what would go in, and still fails.
    with pytest.raises(CommandError, match="seules les lignes valides le seraient"):
        command(path, "--dry-run", "--skip-invalid")
    assert not Subscription.objects.exists()


def test_dry_run_lists_what_would_change_with_details(company_a, autocad, tmp_path):
    command(export(tmp_path, 2))
    path = export(tmp_path, 3)
    command(path, "--dry-run")
    assert "1 à créer, 0 à mettre à jour, 2 inchangé(s), 0 ligne(s) refusée(s)" in (
        command.out
    )
    assert "ligne 2" not in command.out
    command(path, "--dry-run", "--details")
    assert "  ligne 2 : 7002 — inchangé\n" in command.out
    assert "  ligne 4 : 7004 — création\n" in command.out
    command(path, "--dry-run", "-v", "2")
    assert "  ligne 4 : 7004 — création\n" in command.out
    assert Subscription.objects.count() == 2


def test_progress_bar_counts_data_rows_and_ends_before_the_summary(
    company_a, autocad, tmp_path
):
    terminal = Terminal()
    command(export(tmp_path, 600), stderr=terminal)
    bar = command.err
    # Data rows, not the header: from 0/600 to 600/600, never 601; one bar per
    # stage, each ending on its own line.
    assert "/601" not in bar
    finals = [line.rsplit("\r", 1)[-1] for line in bar.split("\n") if line]
    assert [line.split(":")[0].strip() for line in finals] == [
        "Vérification",
        "Comparaison",
        "Écriture",
    ]
    assert all("100%|##########| 600/600 " in line for line in finals)
    assert "| 0/600 " in bar
    assert "\x1b[31m" not in bar  # Django's red error style is not applied
    assert bar.endswith("\n")  # closed: the summary has its own line
    assert command.out.startswith("Import effectué.")


def test_no_progress_bar_off_a_terminal(company_a, autocad, tmp_path):
    command(export(tmp_path, 600))
    assert command.err == ""
