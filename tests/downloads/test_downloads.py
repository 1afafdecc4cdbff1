"""Patch and version downloads: who may fetch which file and why not, signed links
bound to a person, streamed bytes and ranges, the audit and the publication e-mails."""

from __future__ import annotations

import datetime
import hashlib
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from catalog.models import ProductRelease
from cms.access import Caller
from downloads.models import (
    DownloadEvent,
    DownloadNotification,
    DownloadNotificationPreference,
)
from downloads.selectors import download_entitlement_for
from tests.catalog.factories import ProductFactory, SubscriptionFactory
from tests.downloads.helpers import (  # noqa: F401 (fixture)
    download_page,
    private_storage,
)
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.usefixtures("private_storage")

TODAY = timezone.localdate()
ENDED = TODAY - datetime.timedelta(days=45)
DATA = bytes(range(256)) * 40  # 10 240 bytes, every offset distinguishable

REQUEST = """mutation($id: ID!) {
  requestDownload(fileId: $id) { url expiresAt sha256 size }
}"""
LIST = """query($product: String, $kind: DownloadKind, $perPage: Int) {
  downloads(product: $product, kind: $kind, perPage: $perPage) {
    total
    items { title kind version isPublic product { code } releases { version }
            relatedArticles { title }
            files { id fileName size sha256 canDownload reason } }
  }
}"""


@pytest.fixture
def world(company_a, company_b):
    """Company A holds Revit; B holds AutoCAD only; Morel's Revit ended 45 days
    ago, before Revit 2026 came out."""
    revit = ProductFactory(code="revit", name="Revit")
    autocad = ProductFactory(code="autocad", name="AutoCAD")
    r2025 = ProductRelease.objects.create(
        product=revit, version="2025", release_date=ENDED - datetime.timedelta(300)
    )
    r2026 = ProductRelease.objects.create(
        product=revit, version="2026", release_date=ENDED + datetime.timedelta(10)
    )
    morel = CompanyFactory(name="Morel Géomètres", customer_number="CLI-10733")
    SubscriptionFactory(company=company_a, product=revit)
    SubscriptionFactory(company=company_b, product=autocad)
    SubscriptionFactory(
        company=morel,
        product=revit,
        start_date=ENDED - datetime.timedelta(days=365),
        end_date=ENDED,
    )
    pages = {
        "public": download_page(
            title="Nettoyage des licences",
            product=autocad,
            kind="utility",
            is_public=True,
            files=[("nettoyage.zip", DATA)],
        ),
        "product": download_page(
            title="Revit correctif réseau",
            product=revit,
            kind="patch",
            files=[("revit-reseau.exe", DATA[::-1])],
        ),
        "release": download_page(
            title="Revit 2026 hotfix 1",
            product=revit,
            releases=[r2026],
            kind="hotfix",
            files=[("revit-2026-hf1.exe", b"hotfix" * 1000)],
        ),
    }
    return {
        "pages": pages,
        "files": {k: p.files.get() for k, p in pages.items()},
        "morel": UserFactory(email="claire@morel.example", company=morel),
        "revit": revit,
        "r2025": r2025,
    }


def _user(who, world, request):
    if who == "anonymous":
        return None
    if who == "morel":
        return world["morel"]
    return request.getfixturevalue(who)


ended = ENDED.strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    "who, kind, allowed, reason",
    [
        ("staff", "public", True, ""),
        ("staff", "product", True, ""),
        ("staff", "release", True, ""),
        ("member_a", "public", True, ""),
        ("member_a", "product", True, ""),
        ("member_a", "release", True, ""),
        ("member_b", "public", True, ""),
        ("member_b", "product", False, "Aucun abonnement pour Revit."),
        ("member_b", "release", False, "Aucun abonnement pour Revit."),
        ("morel", "public", True, ""),
        ("morel", "product", False, f"Abonnement terminé le {ended}."),
        (
            "morel",
            "release",
            False,
            f"Revit 2026 est sorti après la fin de votre abonnement ({ended}).",
        ),
        ("anonymous", "public", True, ""),
        ("anonymous", "product", False, "Connectez-vous pour télécharger."),
        ("anonymous", "release", False, "Connectez-vous pour télécharger."),
    ],
)
def test_entitlement_matrix(world, request, who, kind, allowed, reason):
    user = _user(who, world, request)
    assert download_entitlement_for(Caller.of_user(user), world["files"][kind]) == (
        allowed,
        reason,
    )


