"""Files attached to articles follow the article's audience (document ids are
guessable, so the URL alone must not give the file)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from accounts.models import PortalToken
from knowledge.models import Audience
from tests.knowledge import factories as kb


def attachment(title: str):
    document = get_document_model()(title=title)
    document.file.save(f"{title}.txt", ContentFile(b"contenu confidentiel"), save=True)
    return document


def with_attachment(document, **kwargs):
    body = [{"type": "attachment", "value": {"document": document.pk, "title": "x"}}]
    return kb.article(body=body, **kwargs)


def fetch(client, document, user=None):
    headers = {}
    if user is not None:
        _, raw = PortalToken.generate(user=user)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client.get(f"/documents/{document.pk}/{document.filename}", **headers)


@pytest.fixture
def files(db, company_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    public_doc, restricted_doc, orphan_doc = (
        attachment(name) for name in ("public", "restricted", "orphan")
    )
    with_attachment(public_doc, title="Public")
    with_attachment(
        restricted_doc,
        title="Réservé",
        audience=Audience.COMPANIES,
        companies=[company_a],
    )
    return public_doc, restricted_doc, orphan_doc


def test_attachment_of_a_public_article_is_served_to_anyone(client, files):
    public_doc, _, _ = files
    assert fetch(client, public_doc).status_code == 200


def test_attachment_of_a_restricted_article_follows_its_audience(
    client, files, member_a, member_b, staff
):
    _, restricted_doc, _ = files
    assert fetch(client, restricted_doc).status_code == 404
    assert fetch(client, restricted_doc, member_b).status_code == 404
    assert fetch(client, restricted_doc, member_a).status_code == 200
    assert fetch(client, restricted_doc, staff).status_code == 200


def test_file_no_readable_article_uses_is_not_served(client, files, member_a):
    _, _, orphan_doc = files
    assert fetch(client, orphan_doc).status_code == 404
    assert fetch(client, orphan_doc, member_a).status_code == 404
