"""Downloads: who may read a download page and fetch its files (selectors), signed
links, the audit and the publication e-mails (services).

The entitlement rule lives in :func:`download_entitlement_for` and nowhere else; the
GraphQL fields, the mutation and the file view all call it. For lists, the caller's
holdings are loaded once per request (:func:`access_for`), not once per file.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from cms.access import ANONYMOUS as ANONYMOUS_CALLER
from cms.access import Caller, caller_of
from cms.api.pagination import page_bounds
from cms.visibility import register_page_rule, visible_pages

from .models import (
    DownloadEvent,
    DownloadFile,
    DownloadNotification,
    DownloadNotificationPreference,
    DownloadPage,
    Product,
    ProductRelease,
)
from .selectors import Entitlement, Holdings

logger = logging.getLogger(__name__)

LINK_SALT = "catalog.download-link"
ANONYMOUS = "anon"


# --- Page visibility ---------------------------------------------------------------


@register_page_rule
def _hide_private_download_pages(qs: QuerySet, caller: Caller) -> QuerySet:
    """Public download pages for everyone; the others for signed-in callers."""
    if caller.is_signed_in:
        return qs
    return qs.exclude(pk__in=DownloadPage.objects.filter(is_public=False).values("pk"))


def download_pages_visible_to(caller: Caller) -> QuerySet[DownloadPage]:
    """The download pages ``caller`` may read (the one door for download pages)."""
    return visible_pages(caller, DownloadPage.objects.all())


def download_list_for(
    *,
    caller: Caller,
    product: str | None = None,
    version: str | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[DownloadPage], int]:
    """A page of the download pages ``caller`` may read, newest first, with what the
    GraphQL list shows prefetched (constant queries whatever the count), and the
    total. ``version`` matches a release ("2026") or the page's version/build."""
    offset, limit = page_bounds(page, per_page)
    qs = download_pages_visible_to(caller)
    if product:
        qs = qs.filter(product__code=product)
    if version:
        qs = qs.filter(
            Q(releases__version=version) | Q(version__iexact=version)
        ).distinct()
    if kind:
        qs = qs.filter(kind=kind)
    total = qs.count()
    items = list(
        _with_details(qs.order_by("-release_date", "-pk"), caller)[
            offset : offset + limit
        ]
    )
    return items, total


def _with_details(qs: QuerySet[DownloadPage], caller: Caller) -> QuerySet[DownloadPage]:
    """What a page shows, in a constant number of queries; linked articles already
    filtered by :func:`knowledge.selectors.articles_visible_to`."""
    from knowledge.selectors import articles_visible_to

    return qs.select_related("product").prefetch_related(
        "releases",
        "files",
        Prefetch(
            "related_articles",
            queryset=articles_visible_to(caller).order_by("title"),
            to_attr="visible_related_articles",
        ),
    )


def download_page_for(*, caller: Caller, slug: str) -> DownloadPage | None:
    return _with_details(
        download_pages_visible_to(caller).filter(slug=slug), caller
    ).first()


def related_articles_for(page: DownloadPage, *, caller: Caller) -> list:
    """The knowledge-base articles linked from ``page`` that ``caller`` may read."""
    from knowledge.selectors import articles_visible_to

    prefetched = getattr(page, "visible_related_articles", None)
    if prefetched is not None:
        return prefetched
    return list(
        articles_visible_to(caller)
        .filter(pk__in=page.related_articles.values("pk"))
        .order_by("title")
    )


def superseding_page_for(page: DownloadPage, *, caller: Caller) -> DownloadPage | None:
    if page.superseded_by_id is None:
        return None
    return download_pages_visible_to(caller).filter(pk=page.superseded_by_id).first()


# --- Entitlement -------------------------------------------------------------------