def test_expired_company_may_download_a_release_out_before_its_end(world):
    page = download_page(
        title="Revit 2025 hotfix",
        product=world["revit"],
        releases=[world["r2025"]],
        kind="hotfix",
    )
    assert download_entitlement_for(
        Caller.of_user(world["morel"]), page.files.get()
    ) == (
        False,
        f"Abonnement terminé le {ended}.",
    )


def test_collection_holder_is_entitled_to_an_included_product(world, member_b):
    collection = ProductFactory(code="aec-collection", name="AEC Collection")
    collection.includes.add(world["revit"])
    SubscriptionFactory(company=member_b.company, product=collection)
    assert download_entitlement_for(
        Caller.of_user(member_b), world["files"]["product"]
    ) == (True, "")


def test_list_shows_every_readable_page_and_why_a_file_is_refused(gql, world, member_b):
    result = gql(LIST, {"product": "revit"}, user=member_b)
    assert result.errors is None
    items = {i["title"]: i for i in result.data["downloads"]["items"]}
    assert set(items) == {"Revit correctif réseau", "Revit 2026 hotfix 1"}
    files = items["Revit correctif réseau"]["files"]
    assert files[0]["canDownload"] is False
    assert files[0]["reason"] == "Aucun abonnement pour Revit."
    assert files[0]["sha256"] == hashlib.sha256(DATA[::-1]).hexdigest()
    assert files[0]["size"] == len(DATA)


def test_anonymous_lists_only_public_pages(gql, world):
    result = gql(LIST)
    items = result.data["downloads"]["items"]
    assert [i["title"] for i in items] == ["Nettoyage des licences"]
    assert items[0]["files"][0]["canDownload"] is True


def test_download_by_slug_and_grapple_page_follow_the_same_rules(gql, world):
    query = "query($slug: String!) { download(slug: $slug) { title } }"
    assert gql(query, {"slug": "revit-correctif-reseau"}).data["download"] is None
    assert gql(query, {"slug": "nettoyage-des-licences"}).data["download"] == {
        "title": "Nettoyage des licences"
    }
    listing = gql("{ downloads { items { title } } }")
    titles = [p["title"] for p in listing.data["downloads"]["items"]]
    assert titles == ["Nettoyage des licences"]


def test_related_articles_only_those_the_caller_may_read(gql, world, member_b):
    from tests.knowledge.factories import article

    public = article(title="Installer un correctif", audience="public")
    private = article(title="Procédure interne", audience="internal")
    page = world["pages"]["product"]
    page.related_articles = [public, private]
    page.save_revision().publish()
    result = gql(LIST, {"product": "revit", "kind": "PATCH"}, user=member_b)
    assert result.data["downloads"]["items"][0]["relatedArticles"] == [
        {"title": "Installer un correctif"}
    ]


def test_list_costs_the_same_queries_for_2_and_20_pages(gql, world, member_a):
    def count():
        with CaptureQueriesContext(connection) as queries:
            result = gql(LIST, {"perPage": 50}, user=member_a)
        assert result.errors is None
        return len(queries), result.data["downloads"]["total"]

    from tests.knowledge.factories import article

    linked = article(title="Procédure de mise à jour", audience="internal")
    page = world["pages"]["product"]
    page.related_articles = [linked]
    page.save_revision().publish()
    small, total = count()
    for n in range(18):
        download_page(
            title=f"Revit patch {n}",
            product=world["revit"],
            releases=[world["r2025"]] if n % 2 else [],
            files=[(f"p{n}.exe", b"x"), (f"p{n}-en.exe", b"y")],
            related_articles=[linked],
        )
    large, total_large = count()
    assert (total, total_large) == (3, 21)
    assert large == small


# --- Signed links ------------------------------------------------------------------


def _link(gql, file, user=None) -> str:
    result = gql(REQUEST, {"id": file.pk}, user=user)
    assert result.errors is None, result.errors
    assert result.data["requestDownload"]["sha256"] == file.sha256
    return result.data["requestDownload"]["url"]


