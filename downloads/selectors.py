"""Downloads, the reads: who may read a download page and fetch its files, and the
download history.

The entitlement rule lives in :func:`download_entitlement_for` and nowhere else; the
GraphQL fields, the mutation and the file view all call it. For lists, the caller's
holdings are loaded once per request (:func:`access_for`), not once per file. The
writes (signed links, the audit, publication and its e-mails) are in
:mod:`downloads.services`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from catalog.models import Product, ProductRelease
from catalog.selectors import Entitlement, Holdings
from cms.access import Caller, caller_of
from cms.api.errors import object_id
from cms.api.pagination import page_bounds
from cms.visibility import register_page_rule, visible_pages
from knowledge.selectors import articles_visible_to

from .models import DownloadEvent, DownloadFile, DownloadKind, DownloadPage

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

    def __init__(
        self,
        caller: Caller,
        at: datetime.date | None = None,
        *,
        holdings: Holdings | None = None,
    ):
        """``holdings``: the caller's company's, when already loaded."""
        self.caller = caller
        self.at = at
        self._holdings = holdings
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
    file_id = object_id(file_id)
    if file_id is None:
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


# --- A ticket's downloads -------------------------------------------------------------

# What fixes a problem in a release: not full versions or utilities.
FIX_KINDS = (DownloadKind.PATCH, DownloadKind.HOTFIX, DownloadKind.UPDATE)


@dataclass
class TicketDownload:
    """A file of the latest fix of a ticket's product and release, with whether the
    ticket's company may download it (and why not) and whether it already did."""

    page: DownloadPage
    file: DownloadFile
    can_download: bool
    reason: str | None
    already_downloaded: bool


def ticket_downloads_for(
    *,
    caller: Caller,
    product: str,
    version: str | None = None,
    holdings: Holdings | None = None,
) -> list[TicketDownload]:
    """The latest patch, hotfix and update of ``product`` (a code) for ``version``
    (a release such as « 2026 »; pages for every release count too), each file
    judged for the company ``caller`` acts for (:meth:`Caller.for_ticket_of`): its
    entitlement (:class:`DownloadAccess`, ``holdings`` if already loaded) and its
    download history. A constant number of queries."""
    if not caller.works_tickets or caller.company_id is None:
        return []
    releases = DownloadPage.releases.through.objects.filter(
        downloadpage_id=OuterRef("pk")
    )
    pages = download_pages_visible_to(caller).filter(product__code__iexact=product)
    if version:
        pages = pages.filter(
            ~Exists(releases)
            | Exists(releases.filter(productrelease__version__iexact=version))
        )
    newest = [
        pages.filter(kind=kind).order_by("-release_date", "-pk").values("pk")[:1]
        for kind in FIX_KINDS
    ]
    chosen = Q(pk__in=newest[0])
    for subquery in newest[1:]:
        chosen |= Q(pk__in=subquery)
    found = list(
        DownloadPage.objects.filter(chosen)
        .select_related("product")
        .prefetch_related("releases", "files")
        .order_by("-release_date", "-pk")
    )
    files = [file for page in found for file in page.files.all()]
    if not files:
        return []
    downloaded = set(
        DownloadEvent.objects.filter(
            company_id=caller.company_id, file__in=[f.pk for f in files]
        ).values_list("file_id", flat=True)
    )
    if holdings is not None and holdings.company_id != caller.company_id:
        holdings = None  # another company's (or none): the company's own are loaded
    access = DownloadAccess(caller, holdings=holdings)
    items = []
    for page in found:
        allowed, reason = access.check_page(page)
        for file in page.files.all():
            file.page = page  # the page just read, not a query per file
            items.append(
                TicketDownload(
                    page, file, allowed, reason or None, file.pk in downloaded
                )
            )
    return items


# --- History ---------------------------------------------------------------------


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