def _date(d: datetime.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else "?"


def refusal_message(
    entitlement: Entitlement, product: Product, release: ProductRelease | None
) -> str:
    """Why a file is refused, in French, about the caller's own company only."""
    sub = entitlement.subscription
    return {
        "no_subscription": f"Aucun abonnement pour {product.name}.",
        "ended": f"Abonnement terminé le {_date(entitlement.ended_on)}.",
        "cancelled": f"Abonnement {product.name} résilié.",
        "not_started": "Abonnement actif à partir du "
        f"{_date(sub.start_date if sub else None)}.",
        "release_not_covered": f"{product.name} {release.version if release else ''} "
        "est sorti après la fin de votre abonnement "
        f"({_date(entitlement.ended_on)}).",
    }.get(entitlement.reason, f"Aucun abonnement en cours pour {product.name}.")


def _page_release(page: DownloadPage) -> ProductRelease | None:
    """The release that decides a release-specific page's refusal reason: the
    earliest it applies to (a subscription that covered it covers the page)."""
    releases = sorted(
        page.releases.all(), key=lambda r: r.release_date or datetime.date.max
    )
    return releases[0] if releases else None


class DownloadAccess:
    """A caller's download rights, computed once (per request) for many files."""

    def __init__(self, caller: Caller, at: datetime.date | None = None):
        self.caller = caller
        self.at = at
        self._holdings: Holdings | None = None
        self._cache: dict[tuple[int, int | None], tuple[bool, str]] = {}

    @property
    def holdings(self) -> Holdings:
        if self._holdings is None:
            self._holdings = Holdings.load(self.caller.company_id, self.at)
        return self._holdings

    def check(self, file: DownloadFile) -> tuple[bool, str]:
        return self.check_page(file.page)

    def check_page(self, page: DownloadPage) -> tuple[bool, str]:
        caller = self.caller
        if caller.is_staff or page.is_public:
            return True, ""
        if not caller.is_signed_in:
            return False, "Connectez-vous pour télécharger."
        if caller.company_id is None:
            return False, "Aucune société cliente : ce fichier est réservé aux clients."
        release = _page_release(page)
        key = (page.product_id, release.pk if release else None)
        if key not in self._cache:
            entitlement = self.holdings.entitlement(page.product_id, release)
            if entitlement.entitled:
                self._cache[key] = (True, "")
            else:
                self._cache[key] = (
                    False,
                    refusal_message(entitlement, page.product, release),
                )
        return self._cache[key]


def access_for(request) -> DownloadAccess:
    """The caller's :class:`DownloadAccess`, kept on the request."""
    caller = caller_of(request)
    access = getattr(request, "_download_access", None)
    if access is None or access.caller is not caller:
        access = DownloadAccess(caller)
        request._download_access = access
    return access


def download_entitlement_for(
    caller: Caller, file: DownloadFile, *, at: datetime.date | None = None
) -> tuple[bool, str]:
    """Whether ``caller`` may download ``file`` now (or on ``at``), and if not why:
    staff always; anyone for a public page; otherwise a client (or a service acting
    for a company) whose company holds the page's product (and release, for a
    release-specific page)."""
    return DownloadAccess(caller, at).check(file)


def download_file_for(*, caller: Caller, file_id) -> DownloadFile | None:
    """A file of a download page ``caller`` may read (whether they may download it is
    :func:`download_entitlement_for`'s answer)."""
    try:
        file_id = int(file_id)
    except (TypeError, ValueError, OverflowError):
        return None
    return (
        # Checked for this file's page (EXISTS on its key), not "IN (every visible
        # page)": SQLite would list visible pages by walking every page of the site.
        DownloadFile.objects.filter(
            Exists(download_pages_visible_to(caller).filter(pk=OuterRef("page_id"))),
            pk=file_id,
        )
        .select_related("page", "page__product")
        .prefetch_related("page__releases")
        .first()
    )


# --- Signed links --------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadLink:
    token: str
    expires_at: datetime.datetime
    file: DownloadFile


class LinkRefused(Exception):
    """A link that may not be served; the message is for the person."""


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
        raise LinkRefused("Ce fichier n'est plus disponible.")
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


def download_history_for(*, caller: Caller, company_id: int) -> QuerySet[DownloadEvent]:
    """A company's download history: company admins and staff see everyone's,
    members only their own."""
    if not caller.sees_company(company_id):
        return DownloadEvent.objects.none()
    qs = DownloadEvent.objects.filter(company_id=company_id)
    if not (caller.is_staff or caller.is_company_admin):
        qs = qs.filter(user=caller.person)
    return qs.select_related("file", "file__page", "user").order_by("-at", "-pk")


def download_counts() -> QuerySet:
    """Staff report: downloads per file and per company."""
    return (
        DownloadEvent.objects.values(
            "file_id",
            "file__file_name",
            "file__page__title",
            "company_id",
            "company__name",
        )
        .annotate(count=Count("pk"))
        .order_by("-count", "file__file_name", "company__name")
    )


# --- Publication -------------------------------------------------------------------


def download_page_published(*, page: DownloadPage) -> None:
    """Wiring for ``page_published``: the "latest" flag moves to this page, and the
    notification e-mails are queued (once; the task skips people already told)."""
    if page.is_latest:
        _clear_other_latest(page)
    from .tasks import notify_download_published

    transaction.on_commit(lambda: notify_download_published.enqueue(page.pk))


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
            subject=f"Nouveau téléchargement : {page.title}",
            message=render_to_string(
                "catalog/email/download_published.txt",
                {"page": page, "person": person, "portal_url": settings.PORTAL_URL},
            ),
            from_email=None,
            recipient_list=[person.email],
        )
        sent += 1
    return sent
