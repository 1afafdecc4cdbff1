"""A large installer (300 MB, generated here) is streamed in chunks: the memory used
while serving it does not grow with the file."""

from __future__ import annotations

import hashlib
import time
import tracemalloc

from django.test import Client

from downloads.models import DownloadFile
from tests.catalog.factories import ProductFactory
from tests.downloads.helpers import (  # noqa: F401 (fixture)
    download_page,
    private_storage,
)

SIZE = 300 * 1024 * 1024
CHUNK = 1024 * 1024
MAX_GROWTH = 20 * 1024 * 1024


def _write_big_file(path) -> str:
    """Zeros with a marker every MiB (so a wrong offset shows), written in chunks;
    returns the SHA-256."""
    digest = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for n in range(SIZE // CHUNK):
            block = n.to_bytes(8, "big") + bytes(CHUNK - 8)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def test_large_file_is_streamed_with_flat_memory(gql, private_storage, staff):  # noqa: F811
    page = download_page(
        title="Revit 2026 installeur complet",
        product=ProductFactory(code="revit", name="Revit"),
        kind="full_version",
        files=[("placeholder.txt", b"x")],
    )
    # The real bytes are written straight to storage, as an upload would leave them.
    sha256 = _write_big_file(private_storage / "downloads" / "big" / "revit-2026.exe")
    DownloadFile.objects.filter(page=page).update(
        file="downloads/big/revit-2026.exe",
        file_name="revit-2026.exe",
        size=SIZE,
        sha256=sha256,
    )
    file = DownloadFile.objects.get(page=page)
    result = gql(
        "mutation($id: ID!) { requestDownload(fileId: $id) { url size sha256 } }",
        {"id": file.pk},
        user=staff,
    )
    link = result.data["requestDownload"]
    assert link["size"] == SIZE

    tracemalloc.start()
    started = time.perf_counter()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        response = Client().get(link["url"])
        digest = hashlib.sha256()
        served = 0
        for chunk in response.streaming_content:
            digest.update(chunk)
            served += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started

    growth = peak - baseline
    print(f"\n300 MiB streamed in {elapsed:.1f} s, peak growth {growth} B")  # noqa: T201
    assert response.status_code == 200
    assert served == SIZE
    assert digest.hexdigest() == link["sha256"] == sha256
    assert growth < MAX_GROWTH


def test_large_file_resume_from_the_middle(gql, private_storage, staff):  # noqa: F811
    page = download_page(
        title="Inventor installeur",
        product=ProductFactory(code="inventor", name="Inventor"),
        files=[("placeholder.txt", b"x")],
    )
    _write_big_file(private_storage / "downloads" / "big" / "inv.exe")
    DownloadFile.objects.filter(page=page).update(
        file="downloads/big/inv.exe", size=SIZE, sha256="0" * 64
    )
    file = DownloadFile.objects.get(page=page)
    url = gql(
        "mutation($id: ID!) { requestDownload(fileId: $id) { url } }",
        {"id": file.pk},
        user=staff,
    ).data["requestDownload"]["url"]
    start = 150 * CHUNK
    response = Client().get(url, HTTP_RANGE=f"bytes={start}-{start + 15}")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == (150).to_bytes(8, "big") + bytes(8)
    assert response["Content-Range"] == f"bytes {start}-{start + 15}/{SIZE}"
