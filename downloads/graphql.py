"""GraphQL for downloads: the list and detail of download pages the caller may read,
the company's download history and the signed-link mutation.

Resolvers are thin: visibility and entitlement are decided in
:mod:`downloads.selectors`, links are signed by :mod:`downloads.services`. The
company's history is the ``downloads`` field of the catalogue's company type
(:data:`company_downloads_field`, added by :mod:`downloads.wagtail_hooks`).
"""

from __future__ import annotations

import graphene
from django.urls import reverse
from grapple.registry import registry

from cms.access import caller_of
from cms.api.errors import ApiError, NotFound
from cms.api.pagination import page_arguments, page_bounds, page_of, paginated_type

from . import selectors, services
from .models import DownloadFile, DownloadKind, DownloadPage

DownloadKindEnum = graphene.Enum.from_enum(DownloadKind, name="DownloadKind")


def download_page_type():
    return registry.pages[DownloadPage]


def download_file_type():
    return registry.models[DownloadFile]


DownloadList = paginated_type("DownloadList", download_page_type)


class DownloadHistoryPage(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    slug = graphene.String(required=True)
    version = graphene.String(required=True)


class DownloadHistoryEntry(graphene.ObjectType):
    """One download by a person of the company."""

    file = graphene.Field(download_file_type, required=True)
    page = graphene.Field(DownloadHistoryPage, required=True)
    at = graphene.DateTime(required=True)
    person = graphene.String(description="Name (or e-mail) of who downloaded it.")

    @staticmethod
    def resolve_page(event, info):
        return event.file.page

    @staticmethod
    def resolve_person(event, info):
        if event.user is None:
            return None
        return event.user.get_full_name() or event.user.email


DownloadHistoryList = paginated_type(
    "DownloadHistoryList", DownloadHistoryEntry, "One page of a company's downloads."
)


def resolve_company_downloads(company, info, page=1, per_page=50):
    offset, limit = page_bounds(page, per_page)
    history = selectors.download_history_for(
        caller=caller_of(info.context), company_id=company.pk
    )
    items = list(
        history.select_related("file__page__product").prefetch_related(
            "file__page__releases"
        )[offset : offset + limit]
    )
    return page_of(items, total=history.count(), page=page, per_page=per_page)


company_downloads_field = graphene.Field(
    DownloadHistoryList,
    required=True,
    **page_arguments(per_page=50),
    description="Files downloaded, newest first: everyone's for company admins "
    "and staff, one's own for members.",
    resolver=resolve_company_downloads,
)


class DownloadQuery(graphene.ObjectType):
    downloads = graphene.Field(
        DownloadList,
        required=True,
        product=graphene.String(description="Product code."),
        version=graphene.String(description="A release (« 2026 ») or a build."),
        kind=graphene.Argument(DownloadKindEnum),
        **page_arguments(per_page=20),
        description="Download pages the caller may read, newest first; each file "
        "says whether the caller may download it, and if not why.",
    )
    download = graphene.Field(download_page_type, slug=graphene.String(required=True))

    @staticmethod
    def resolve_downloads(
        root, info, product=None, version=None, kind=None, page=1, per_page=20
    ):
        items, total = selectors.download_list_for(
            caller=caller_of(info.context),
            product=product,
            version=version,
            kind=getattr(kind, "value", kind),
            page=page,
            per_page=per_page,
        )
        return page_of(items, total=total, page=page, per_page=per_page)

    @staticmethod
    def resolve_download(root, info, slug):
        return selectors.download_page_for(caller=caller_of(info.context), slug=slug)


class RequestDownload(graphene.Mutation):
    """A signed link to one file, valid a few minutes, for the person asking."""

    class Arguments:
        file_id = graphene.ID(required=True)

    url = graphene.String(required=True)
    expires_at = graphene.DateTime(required=True)
    sha256 = graphene.String(required=True)
    size = graphene.Float(required=True, description="Bytes (may exceed 2^31).")

    @staticmethod
    def mutate(root, info, file_id):
        request = info.context
        caller = caller_of(request)
        file = selectors.download_file_for(caller=caller, file_id=file_id)
        if file is None:
            raise NotFound("Fichier")
        allowed, reason = selectors.download_entitlement_for(caller, file)
        if not allowed:
            code = "FORBIDDEN" if caller.is_signed_in else "UNAUTHENTICATED"
            raise ApiError(reason, code=code)
        if caller.person is None and not file.page.is_public:
            # A link is bound to a person; a machine client has none.
            raise ApiError(
                "Un lien de téléchargement est lié à une personne connectée.",
                code="FORBIDDEN",
            )
        link = services.download_link_create(caller=caller, file=file)
        path = reverse("downloads:download_file", args=[link.token])
        return RequestDownload(
            url=request.build_absolute_uri(path),
            expires_at=link.expires_at,
            sha256=file.sha256,
            size=file.size,
        )


class DownloadMutation(graphene.ObjectType):
    request_download = RequestDownload.Field()
