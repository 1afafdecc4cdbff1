"""The admin import form shows the command's report in the admin's own layout."""

import html as html_lib

from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Subscription
from tests.catalog.factories import ProductFactory, SubscriptionFactory

URL = "/admin/catalog/import/"
HEADER = "Subscription ID;Offering Name;Seats;Start Date;End Date\n"


def post(client, company, text, **options):
    data = text.encode() if isinstance(text, str) else text
    form = {"company": company.pk, "file": SimpleUploadedFile("export.csv", data)}
    form.update({name: "on" for name, on in options.items() if on is True})
    form.update({name: v for name, v in options.items() if isinstance(v, str)})
    response = client.post(URL, form)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def test_page_has_the_admin_header_bar(admin_client):
    html = admin_client.get(URL).content.decode()
    assert "w-slim-header" in html and "w-breadcrumbs" in html
    assert "Importer un export Autodesk Account" in html
    assert 'name="encoding"' in html


def test_form_lists_every_problem_with_line_and_column(admin_client, company_a):
    ProductFactory(code="autocad", name="AutoCAD")
    html = post(
        admin_client,
        company_a,
        HEADER
        + "1;AutoCAD;3000000000;2026-01-01;2027-02-31\n"
        + "2;Inconnu;1;2026-01-01;2026-12-31\n"
        + "3;AutoCAD;1;2026-01-01;2026-12-31\n",
    )
    assert "Rien n'a été importé" in html
    assert "3 problèmes" in html
    assert (
        "ligne 2, colonne « Seats » : 3000000000 postes : hors limites "
        "(attendu : 1 à 100 000)" in html
    )
    assert "ligne 2, colonne « End Date » : 2027-02-31 n'existe pas" in html
    assert "ligne 3, colonne « Offering Name » : offre inconnue « Inconnu »" in html
    assert "2 lignes refusées" in html
    assert "corrigez le fichier, ou cochez « importer les lignes valides »" in html
    assert not Subscription.objects.exists()
    partial = post(
        admin_client,
        company_a,
        HEADER + "3;AutoCAD;1;2026-01-01;2026-12-31\n4;AutoCAD;0;2026-01-01;;\n",
        skip_invalid=True,
    )
    assert "Import partiel : les lignes valides sont enregistrées" in partial
    assert "ces lignes n'ont pas été importées" in partial
    assert "ligne 3, colonne « End Date » : vide (valeur obligatoire)" in partial
    assert list(Subscription.objects.values_list("autodesk_id", flat=True)) == ["3"]


def test_form_dry_run_says_what_would_change(admin_client, company_a):
    autocad = ProductFactory(code="autocad", name="AutoCAD")
    SubscriptionFactory(company=company_a, product=autocad, autodesk_id="1", seats=1)
    html = post(
        admin_client,
        company_a,
        HEADER
        + "1;AutoCAD;5;2026-01-01;2026-12-31\n"
        + "2;AutoCAD;1;2026-01-01;2026-12-31\n",
        dry_run=True,
    )
    assert "Simulation : rien n'a été enregistré" in html
    assert "1 abonnements à créer" in html and "1 à mettre à jour" in html
    assert "ligne 2 : 1 — mise à jour (postes : 1 → 5" in html
    assert "ligne 3 : 2 — création" in html
    assert Subscription.objects.get(autodesk_id="1").seats == 1


def test_form_reports_an_undecodable_byte_and_suggests_the_encoding(
    admin_client, company_a
):
    ProductFactory(code="autocad", name="AutoCAD")
    data = (HEADER + "1;AutoCAD;1;2026-01-01;2026-12-31\n").encode()
    data += b"2;Caf\xff;1;2026-01-01;2026-12-31\n"
    html = post(admin_client, company_a, data, encoding="utf-8")
    assert "ligne 3 : octet 0xFF illisible en UTF-8" in html
    assert "choisissez cet encodage" in html
