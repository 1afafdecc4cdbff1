"""The signed-link view: serves a download file to the person a link was signed for."""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cms.access import caller_of
from cms.api.errors import error_response

from . import services

DOWNLOAD_CHUNK = 256 * 1024


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte positions of a single ``Range: bytes=...`` header, or
    None to serve the whole file (no header, several ranges, or a malformed one:
    RFC 9110 lets a server ignore those). :class:`RangeNotSatisfiable` when the
    range starts past the end."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, sep, last = header[len("bytes=") :].strip().partition("-")
    if not sep:
        return None
    try:
        if first == "":  # suffix: the last N bytes
            length = int(last)
            if length <= 0 or size == 0:
                raise RangeNotSatisfiable
            return max(0, size - length), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    if end < start:
        return None
    return start, min(end, size - 1)


def _stream(handle, start: int, length: int):
    """Read ``length`` bytes from ``start``, one chunk at a time."""
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(DOWNLOAD_CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _refused(
    request: HttpRequest, message: str, code: str = "FORBIDDEN", status: int = 403
) -> HttpResponse:
    """A refusal in the API's error shape ({"errors": [{message, extensions.code}]})."""
    response = error_response(request, message, code, status)
    response["Cache-Control"] = "private, no-store"
    return response


def _sendfile(response: HttpResponse, storage, name: str) -> bool:
    """Hand the transfer to nginx or Apache (``DOWNLOADS_SENDFILE``)."""
    mode = settings.DOWNLOADS_SENDFILE
    if mode == "x-accel-redirect":
        response["X-Accel-Redirect"] = settings.DOWNLOADS_ACCEL_PREFIX + quote(name)
        return True
    if mode == "x-sendfile":
        response["X-Sendfile"] = storage.path(name)
        return True
    return False


@require_GET
def download_file(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a signed download link: checks signature, expiry, person and the
    entitlement now, then streams the file (Range requests supported)."""
    try:
        file, holder = services.download_link_resolve(
            token=token, caller=caller_of(request)
        )
    except services.LinkRefused as exc:
        return _refused(request, str(exc), exc.code, exc.status)
    storage = file.file.storage
    name = file.file.name
    size = file.size if file.size else storage.size(name)
    range_header = request.headers.get("Range", "")
    try:
        span = parse_range(range_header, size)
    except RangeNotSatisfiable:
        response = _refused(
            request, "Plage demandée hors du fichier.", "BAD_REQUEST", status=416
        )
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = span if span else (0, size - 1)
    length = end - start + 1 if size else 0
    if start == 0:  # one audit row per download, not per resumed chunk
        services.download_event_record(
            file=file, caller=holder, bytes_range=range_header[:60] if span else ""
        )
    content_type = mimetypes.guess_type(file.file_name)[0] or "application/octet-stream"
    response = HttpResponse(content_type=content_type)
    if not _sendfile(response, storage, name):
        response = StreamingHttpResponse(
            _stream(storage.open(name, "rb"), start, length),
            content_type=content_type,
            status=206 if span else 200,
        )
        response["Content-Length"] = str(length)
        if span:
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=file.file_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Accept-Ranges"] = "bytes"
    response["X-Checksum-SHA256"] = file.sha256
    return response
