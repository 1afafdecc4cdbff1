"""Superusers and « Support technique » maintain the catalogue in the Wagtail admin:
listings, filters, CSV export, history, the Autodesk upload form and the download
history."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from catalog.models import Subscription
from downloads.groups import SUPPORT_GROUP
from downloads.models import DownloadEvent
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.downloads.helpers import download_page
from tests.factories import StaffFactory

TODAY = timezone.localdate()


@pytest.fixture
def admin_client(client, db):
    superuser = StaffFactory(email="root@aplicit.example", is_superuser=True)
    client.force_login(superuser)
    client.user = superuser
    return client


def test_listing_filters_expiring_soon_and_exports_csv(admin_client, company_a):
    revit = ProductFactory(code="revit", name="Revit")
    SubscriptionFactory(
        company=company_a,
        product=revit,
        autodesk_id="SOON",
        end_date=TODAY + datetime.timedelta(days=20),
    )
    SubscriptionFactory(company=company_a, product=revit, autodesk_id="LATER")
    url = "/admin/catalog/subscriptions/"
    listing = admin_client.get(url, {"status": "expiring"})
    assert listing.status_code == 200
    assert b"SOON" in listing.content and b"LATER" not in listing.content
    search = admin_client.get(url, {"q": "LATER"})
    assert b"LATER" in search.content and b"SOON" not in search.content
    export = admin_client.get(url, {"export": "csv", "ends_within": "30"})
    body = b"".join(export.streaming_content).decode()
    assert "SOON" in body and "LATER" not in body


@pytest.fixture
def support_client(client, db):
    engineer = StaffFactory(email="support@aplicit.example")
    engineer.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(engineer)
    client.user = engineer
    return client


@pytest.fixture(params=["superuser", "support"])
def staff_client(request):
    return request.getfixturevalue(
        "admin_client" if request.param == "superuser" else "support_client"
    )


def test_edits_are_in_the_history(staff_client, company_a):
    sub = SubscriptionFactory(company=company_a, seats=2)
    url = f"/admin/catalog/subscriptions/edit/{sub.pk}/"
    form = staff_client.get(url)
    assert form.status_code == 200
    data = {
        "company": company_a.pk,
        "product": sub.product_id,
        "autodesk_id": sub.autodesk_id,
        "contract_number": "",
        "seats": 5,
        "term": "annual",
        "start_date": sub.start_date.isoformat(),
        "end_date": sub.end_date.isoformat(),
        "autorenew_date": "",
        "reseller_name": "",
        "reseller_email": "",
        "team": "",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    sub.refresh_from_db()
    assert sub.seats == 5
    entry = ModelLogEntry.objects.get(object_id=str(sub.pk), action="wagtail.edit")
    assert entry.user == staff_client.user
    history = staff_client.get(f"/admin/catalog/subscriptions/history/{sub.pk}/")
    assert history.status_code == 200


def test_upload_form_imports_an_export(staff_client, company_a):
    ProductFactory(code="autocad", name="AutoCAD")
    csv = (
        "subscription_id;offering_name;seat_quantity;start_date;end_date\n"
        "9001;AutoCAD;2;2026-01-01;2026-12-31\n"
    ).encode("utf-8-sig")
    url = "/admin/catalog/import/"
    assert staff_client.get(url).status_code == 200
    dry = staff_client.post(
        url,
        {
            "company": company_a.pk,
            "file": SimpleUploadedFile("x.csv", csv),
            "dry_run": "on",
        },
    )
    assert "Simulation" in dry.content.decode()
    assert not Subscription.objects.exists()
    done = staff_client.post(
        url, {"company": company_a.pk, "file": SimpleUploadedFile("x.csv", csv)}
    )
    assert "Import effectué" in done.content.decode()
    assert Subscription.objects.get().autodesk_id == "9001"


def test_upload_form_shows_line_errors(admin_client, company_a):
    csv = (
        b"subscription_id,offering_name,seat_quantity,start_date,end_date\n1,X,1,a,b\n"
    )
    response = admin_client.post(
        "/admin/catalog/import/",
        {"company": company_a.pk, "file": SimpleUploadedFile("x.csv", csv)},
    )
    assert "ligne 2" in response.content.decode()
    assert not Subscription.objects.exists()


def test_clients_cannot_open_the_catalogue_admin(client, member_a):
    client.force_login(member_a)
    assert client.get("/admin/catalog/subscriptions/").status_code in (302, 403)
    assert client.get("/admin/catalog/import/").status_code in (302, 403)


def test_download_history_lists_filters_and_exports(staff_client, company_a, company_b):
    revit = ProductFactory(code="revit")
    for company, file_name in ((company_a, "revit-a.exe"), (company_b, "revit-b.exe")):
        page = download_page(
            title=file_name, product=revit, files=[(file_name, b"installer")]
        )
        DownloadEvent.objects.create(file=page.files.get(), company=company)
    url = "/admin/catalog/download-events/"

    listing = staff_client.get(url)
    assert listing.status_code == 200
    assert "revit-a.exe" in listing.content.decode()
    today = TODAY.isoformat()
    filtered = staff_client.get(
        url, {"company": company_b.pk, "at_after": today, "at_before": today}
    )
    assert filtered.status_code == 200
    html = filtered.content.decode()
    assert "revit-b.exe" in html and "revit-a.exe" not in html
    export = staff_client.get(url, {"export": "csv", "company": company_a.pk})
    body = b"".join(export.streaming_content).decode()
    assert "revit-a.exe" in body and "revit-b.exe" not in body


def test_listings_show_statuses_and_booleans_in_french(admin_client, company_a):
    revit = ProductFactory(code="revit", name="Revit")
    ProductFactory(code="aec", name="AEC Collection", is_collection=True)
    SubscriptionFactory(
        company=company_a,
        product=revit,
        end_date=TODAY - datetime.timedelta(days=3),
    )
    listing = admin_client.get("/admin/catalog/subscriptions/").content.decode()
    assert "expirée" in listing and "Statut" in listing
    assert ">expired<" not in listing and "Status" not in listing
    export = admin_client.get("/admin/catalog/subscriptions/?export=csv")
    assert "expirée" in b"".join(export.streaming_content).decode()
    products = admin_client.get("/admin/snippets/catalog/product/").content.decode()
    assert ">True<" not in products and ">False<" not in products
