"""Knowledge-base test data: an index page and articles of every audience."""

from __future__ import annotations

import itertools

from django.utils import timezone
from wagtail.models import Page

from catalog.models import Product
from knowledge.models import ArticlePage, Audience, Category, KnowledgeIndexPage

_counter = itertools.count(1)

BODY = [
    {"type": "heading", "value": {"text": "Symptôme", "level": "h2"}},
    {"type": "paragraph", "value": "<p>AutoCAD affiche l'erreur <b>-15.570.0</b>.</p>"},
    {
        "type": "code",
        "value": {"language": "batch", "code": "lmutil lmstat -a", "caption": ""},
    },
    {
        "type": "callout",
        "value": {
            "kind": "warning",
            "title": "Attention",
            "text": "<p>Sauvegardez.</p>",
        },
    },
]


def knowledge_index() -> KnowledgeIndexPage:
    existing = KnowledgeIndexPage.objects.first()
    if existing:
        return existing
    root = Page.get_first_root_node()
    index = KnowledgeIndexPage(
        title="Base de connaissances", slug="base-de-connaissances"
    )
    root.add_child(instance=index)
    index.save_revision().publish()
    return index


def category(slug: str = "autocad", parent: Category | None = None) -> Category:
    return Category.objects.get_or_create(
        slug=slug, defaults={"name": slug.title(), "parent": parent}
    )[0]


def product(code: str = "revit") -> Product:
    return Product.objects.get_or_create(code=code, defaults={"name": code.title()})[0]


def article(
    title: str | None = None,
    *,
    audience: str = Audience.PUBLIC,
    publish: bool = True,
    companies=(),
    products=(),
    tags=(),
    body=None,
    cat: Category | None = None,
    **fields,
) -> ArticlePage:
    n = next(_counter)
    title = title or f"Article {n}"
    page = ArticlePage(
        title=title,
        slug=f"article-{n}",
        summary=f"Résumé de {title}",
        body=body if body is not None else BODY,
        category=cat or category(),
        audience=audience,
        **fields,
    )
    knowledge_index().add_child(instance=page)
    page.companies.set(companies)
    page.products.set(products)
    if tags:
        page.tags.add(*tags)
    page.save()
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        ArticlePage.objects.filter(pk=page.pk).update(live=False)
    page.refresh_from_db()
    return page


def expired_article(**kwargs) -> ArticlePage:
    page = article(**kwargs)
    ArticlePage.objects.filter(pk=page.pk).update(
        expire_at=timezone.now() - timezone.timedelta(hours=1)
    )
    return page


def scheduled_article(**kwargs) -> ArticlePage:
    page = article(publish=False, **kwargs)
    page.go_live_at = timezone.now() + timezone.timedelta(days=3)
    page.save_revision().publish()  # with a future go_live_at: scheduled, not live
    page.refresh_from_db()
    return page