def test_entitled_person_downloads_bytes_matching_the_checksum(gql, world, member_a):
    file = world["files"]["product"]
    url = _link(gql, file, member_a)
    response = Client().get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == file.sha256
    assert file.sha256 == hashlib.sha256(DATA[::-1]).hexdigest()
    assert response["Content-Disposition"] == 'attachment; filename="revit-reseau.exe"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(DATA))


def test_refused_person_gets_no_link_and_the_reason(gql, world, member_b):
    result = gql(REQUEST, {"id": world["files"]["product"].pk}, user=member_b)
    assert result.data is None or result.data["requestDownload"] is None
    assert result.error_messages == ["Aucun abonnement pour Revit."]
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"


def test_anonymous_cannot_even_see_a_private_file(gql, world):
    result = gql(REQUEST, {"id": world["files"]["product"].pk})
    assert result.error_messages == ["Fichier introuvable."]


def test_anonymous_downloads_a_public_file(gql, world):
    url = _link(gql, world["files"]["public"])
    response = Client().get(url)
    assert b"".join(response.streaming_content) == DATA
    assert DownloadEvent.objects.get().user is None


def test_expired_link_is_refused(gql, world, member_a):
    url = _link(gql, world["files"]["product"], member_a)
    later = time.time() + 601
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().get(url)
    assert response.status_code == 403
    assert "expiré" in response.json()["errors"][0]["message"]


def test_link_ttl_is_a_setting(gql, world, member_a, settings):
    settings.DOWNLOAD_LINK_TTL_SECONDS = 30
    url = _link(gql, world["files"]["product"], member_a)
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 31):
        assert Client().get(url).status_code == 403


def test_altered_link_is_refused(gql, world, member_a):
    url = _link(gql, world["files"]["product"], member_a)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = token.replace(token[3], "A" if token[3] != "A" else "B", 1)
    response = Client().get(url.replace(token, forged))
    assert response.status_code == 403
    assert (
        response.json()["errors"][0]["message"]
        == "Ce lien de téléchargement n'est pas valide."
    )
    assert not DownloadEvent.objects.exists()


def test_someone_elses_link_is_refused(gql, world, member_a, admin_a):
    url = _link(gql, world["files"]["product"], member_a)
    other = Client()
    other.force_login(admin_a)
    response = other.get(url)
    assert response.status_code == 403
    assert "autre personne" in response.json()["errors"][0]["message"]


def test_link_refused_once_the_subscription_has_ended(gql, world, member_a):
    url = _link(gql, world["files"]["product"], member_a)
    member_a.company.subscriptions.update(end_date=TODAY - datetime.timedelta(1))
    response = Client().get(url)
    assert response.status_code == 403
    assert "Abonnement terminé le" in response.json()["errors"][0]["message"]


# --- Ranges and hand-off -------------------------------------------------------------


