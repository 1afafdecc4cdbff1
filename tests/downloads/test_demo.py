"""The demo downloads: through the GraphQL flow each demo client downloads exactly
what it is entitled to, with a matching checksum, and loading twice changes nothing."""

import hashlib

import pytest
from django.test import Client

from accounts.models import User
from catalog import demo as catalog_demo
from cms import demo as cms_demo
from downloads import demo
from downloads.models import DownloadFile, DownloadPage
from tests.downloads.helpers import private_storage  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("private_storage")

LIST = """{ downloads(perPage: 50) { items { slug files { id fileName sha256
  canDownload reason } } } }"""
REQUEST = """mutation($id: ID!) { requestDownload(fileId: $id) { url sha256 } }"""

UTILITY = "outil-reinitialisation-licences"
EXPECTED = {
    "alice@durand-archi.example": {
        "autocad-2026-1-1", "revit-2025-hotfix-4-2", UTILITY,
    },
    "arnaud@durand-archi.example": {
        "autocad-2026-1-1", "revit-2025-hotfix-4-2", UTILITY,
    },
    "bruno@btp-rhone.example": {"inventor-2026-patch-2", UTILITY},
    "claire@morel-geometres.example": {UTILITY},
}  # fmt: skip


def test_each_demo_client_downloads_exactly_what_it_is_entitled_to(gql, db):
    cms_demo.load_people()
    catalog_demo.load()
    demo.load()
    demo.load()
    assert DownloadPage.objects.live().count() == 4
    assert DownloadFile.objects.count() == 5
    for email, expected in EXPECTED.items():
        user = User.objects.get(email=email)
        items = gql(LIST, user=user).data["downloads"]["items"]
        assert len(items) == 4
        downloaded, refused = set(), set()
        for item in items:
            for file in item["files"]:
                result = gql(REQUEST, {"id": file["id"]}, user=user)
                if not file["canDownload"]:
                    assert result.error_messages == [file["reason"]]
                    refused.add(item["slug"])
                    continue
                link = result.data["requestDownload"]
                body = b"".join(Client().get(link["url"]).streaming_content)
                assert hashlib.sha256(body).hexdigest() == link["sha256"]
                assert link["sha256"] == file["sha256"]
                downloaded.add(item["slug"])
        assert downloaded == expected, email
        assert refused and not refused & downloaded, email


def test_demo_refusals_explain_themselves(gql, db):
    cms_demo.load_people()
    catalog_demo.load()
    demo.load()
    claire = User.objects.get(email="claire@morel-geometres.example")
    items = gql(LIST, user=claire).data["downloads"]["items"]
    reasons = {i["slug"]: i["files"][0]["reason"] for i in items}
    assert reasons["autocad-2026-1-1"].startswith("Abonnement terminé le ")
    assert reasons["revit-2025-hotfix-4-2"] == "Aucun abonnement pour Revit."
    assert reasons[UTILITY] is None
