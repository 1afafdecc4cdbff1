"""Downloads, the writes: signed links to a file, the audit of every download, and
what publishing a download page does (the "latest" flag, the notification e-mails).

Who may fetch what is decided by :mod:`downloads.selectors`; a link is checked again
when it is followed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from cms.access import ANONYMOUS as ANONYMOUS_CALLER
from cms.access import Caller
from cms.generation import content_changed

from .models import (
    DownloadEvent,
    DownloadFile,
    DownloadNotification,
    DownloadNotificationPreference,
    DownloadPage,
)
from .selectors import DownloadAccess, download_entitlement_for, download_file_for

# The salt of links signed before downloads left the catalog app: kept, so that a
# link handed out just before a deployment still opens.
LINK_SALT = "catalog.download-link"
ANONYMOUS = "anon"


# --- Signed links --------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadLink:
    token: str
    expires_at: datetime.datetime
    file: DownloadFile


class LinkRefused(Exception):
    """A link that may not be served; the message is for the person, the code one
    of the API's (:data:`cms.api.errors.CODES`)."""

    def __init__(self, message: str, code: str = "FORBIDDEN", status: int = 403):
        super().__init__(message)
        self.code, self.status = code, status


def download_link_create(*, caller: Caller, file: DownloadFile) -> DownloadLink:
    """A signed token for ``file``, bound to the caller's person (``anon`` for a
    public file asked for without one). The entitlement has been checked."""
    person = caller.person if caller.is_signed_in else None
    who = str(person.pk) if person is not None else ANONYMOUS
    token = signing.dumps({"f": file.pk, "u": who}, salt=LINK_SALT, compress=False)
    ttl = settings.DOWNLOAD_LINK_TTL_SECONDS
    return DownloadLink(
        token=token,
        expires_at=timezone.now() + datetime.timedelta(seconds=ttl),
        file=file,
    )


def download_link_resolve(*, token: str, caller: Caller) -> tuple[DownloadFile, Caller]:
    """The file and person of a valid link, entitled now; :class:`LinkRefused`
    otherwise.

    The person is the one named in the signed payload (returned as a caller): a
    browser following the link sends no API token. A request signed in as someone
    else is refused.
    """
    try:
        payload = signing.loads(
            token, salt=LINK_SALT, max_age=settings.DOWNLOAD_LINK_TTL_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise LinkRefused(
            "Ce lien de téléchargement a expiré : demandez-en un nouveau."
        ) from exc
    except signing.BadSignature as exc:
        raise LinkRefused("Ce lien de téléchargement n'est pas valide.") from exc
    who = str(payload.get("u"))
    present = caller.person
    if who != ANONYMOUS and present is not None and str(present.pk) != who:
        raise LinkRefused(
            "Ce lien de téléchargement a été demandé par une autre personne : "
            "demandez le vôtre depuis le portail."
        )
    holder = ANONYMOUS_CALLER
    if who != ANONYMOUS:
        person = (
            User.objects.filter(pk=who, is_active=True)
            .select_related("company")
            .first()
        )
        if person is None:
            raise LinkRefused("Ce lien de téléchargement n'est pas valide.")
        holder = Caller.of_user(person)
    file = download_file_for(caller=holder, file_id=payload.get("f"))
    if file is None:
        raise LinkRefused(
            "Ce fichier n'est plus disponible.", code="NOT_FOUND", status=404
        )
    allowed, reason = download_entitlement_for(holder, file)
    if not allowed:
        raise LinkRefused(f"Vous n'avez plus accès à ce fichier. {reason}")
    return file, holder


# --- Audit ---------------------------------------------------------------------------


def download_event_record(
    *, file: DownloadFile, caller: Caller, bytes_range: str = ""
) -> DownloadEvent:
    return DownloadEvent.objects.create(
        file=file,
        user=caller.person,
        company_id=caller.company_id if caller.is_client else None,
        bytes_range=bytes_range,
    )


# --- Publication -------------------------------------------------------------------


@transaction.atomic
def download_page_latest_set(*, page: DownloadPage) -> None:
    """On publication: a page marked "latest" takes the flag from the other pages of
    the same product and releases."""
    if page.is_latest:
        _clear_other_latest(page)


def _clear_other_latest(page: DownloadPage) -> None:
    others = DownloadPage.objects.filter(
        product_id=page.product_id, is_latest=True
    ).exclude(pk=page.pk)
    release_ids = {r.pk for r in page.releases.all()}
    if release_ids:
        others = others.filter(releases__in=release_ids)
    else:
        others = others.filter(releases__isnull=True)
    DownloadPage.objects.filter(
        pk__in=list(others.values_list("pk", flat=True))
    ).update(is_latest=False)
    content_changed()  # an update() sends no signal: the API's kept answers go


def _opted_in(users: list[User]) -> list[User]:
    choices = dict(
        DownloadNotificationPreference.objects.filter(user__in=users).values_list(
            "user_id", "opted_in"
        )
    )
    return [u for u in users if choices.get(u.pk, u.is_company_admin)]


def download_notifications_send(*, page_id: int) -> int:
    """E-mail each opted-in person of each company entitled to the page (everyone
    with a company for a public page), once per page ever. Returns e-mails sent."""
    page = (
        DownloadPage.objects.live()
        .filter(pk=page_id)
        .select_related("product")
        .prefetch_related("releases")
        .first()
    )
    if page is None:
        return 0
    people = list(
        User.objects.filter(
            is_active=True, company__isnull=False, company__is_active=True
        )
        .select_related("company")
        .exclude(email="")
        .exclude(download_notifications__page=page)
        .order_by("pk")
    )
    entitled_companies: dict[int, bool] = {}
    sent = 0
    for person in _opted_in(people):
        if person.company_id not in entitled_companies:
            entitled_companies[person.company_id] = DownloadAccess(
                Caller.of_user(person)
            ).check_page(page)[0]
        if not entitled_companies[person.company_id]:
            continue
        try:
            with transaction.atomic():
                DownloadNotification.objects.create(page=page, user=person)
        except IntegrityError:
            continue  # another worker got there first
        send_mail(
            subject=f"Nouveau téléchargement : {page.headline}",
            message=render_to_string(
                "downloads/email/download_published.txt",
                {"page": page, "person": person, "portal_url": settings.PORTAL_URL},
            ),
            from_email=None,
            recipient_list=[person.email],
        )
        sent += 1
    return sent