@pytest.mark.parametrize(
    "header, status, start, end",
    [
        ("bytes=0-9", 206, 0, 9),
        ("bytes=100-", 206, 100, len(DATA) - 1),
        ("bytes=-5", 206, len(DATA) - 5, len(DATA) - 1),
        ("bytes=10000-99999", 206, 10000, len(DATA) - 1),
        ("bytes=0-1,5-6", 200, 0, len(DATA) - 1),  # several ranges: whole file
    ],
)
def test_range_requests(gql, world, member_a, header, status, start, end):
    url = _link(gql, world["files"]["public"], member_a)
    response = Client().get(url, HTTP_RANGE=header)
    assert response.status_code == status
    assert b"".join(response.streaming_content) == DATA[start : end + 1]
    assert response["Content-Length"] == str(end - start + 1)
    if status == 206:
        assert response["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_range_is_416(gql, world, member_a, header):
    url = _link(gql, world["files"]["public"], member_a)
    response = Client().get(url, HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(DATA)}"


def test_nginx_hand_off(gql, world, member_a, settings):
    settings.DOWNLOADS_SENDFILE = "x-accel-redirect"
    file = world["files"]["product"]
    response = Client().get(_link(gql, file, member_a))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-downloads/" + file.file.name
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")


# --- Audit -------------------------------------------------------------------------


def test_each_download_is_recorded_once_even_when_resumed(gql, world, member_a):
    file = world["files"]["product"]
    url = _link(gql, file, member_a)
    Client().get(url, HTTP_RANGE="bytes=0-99")
    Client().get(url, HTTP_RANGE="bytes=100-")  # resumed: same download
    event = DownloadEvent.objects.get()
    assert (event.user, event.company, event.file) == (
        member_a,
        member_a.company,
        file,
    )
    assert event.bytes_range == "bytes=0-99"


HISTORY = """query { myCompany { downloads { total pages items {
  file { fileName } page { title } at person } } } }"""


def test_company_history_admins_see_everyone_members_themselves(
    gql, world, member_a, admin_a, member_b
):
    for person in (member_a, admin_a):
        Client().get(_link(gql, world["files"]["product"], person))
    Client().get(_link(gql, world["files"]["public"], member_b))
    history = gql(HISTORY, user=admin_a).data["myCompany"]["downloads"]
    assert (history["total"], history["pages"]) == (2, 1)
    seen_by_admin = history["items"]
    assert sorted(e["person"] for e in seen_by_admin) == sorted(
        [member_a.get_full_name(), admin_a.get_full_name()]
    )
    assert {e["page"]["title"] for e in seen_by_admin} == {"Revit correctif réseau"}
    seen_by_member = gql(HISTORY, user=member_a).data["myCompany"]["downloads"]["items"]
    assert [e["person"] for e in seen_by_member] == [member_a.get_full_name()]
    other = gql(HISTORY, user=member_b).data["myCompany"]["downloads"]["items"]
    assert [e["file"]["fileName"] for e in other] == ["nettoyage.zip"]


def test_staff_report_counts_per_file_and_company(gql, world, member_a, staff):
    for _ in range(2):
        Client().get(_link(gql, world["files"]["product"], member_a))
    staff.is_superuser = True
    staff.save()
    admin = Client()
    admin.force_login(staff)
    response = admin.get("/admin/catalog/download-counts/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "revit-reseau.exe,Atelier A,2" in body


# --- Notifications -------------------------------------------------------------------


def test_one_email_per_entitled_opted_in_person_and_none_on_republish(
    world, admin_a, member_a, member_b, django_capture_on_commit_callbacks
):
    admin_b = UserFactory(
        email="admin@b.example", company=member_b.company, role=User.Role.ADMIN
    )
    DownloadNotificationPreference.objects.create(user=member_a, opted_in=True)
    opted_out = UserFactory(email="no@a.example", company=admin_a.company)
    DownloadNotificationPreference.objects.create(user=opted_out, opted_in=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = download_page(title="Revit 2027 mise à jour", product=world["revit"])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [admin_a.email, member_a.email]
    )
    assert admin_b.email not in {m.to[0] for m in mail.outbox}
    assert (
        mail.outbox[0].subject
        == "Nouveau téléchargement : Revit 1.0 — correctif (patch)"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert mail.outbox == []
    assert DownloadNotification.objects.filter(page=page).count() == 2


def test_notification_names_product_version_and_kind_once(
    world, admin_a, django_capture_on_commit_callbacks
):
    """A title that already says the version and the kind (the demo's « AutoCAD
    2026.1.1 — mise à jour ») is not repeated in the subject nor in the body."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        download_page(
            title="Revit 2027.1.1 — mise à jour",
            product=world["revit"],
            kind="update",
            version="2027.1.1",
        )

    message = mail.outbox[0]
    assert message.subject == "Nouveau téléchargement : Revit 2027.1.1 — mise à jour"
    assert message.body.count("mise à jour") == 1
    assert message.body.count("2027.1.1") == 1


def test_latest_flag_moves_to_the_newly_published_page(world):
    first = download_page(title="Revit v1", product=world["revit"], is_latest=True)
    download_page(title="Revit v2", product=world["revit"], is_latest=True)
    first.refresh_from_db()
    assert first.is_latest is False


def test_files_live_in_private_storage_without_a_public_url(world, private_storage):  # noqa: F811
    file = world["files"]["product"]
    assert (private_storage / file.file.name).read_bytes() == DATA[::-1]
    assert file.file.url == ""
    assert not file.file.path.startswith(str(settings.MEDIA_ROOT))


def test_deactivated_company_downloads_nothing_gated(world, member_a):
    member_a.company.is_active = False
    member_a.company.save()
    # A person of a deactivated company reads as anonymous everywhere.
    assert download_entitlement_for(
        Caller.of_user(member_a), world["files"]["product"]
    ) == (False, "Connectez-vous pour télécharger.")
