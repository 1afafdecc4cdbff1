"""The benchmark's own data generator (not the demo data): seeded, bulk, additive.

Articles are written straight into the page tree (paths computed, ``bulk_create`` for
``wagtailcore_page`` and a raw insert for the ``ArticlePage`` table), which takes
seconds for 10,000 pages where ``add_child`` takes minutes.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import shutil
import uuid
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Locale, Page, Site

from accounts.models import Company, PortalToken, User
from catalog.models import (
    Licence,
    LicenceType,
    Product,
    ProductRelease,
    Subscription,
    SupportContract,
)
from catalog.selectors import Holdings
from downloads.models import (
    DownloadFile,
    DownloadIndexPage,
    DownloadPage,
    downloads_storage,
)
from knowledge.models import (
    ArticlePage,
    ArticlePageRelatedLink,
    ArticlePageTag,
    Audience,
    Author,
    Category,
    KnowledgeIndexPage,
)
from knowledge.models.pages import plain_text

BENCH_COMPANY = "CLI-BENCH"
RELEASES = ("2024", "2025", "2026")
AUTHOR_PHOTO = "original_images/bench-author.png"
LONG_ARTICLE_SLUG = "bench-long-article"
DOWNLOAD_SLUG = "bench-installeur"
BATCH = 500

PRODUCTS = [
    ("autocad", "AutoCAD"),
    ("revit", "Revit"),
    ("civil3d", "Civil 3D"),
    ("inventor", "Inventor"),
    ("navisworks", "Navisworks Manage"),
    ("3dsmax", "3ds Max"),
    ("maya", "Maya"),
    ("fusion", "Fusion"),
    ("vault", "Vault Professional"),
    ("recap", "ReCap Pro"),
    ("infraworks", "InfraWorks"),
    ("advance-steel", "Advance Steel"),
]
COLLECTIONS = [
    (
        "aec",
        "AEC Collection",
        [
            "autocad",
            "revit",
            "civil3d",
            "navisworks",
            "infraworks",
            "recap",
            "advance-steel",
        ],
    ),
    ("pdm", "PD&M Collection", ["autocad", "inventor", "vault", "navisworks"]),
]
WORDS = (
    "licence réseau serveur flexnet erreur installation mise à jour plantage fichier "
    "gabarit famille export import impression traceur calque bloc référence externe "
    "nuage points coordonnées projection géoréférencement profil alignement surface "
    "corridor assemblage esquisse contrainte pièce mise en plan nomenclature coffre "
    "utilisateur droits déploiement image administrateur registre cache graphique "
    "carte pilote performance lenteur mémoire sauvegarde récupération corruption "
    "audit purge dynamo script paramètre partagé maquette collaboration cloud bim "
    "jeton flex connexion portail compte abonnement activation hors ligne proxy "
    "pare-feu port antivirus windows version compatibilité plugin application"
).split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _body(rng: random.Random, blocks: int) -> list[dict]:
    body = []
    for i in range(blocks):
        kind = ("heading", "paragraph", "paragraph", "code", "callout")[i % 5]
        if kind == "heading":
            value = {"text": _sentence(rng, 4), "level": "h2"}
        elif kind == "paragraph":
            value = f"<p>{_sentence(rng, 40)}</p>"
        elif kind == "code":
            value = {
                "language": "batch",
                "code": "lmutil lmstat -a -c 27000@srv",
                "caption": "",
            }
        else:
            value = {
                "kind": "warning",
                "title": "Attention",
                "text": f"<p>{_sentence(rng, 15)}</p>",
            }
        body.append(
            {
                "type": kind,
                "value": value,
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
            }
        )
    return body


def _author_photos(count: int) -> list:
    """``count`` Wagtail images sharing one small PNG in the media storage."""
    from django.core.files.storage import default_storage
    from PIL import Image as PILImage
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    if not default_storage.exists(AUTHOR_PHOTO):
        from io import BytesIO

        from django.core.files.base import ContentFile

        buffer = BytesIO()
        PILImage.new("RGB", (96, 96), (40, 90, 160)).save(buffer, "PNG")
        default_storage.save(AUTHOR_PHOTO, ContentFile(buffer.getvalue()))
    image_model = get_image_model()
    collection = Collection.get_first_root_node()
    return image_model.objects.bulk_create(
        [
            image_model(
                title=f"Photo {i}",
                file=AUTHOR_PHOTO,
                width=96,
                height=96,
                collection=collection,
            )
            for i in range(count)
        ]
    )


def create_base(*, n_companies: int) -> dict:
    """Taxonomy, products, authors, the knowledge index, client companies and the
    people the workloads act as."""
    rng = random.Random(7)
    products = {
        code: Product.objects.create(code=code, name=name, family="AEC")
        for code, name in PRODUCTS
    }
    for code, name, includes in COLLECTIONS:
        coll = Product.objects.create(code=code, name=name, is_collection=True)
        coll.includes.set([products[c] for c in includes])
        products[code] = coll
    categories = []
    for code, name in PRODUCTS:
        parent = Category.objects.create(name=name, slug=code)
        categories.append(parent)
        for sub in ("installation", "licences", "performance", "fichiers"):
            categories.append(
                Category.objects.create(
                    name=sub.title(), slug=f"{code}-{sub}", parent=parent
                )
            )
    ProductRelease.objects.bulk_create(
        [
            ProductRelease(
                product=products[code],
                version=version,
                release_date=datetime.date(int(version) - 1, 4, 1),
            )
            for code, _name in PRODUCTS
            for version in RELEASES
        ]
    )
    Tag.objects.bulk_create([Tag(name=f"tag-{i}", slug=f"tag-{i}") for i in range(200)])
    photos = _author_photos(30)
    Author.objects.bulk_create(
        [
            # Two in three authors have a photo (the portal shows it beside the name).
            Author(
                display_name=f"Ingénieur {i}",
                job_title="Ingénieur support",
                photo=photos[i] if i % 3 else None,
            )
            for i in range(30)
        ]
    )
    # Under the default site's root, where Wagtail's API (and a real site) looks.
    root = Site.objects.get(is_default_site=True).root_page
    index = KnowledgeIndexPage(title="Base de connaissances", slug="base-bench")
    root.add_child(instance=index)
    index.save_revision().publish()

    Company.objects.bulk_create(
        [
            Company(name=f"Société {i}", customer_number=f"CLI-{i:05d}")
            for i in range(n_companies - 1)
        ]
        + [Company(name="Bureau d'études Bench", customer_number=BENCH_COMPANY)]
    )
    company = Company.objects.get(customer_number=BENCH_COMPANY)
    admin = User.objects.create_user(
        email="admin@bench.example",
        password="bench",
        company=company,
        role=User.Role.ADMIN,
    )
    SupportContract.objects.create(
        company=company, level="premium", start_date=datetime.date(2025, 1, 1)
    )
    staff = User.objects.create_user(
        email="engineer@bench.example", password="bench", is_staff=True
    )
    _, admin_token = PortalToken.generate(user=admin)
    _ = rng
    return {"admin": admin, "admin_token": admin_token, "staff": staff}


def company_ids_for_articles() -> list[int]:
    """The companies an article of audience « Sociétés choisies » may name: the bench
    company among a few others, so some of them are readable by the measured client."""
    return list(
        Company.objects.order_by("-customer_number").values_list("pk", flat=True)[:5]
    )


@transaction.atomic
def add_articles(start: int, count: int, *, seed: int = 1) -> None:
    """Articles ``start`` .. ``start + count - 1`` under the knowledge index."""
    rng = random.Random(seed * 1_000_003 + start)
    index = KnowledgeIndexPage.objects.get()
    locale_id = Locale.get_default().pk
    ct = ContentType.objects.get_for_model(ArticlePage)
    category_ids = list(Category.objects.values_list("pk", flat=True))
    product_ids = list(
        Product.objects.filter(is_collection=False).values_list("pk", flat=True)
    )
    tag_ids = list(Tag.objects.values_list("pk", flat=True))
    author_ids = list(Author.objects.values_list("pk", flat=True))
    releases: dict[int, list[int]] = {}
    for pk, product_id in ProductRelease.objects.values_list("pk", "product_id"):
        releases.setdefault(product_id, []).append(pk)
    chosen_companies = company_ids_for_articles()
    base_time = timezone.now() - datetime.timedelta(days=3 * 365)
    local = list(ArticlePage._meta.local_concrete_fields)
    for batch_start in range(start, start + count, BATCH):
        numbers = range(batch_start, min(start + count, batch_start + BATCH))
        pages, details = [], []
        for n in numbers:
            long = n == 0
            title = "Article long : " + _sentence(rng, 6) if long else _sentence(rng, 7)
            slug = LONG_ARTICLE_SLUG if long else f"bench-{n}"
            published = base_time + datetime.timedelta(minutes=n * 7)
            pages.append(
                Page(
                    title=title,
                    draft_title=title,
                    slug=slug,
                    path=Page._get_path(index.path, index.depth + 1, n + 1),
                    depth=index.depth + 1,
                    numchild=0,
                    url_path=f"{index.url_path}{slug}/",
                    content_type=ct,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    latest_revision_created_at=published,
                    locale_id=locale_id,
                    translation_key=uuid.uuid4(),
                )
            )
            body = _body(rng, 200 if long else rng.randint(4, 10))
            audience = (
                Audience.PUBLIC
                if rng.random() < 0.85 or long
                else rng.choice(
                    [
                        Audience.CLIENTS,
                        Audience.PRODUCT_OWNERS,
                        Audience.COMPANIES,
                        Audience.INTERNAL,
                    ]
                )
            )
            details.append(
                {
                    "summary": _sentence(rng, 25),
                    "body": body,
                    "category_id": rng.choice(category_ids),
                    "audience": audience,
                    "word_count": sum(len(str(b["value"]).split()) for b in body),
                    "body_text": plain_text(body),
                    "last_reviewed_at": published.date(),
                }
            )
        Page.objects.bulk_create(pages)
        articles = [
            ArticlePage(page_ptr_id=p.pk, **d)
            for p, d in zip(pages, details, strict=True)
        ]
        ArticlePage._base_manager._insert(articles, fields=local)
        ArticlePageTag.objects.bulk_create(
            [
                ArticlePageTag(content_object_id=p.pk, tag_id=t)
                for p in pages
                for t in rng.sample(tag_ids, 3)
            ]
        )
        article_products = {p.pk: rng.sample(product_ids, 2) for p in pages}
        ArticlePage.products.through.objects.bulk_create(
            [
                ArticlePage.products.through(articlepage_id=pk, product_id=pr)
                for pk, prs in article_products.items()
                for pr in prs
            ]
        )
        # One or two versions of the article's products (AutoCAD 2025, Revit 2026).
        ArticlePage.versions.through.objects.bulk_create(
            [
                ArticlePage.versions.through(articlepage_id=pk, productrelease_id=r)
                for pk, prs in article_products.items()
                for r in {
                    rng.choice(releases[pr])
                    for pr in prs[: rng.randint(1, 2)]
                    if releases.get(pr)
                }
            ]
        )
        # Up to three related articles, among the ones written just before (some of
        # them not readable by everyone: the links are filtered per reader).
        ArticlePageRelatedLink.objects.bulk_create(
            [
                ArticlePageRelatedLink(page_id=p.pk, article_id=t.pk, sort_order=k)
                for i, p in enumerate(pages)
                for k, t in enumerate(
                    rng.sample(pages[max(0, i - 40) : i], min(i, rng.randint(0, 3)))
                )
            ]
        )
        ArticlePage.companies.through.objects.bulk_create(
            [
                ArticlePage.companies.through(articlepage_id=p.pk, company_id=c)
                for p, d in zip(pages, details, strict=True)
                if d["audience"] in (Audience.COMPANIES, Audience.PRODUCT_OWNERS)
                for c in rng.sample(chosen_companies, min(2, len(chosen_companies)))
            ]
        )
        ArticlePage.authors.through.objects.bulk_create(
            [
                ArticlePage.authors.through(articlepage_id=p.pk, author_id=a)
                for p in pages
                for a in rng.sample(author_ids, rng.randint(1, 2))
            ]
        )
    KnowledgeIndexPage.objects.filter(pk=index.pk).update(numchild=start + count)


@transaction.atomic
def add_subscriptions(company: Company, count: int, *, start: int = 0) -> None:
    """``count`` subscriptions of ``company``, each with one licence."""
    rng = random.Random(company.pk * 7919 + start)
    products = list(Product.objects.all())
    today = timezone.localdate()
    for batch_start in range(start, start + count, BATCH):
        numbers = range(batch_start, min(start + count, batch_start + BATCH))
        subs = []
        for n in numbers:
            begin = today - datetime.timedelta(days=rng.randint(0, 700))
            subs.append(
                Subscription(
                    company=company,
                    product=rng.choice(products),
                    autodesk_id=f"{company.pk}-{n:06d}",
                    contract_number=f"C{n:07d}",
                    seats=rng.randint(1, 20),
                    term="annual",
                    start_date=begin,
                    end_date=begin + datetime.timedelta(days=365),
                    reseller_name="Aplicit",
                    reseller_email="ventes@aplicit.example",
                    team="Équipe BIM",
                )
            )
        Subscription.objects.bulk_create(subs)
        Licence.objects.bulk_create(
            [
                Licence(
                    company=company,
                    subscription=s,
                    product=s.product,
                    licence_type=LicenceType.SINGLE_USER,
                    quantity=s.seats,
                    serial_number=f"562-{rng.randint(10**7, 10**8 - 1)}",
                    product_key="001R1",
                )
                for s in subs
            ]
        )


def add_other_subscriptions(total: int) -> None:
    """Spread ``total`` subscriptions over the companies other than the bench one."""
    others = list(Company.objects.exclude(customer_number=BENCH_COMPANY))
    if not others or total <= 0:
        return
    per = max(1, total // len(others))
    remaining = total
    for company in others:
        if remaining <= 0:
            break
        n = min(per, remaining)
        add_subscriptions(company, n)
        remaining -= n


def add_download(source: Path, company: Company) -> DownloadFile:
    """A download page for a product ``company`` is entitled to today (public when it
    holds none) with ``source`` as its one file, in the downloads storage. Idempotent:
    the bytes are copied only when the stored file is missing or of another size."""
    storage = downloads_storage()
    name = f"bench/{source.name}"
    size = source.stat().st_size
    copied = not storage.exists(name) or storage.size(name) != size
    if copied:
        target = Path(storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    file = DownloadFile.objects.filter(page__slug=DOWNLOAD_SLUG).first()
    if file is not None and not copied and file.size == size:
        return file
    digest = hashlib.sha256()
    with storage.open(name, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    if file is not None:
        file.file.name, file.size, file.sha256 = name, size, digest.hexdigest()
        file.save(update_fields=["file", "size", "sha256"])
        return file

    holdings = Holdings.load(company.pk)
    product = next(
        (
            p
            for p in Product.objects.filter(is_collection=False).order_by("pk")
            if holdings.entitlement(p.pk).entitled
        ),
        None,
    )
    index = DownloadIndexPage.objects.first()
    if index is None:
        index = DownloadIndexPage(title="Téléchargements", slug="telechargements-bench")
        Site.objects.get(is_default_site=True).root_page.add_child(instance=index)
        index.save_revision().publish()
    page = DownloadPage(
        title="Installeur complet (bench)",
        slug=DOWNLOAD_SLUG,
        kind="full_version",
        product=product or Product.objects.filter(is_collection=False).first(),
        version="2026.0.0",
        release_date=timezone.localdate(),
        is_public=product is None,
    )
    page.files = [
        DownloadFile(
            file=name,
            file_name=source.name,
            size=size,
            sha256=digest.hexdigest(),
        )
    ]
    index.add_child(instance=page)
    page.save_revision().publish()
    return page.files.get()
