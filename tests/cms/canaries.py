"""Canaries for the schema walk: restricted objects of every kind, each place of each
one carrying its own greppable marker (``CANARY-<code>-<hex>``), and readable objects
beside them so the walk has something to traverse into.

Every marker is registered with the object it belongs to, the place it sits in and the
callers who must never read it; every object is registered with its primary key and
the lookup values (slug, url path, ticket reference...) a query could name it by.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Page, PageViewRestriction, Site

from downloads.models import DownloadEvent, DownloadIndexPage, DownloadPage
from knowledge.models import (
    ArticleFeedback,
    ArticlePage,
    ArticlePageRelatedLink,
    Audience,
    KnowledgeIndexPage,
)
from search.models import SearchQueryDaily, TicketArticleLink
from tests.catalog import factories as cf
from tests.downloads.helpers import download_page
from tests.knowledge import factories as kb

# The callers the walk runs as. Staff reads every published canary (the walk checks
# it reaches them) but never a draft, a scheduled or expired page.
CALLERS = ("anonymous", "member_a", "admin_a", "service", "staff")
EVERYONE = frozenset(CALLERS) - {"staff"}
NEVER_SERVED = frozenset(CALLERS)
ANONYMOUS = frozenset({"anonymous"})
# No company's own data for the service token (a signed-in caller all the same).
SIGNED_OUT = ANONYMOUS | {"service"}
NOBODY = frozenset()

# What the readable articles say, so a search has something to find.
READABLE_WORD = "zorglub"


@dataclass(frozen=True)
class Canary:
    marker: str
    subject: str  # the restricted object, e.g. "internal article"
    place: str  # where the marker sits, e.g. "code block"
    hidden_from: frozenset[str]


@dataclass(frozen=True)
class Planted:
    """An object a query argument may point at."""

    subject: str
    model: type[models.Model]
    pk: int
    hidden_from: frozenset[str]
    # argument vocabulary (snake_case) -> value: slug, url_path, ticket_ref, ...
    lookups: tuple[tuple[str, str], ...] = ()
    # a readable object that holds canaries all the same (an unpublished revision)
    holds_canaries_for: frozenset[str] = frozenset()

    def lookup(self, key: str) -> str | None:
        return dict(self.lookups).get(key)


@dataclass
class Garden:
    canaries: dict[str, Canary] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)
    search_words: tuple[str, ...] = (READABLE_WORD, "CANARY")

    def marker(self, code: str, subject: str, place: str, hidden: frozenset) -> str:
        """A new marker, at most 18 characters (a product key holds 20)."""
        value = f"CANARY-{code}-{secrets.token_hex(3)}"
        self.literal(value, subject, place, hidden)
        return value

    def slug(
        self, code: str, subject: str, hidden: frozenset, place: str = "slug"
    ) -> str:
        """A marker fit for a slug, a file name or a path (lower case)."""
        return self.marker(code, subject, place, hidden).lower()

    def literal(self, value: str, subject: str, place: str, hidden: frozenset) -> None:
        self.canaries[value.lower()] = Canary(value, subject, place, hidden)

    def plant(
        self,
        obj,
        subject: str,
        hidden: frozenset,
        holds_canaries_for: frozenset = NOBODY,
        **lookups,
    ) -> None:
        model = type(obj)
        if isinstance(obj, Page):
            page = obj.specific
            model = type(page)
            ct = page.content_type
            lookups = {
                "slug": page.slug,
                "url_path": page.url_path,
                "content_type": f"{ct.app_label}.{ct.model}",
                **lookups,
            }
        pairs = tuple((k, str(v)) for k, v in lookups.items() if v)
        self.planted.append(
            Planted(subject, model, obj.pk, hidden, pairs, holds_canaries_for)
        )


def _rich(text: str) -> str:
    return f"<p>{text}</p>"


def _image(title: str, filename: str):
    image = get_image_model()(
        title=title, file=get_test_image_file(filename, size=(8, 8))
    )
    image.save()
    return image


def _document(title: str, filename: str, content: bytes = b"contenu"):
    document = get_document_model()(title=title)
    document.file.save(filename, ContentFile(content), save=True)
    return document


def _article(
    garden: Garden,
    code: str,
    subject: str,
    hidden: frozenset,
    *,
    audience: str = Audience.PUBLIC,
    publish: bool = True,
    body_extra: list | None = None,
    **fields,
) -> ArticlePage:
    """An article whose title, slug, summary, SEO fields, body blocks and tag each
    carry a marker of their own (published unless ``publish`` is false)."""

    def m(place_code: str, place: str) -> str:
        return garden.marker(f"{code}{place_code}", subject, place, hidden)

    body = [
        {"type": "heading", "value": {"text": m("h", "heading"), "level": "h2"}},
        {"type": "paragraph", "value": _rich(m("p", "rich text"))},
        {
            "type": "code",
            "value": {"language": "batch", "code": m("c", "code"), "caption": ""},
        },
        {
            "type": "callout",
            "value": {
                "kind": "warning",
                "title": m("k", "callout title"),
                "text": _rich(m("q", "callout text")),
            },
        },
        *(body_extra or []),
    ]
    tags = [garden.slug(f"{code}g", subject, hidden, "tag")]
    page = kb.article(
        m("t", "title"),
        audience=audience,
        publish=False,
        body=body,
        tags=tags,
        **fields,
    )
    page.slug = garden.slug(f"{code}s", subject, hidden)
    page.summary = m("m", "summary")
    page.seo_title = m("o", "SEO title")
    page.search_description = m("d", "search description")
    page.live = False
    page.save()
    revision = page.save_revision()
    if publish:
        revision.publish()
    page.refresh_from_db()
    for tag_object in page.tags.all():
        garden.plant(tag_object, f"tag of the {subject}", hidden, tag=tag_object.slug)
    return page


def plant_garden(*, company_a, company_b, member_a, admin_a, member_b, staff) -> Garden:
    g = Garden()
    # Both sections under the site's root page, as the demo and production have them
    # (the factories would otherwise put them beside it).
    site = Site.objects.get(is_default_site=True)
    for index in (
        KnowledgeIndexPage(title="Base de connaissances", slug="base-de-connaissances"),
        DownloadIndexPage(title="Téléchargements", slug="telechargements"),
    ):
        site.root_page.add_child(instance=index)
        index.save_revision().publish()
    g.plant(kb.knowledge_index(), "knowledge index", NOBODY)
    g.plant(site, "default site", NOBODY, hostname=site.hostname, site=site.hostname)
    g.plant(site.root_page, "site root page", NOBODY)
    g.plant(Collection.get_first_root_node(), "root collection", NOBODY)
    for company in (company_a, company_b):
        g.plant(
            company,
            f"company {company.customer_number[-1]}",
            EVERYONE if company == company_b else SIGNED_OUT,
            customer_number=company.customer_number,
        )
    for person in (member_a, admin_a, member_b, staff):
        g.plant(person, f"person {person.email}", NOBODY, email=person.email)

    # Products: company A holds one, company B holds another (only B holds it).
    product_a = cf.ProductFactory(code="produit-a", name="Produit A")
    product_b = cf.ProductFactory(code="produit-b", name="Produit B")
    for product in (product_a, product_b):
        g.plant(product, f"product {product.code}", NOBODY, product=product.code)

    # --- readable objects -------------------------------------------------------
    image = _image("Schéma réseau", "schema-reseau.png")
    document = _document("Guide lmutil", "guide-lmutil.txt")
    g.plant(image, "readable image", NOBODY)
    g.plant(document, "readable document", NOBODY)
    public = kb.article(
        f"Licence réseau {READABLE_WORD}",
        tags=["licence"],
        body=[
            {"type": "paragraph", "value": _rich(f"Le mot {READABLE_WORD}.")},
            {"type": "image", "value": {"image": image.pk, "caption": "", "alt": ""}},
            {"type": "attachment", "value": {"document": document.pk, "title": "x"}},
        ],
    )
    g.plant(public, "readable public article", NOBODY, tag="licence")
    g.plant(kb.category(), "category", NOBODY, category=kb.category().slug)

    # --- articles nobody but staff reads ------------------------------------------
    s = "internal article"
    internal_image = _image(
        g.marker("inti", s, "image title", EVERYONE),
        g.slug("intj", s, EVERYONE, "image file name") + ".png",
    )
    internal_doc = _document(
        g.marker("intx", s, "document title", EVERYONE),
        g.slug("intf", s, EVERYONE, "document file name") + ".txt",
    )
    internal = _article(
        g,
        "int",
        s,
        EVERYONE,
        audience=Audience.INTERNAL,
        body_extra=[
            {"type": "image", "value": {"image": internal_image.pk, "caption": ""}},
            {"type": "attachment", "value": {"document": internal_doc.pk}},
        ],
    )
    g.plant(internal, s, EVERYONE)
    g.plant(internal_image, "image of the internal article", EVERYONE)
    g.plant(internal_doc, "document of the internal article", EVERYONE)

    s = "clients article"
    for_clients = _article(g, "cli", s, ANONYMOUS, audience=Audience.CLIENTS)
    g.plant(for_clients, s, ANONYMOUS)

    s = "companies article (B)"
    for_b = _article(
        g, "cmb", s, EVERYONE, audience=Audience.COMPANIES, companies=[company_b]
    )
    g.plant(for_b, s, EVERYONE)

    s = "product owners article (B's product)"
    owners_b = _article(
        g, "pob", s, EVERYONE, audience=Audience.PRODUCT_OWNERS, products=[product_b]
    )
    g.plant(owners_b, s, EVERYONE)

    s = "never-published draft page"
    draft = _article(g, "new", s, NEVER_SERVED, publish=False)
    g.plant(draft, s, NEVER_SERVED)

    s = "scheduled page"
    scheduled = _article(g, "sch", s, NEVER_SERVED, publish=False)
    scheduled.go_live_at = timezone.now() + datetime.timedelta(days=3)
    scheduled.save_revision().publish()  # future go_live_at: scheduled, not live
    g.plant(scheduled, s, NEVER_SERVED)

    s = "expired page"
    expired = _article(g, "exp", s, NEVER_SERVED)
    ArticlePage.objects.filter(pk=expired.pk).update(
        expire_at=timezone.now() - datetime.timedelta(hours=1)
    )
    g.plant(expired, s, NEVER_SERVED)

    s = "password-protected page"
    protected = _article(g, "pwd", s, NEVER_SERVED)
    PageViewRestriction.objects.create(
        page=protected, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    g.plant(protected, s, NEVER_SERVED)

    # A published public article whose latest revision (not published) has markers.
    s = "draft revision of a public article"
    revised = kb.article(f"Version publiée {READABLE_WORD}")
    g.plant(revised, "public article with a draft revision", NOBODY, NEVER_SERVED)
    revised.title = g.marker("drvt", s, "draft title", NEVER_SERVED)
    revised.body = [
        {
            "type": "paragraph",
            "value": _rich(g.marker("drvp", s, "draft body", NEVER_SERVED)),
        }
    ]
    revised.save_revision()  # not published

    # --- media no readable article uses ------------------------------------------
    s = "document no article uses"
    unused_doc = _document(
        g.marker("udoc", s, "title", EVERYONE),
        g.slug("udof", s, EVERYONE, "file name") + ".pdf",
    )
    g.plant(unused_doc, s, EVERYONE)
    s = "image no article uses"
    unused_image = _image(
        g.marker("uimg", s, "title", EVERYONE),
        g.slug("uimf", s, EVERYONE, "file name") + ".png",
    )
    g.plant(unused_image, s, EVERYONE)

    # --- catalogue ------------------------------------------------------------------
    s = "company B catalogue"
    company_b.name = g.marker("cbn", s, "company name", EVERYONE)
    company_b.save()
    member_b.last_name = g.marker("pbn", s, "person's name", EVERYONE)
    member_b.save()
    sub_b = cf.SubscriptionFactory(
        company=company_b,
        product=product_b,
        autodesk_id=g.marker("sbid", s, "subscription id", EVERYONE),
        contract_number=g.marker("sbct", s, "contract number", EVERYONE),
        team=g.marker("sbtm", s, "Autodesk team", EVERYONE),
    )
    licence_b = cf.LicenceFactory(
        subscription=sub_b,
        serial_number=g.marker("lbsn", s, "serial number", EVERYONE),
        product_key=g.marker("lbpk", s, "product key", EVERYONE),
        server_host=g.marker("lbsh", s, "licence server", EVERYONE),
    )
    contract_b = cf.SupportContractFactory(
        company=company_b, reference=g.marker("scb", s, "contract reference", EVERYONE)
    )
    for obj in (sub_b, licence_b, contract_b):
        g.plant(obj, f"{s}: {type(obj).__name__}", EVERYONE)

    # Company A's own catalogue: for its people; the secrets for its admin only
    # (members see them masked).
    s = "company A catalogue"
    sub_a = cf.SubscriptionFactory(
        company=company_a,
        product=product_a,
        contract_number=g.marker("sact", s, "contract number", SIGNED_OUT),
    )
    secrets_hidden = SIGNED_OUT | {"member_a"}
    licence_a = cf.LicenceFactory(
        subscription=sub_a,
        serial_number=g.marker("lasn", s, "serial number", secrets_hidden),
        product_key=g.marker("lapk", s, "product key", secrets_hidden),
    )
    contract_a = cf.SupportContractFactory(
        company=company_a,
        reference=g.marker("sca", s, "contract reference", SIGNED_OUT),
    )
    for obj in (sub_a, licence_a, contract_a):
        g.plant(obj, f"{s}: {type(obj).__name__}", SIGNED_OUT)

    # --- downloads -----------------------------------------------------------------
    # A non-public download page is for every signed-in caller (the ticketing
    # system included); its files for the companies entitled to them.
    s = "non-public download page"
    file_name = g.slug("npf", s, ANONYMOUS, "file name") + ".exe"
    content = f"installateur {file_name}".encode() * 64
    private = download_page(
        title=g.marker("npt", s, "title", ANONYMOUS),
        product=product_b,
        files=[(file_name, content)],
        release_notes=_rich(g.marker("npn", s, "release notes", ANONYMOUS)),
        search_description=g.marker("npd", s, "search description", ANONYMOUS),
    )
    private.slug = g.slug("nps", s, ANONYMOUS)  # a marker of its own, not the title's
    private.save_revision().publish()
    private.refresh_from_db()
    g.literal(hashlib.sha256(content).hexdigest(), s, "file sha256", ANONYMOUS)
    g.plant(private, s, ANONYMOUS)
    private_file = private.files.get()
    g.plant(private_file, f"{s}: file", ANONYMOUS)

    public_dl = download_page(
        title=f"Utilitaire {READABLE_WORD}",
        product=product_a,
        is_public=True,
        superseded_by=private,
    )
    public_dl.related_articles.set([public, internal, for_b])
    public_dl.save_revision().publish()
    g.plant(public_dl, "public download page", NOBODY)
    public_file = public_dl.files.get()
    g.plant(public_file, "public download page: file", NOBODY)
    g.plant(public_dl.get_parent(), "download index", NOBODY)

    s = "never-published download page"
    unpublished_dl = download_page(
        title=g.marker("ndt", s, "title", NEVER_SERVED),
        product=product_a,
        is_public=True,
        files=[(g.slug("ndf", s, NEVER_SERVED, "file name") + ".msi", b"brouillon")],
        publish=False,
    )
    unpublished_dl.slug = g.slug("nds", s, NEVER_SERVED)
    unpublished_dl.save()
    unpublished_dl.refresh_from_db()
    DownloadPage.objects.filter(pk=unpublished_dl.pk).update(live=False)
    g.plant(unpublished_dl, s, NEVER_SERVED)
    g.plant(unpublished_dl.files.get(), f"{s}: file", NEVER_SERVED)

    # Company B's download history (its person's name is a marker above).
    for file in (public_file, private_file):
        DownloadEvent.objects.create(file=file, user=member_b, company=company_b)

    # --- links that point at restricted objects ---------------------------------------
    for position, target in enumerate((internal, for_b, draft, expired, scheduled)):
        ArticlePageRelatedLink.objects.create(
            page=public, article=target, sort_order=position
        )
    s = "redirect to the internal article"
    old_path = "/" + g.slug("rdo", s, EVERYONE, "old path")
    redirect = Redirect.objects.create(old_path=old_path, redirect_page=internal)
    g.plant(redirect, s, EVERYONE)
    Redirect.objects.create(
        old_path="/" + g.slug("rdd", "redirect to a draft", NEVER_SERVED, "old path"),
        redirect_page=draft,
    )

    # --- search and ticketing ---------------------------------------------------------
    s = "search query logged by company B"
    SearchQueryDaily.objects.create(
        day=timezone.localdate(),
        normalised_query=g.slug("sql", s, EVERYONE, "query"),
        searches=1,
    )
    s = "ticket link (B)"
    ref_b = g.marker("tkb", s, "ticket reference", EVERYONE)
    link_b = TicketArticleLink.objects.create(
        ticket_ref=ref_b, article=for_b, company=company_b
    )
    g.plant(link_b, s, EVERYONE, ticket_ref=ref_b)
    link_a = TicketArticleLink.objects.create(
        ticket_ref="T-A-1", article=public, company=company_a
    )
    g.plant(link_a, "ticket link (A)", ANONYMOUS, ticket_ref="T-A-1")
    # Internal links of the same ticket: for staff and the ticketing system, never
    # company A's people, even to an article they may read. Such a link shows
    # nothing of its own but its creation time: that is its marker.
    s = "internal link of a ticket of A"
    created_at = datetime.datetime(
        2001, 2, 3, 4, 5, 6, secrets.randbelow(10**6) or 1, tzinfo=datetime.UTC
    )
    TicketArticleLink.objects.create(
        ticket_ref="T-A-1",
        article=for_clients,
        company=company_a,
        internal=True,
        created_at=created_at,
    )
    g.literal(created_at.isoformat(), s, "creation time", EVERYONE - {"service"})
    # Links made while these pages were served (since expired, protected): the
    # ticketing system and staff must not be served them through a link either.
    for target in (internal, expired, protected):
        TicketArticleLink.objects.create(
            ticket_ref="T-A-1", article=target, company=company_a, internal=True
        )
    s = "feedback of company B"
    ArticleFeedback.objects.create(
        article=public,
        user=member_b,
        helpful=False,
        comment=g.marker("fbb", s, "comment", EVERYONE),
    )
    return g
