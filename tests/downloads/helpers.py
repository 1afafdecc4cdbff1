"""Download pages and files for the download tests (private storage in a tmp dir)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Page

from downloads.models import DownloadFile, DownloadIndexPage, DownloadPage


@pytest.fixture
def private_storage(settings, tmp_path):
    """Download files in a temporary folder (never the developer's var/)."""
    location = tmp_path / "private-downloads"
    settings.STORAGES = {
        **settings.STORAGES,
        "downloads": {
            "BACKEND": "downloads.models.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def download_index() -> DownloadIndexPage:
    index = DownloadIndexPage.objects.first()
    if index is None:
        index = DownloadIndexPage(title="Téléchargements", slug="telechargements")
        Page.get_first_root_node().add_child(instance=index)
        index.save_revision().publish()
    return index


def download_page(
    *,
    title: str,
    product,
    releases=(),
    is_public: bool = False,
    kind: str = "patch",
    files: list[tuple[str, bytes]] | None = None,
    publish: bool = True,
    **fields,
) -> DownloadPage:
    page = DownloadPage(
        title=title,
        slug=slugify(title),
        kind=kind,
        product=product,
        version=fields.pop("version", "1.0"),
        release_date=fields.pop(
            "release_date", timezone.localdate() - datetime.timedelta(days=1)
        ),
        is_public=is_public,
        **fields,
    )
    page.releases = list(releases)
    page.files = [
        DownloadFile(file=ContentFile(data, name=name))
        for name, data in (files or [(f"{page.slug}.exe", title.encode() * 100)])
    ]
    download_index().add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page
