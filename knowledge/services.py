"""Writes of the knowledge base: readers' feedback, view counts, and article drafts
written from a support ticket."""

from __future__ import annotations

import html
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.text import slugify
from wagtail.log_actions import log
from wagtail.models import Workflow

from catalog.models import Product, ProductRelease
from cms.api.errors import ApiError
from cms.counters import Batch, BufferedCounts

from .models import (
    ArticleDailyViews,
    ArticleFeedback,
    ArticlePage,
    Audience,
    Category,
    FeedbackReason,
    KnowledgeIndexPage,
)
from .workflow import WORKFLOW_NAME

MAX_COMMENT_LENGTH = 1000


@transaction.atomic
def article_rate(
    *,
    user,
    article: ArticlePage,
    helpful: bool,
    reason: str | None = None,
    comment: str | None = None,
) -> ArticleFeedback:
    """Record ``user``'s vote on ``article``; a new vote replaces the previous one."""
    if not user.is_authenticated:
        raise PermissionDenied("Connectez-vous pour donner votre avis.")
    reason = reason or ""
    comment = (comment or "").strip()
    if reason and reason not in FeedbackReason.values:
        raise ValidationError(
            f"Raison inconnue « {reason} ». "
            f"Valeurs : {', '.join(FeedbackReason.values)}."
        )
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            f"Le commentaire fait {len(comment)} caractères ; "
            f"{MAX_COMMENT_LENGTH} au plus."
        )
    feedback, _ = ArticleFeedback.objects.update_or_create(
        article=article,
        user=user,
        defaults={"helpful": helpful, "reason": reason, "comment": comment},
    )
    return feedback


def article_view_record(*, article_id: int) -> None:
    """Count one view of the article today: buffered in the process and written
    within ``ANALYTICS_FLUSH_SECONDS`` (:mod:`cms.counters`: what a crash may lose),
    one row per article and day."""
    _views.add((article_id, timezone.localdate()), count=1)


def _article_views_write(batch: Batch) -> None:
    """Add each (article, day)'s buffered views to its row (created if need be).
    Views of an article deleted meanwhile are dropped."""
    existing = set(
        ArticlePage.objects.filter(pk__in={pk for pk, _day in batch}).values_list(
            "pk", flat=True
        )
    )
    for (article_id, day), counts in batch.items():
        if article_id not in existing:
            continue
        n = counts["count"]
        rows = ArticleDailyViews.objects.filter(article_id=article_id, day=day)
        if rows.update(count=F("count") + n):
            continue
        try:
            with transaction.atomic():
                ArticleDailyViews.objects.create(
                    article_id=article_id, day=day, count=n
                )
        except IntegrityError:  # another process created the row first
            rows.update(count=F("count") + n)


_views = BufferedCounts("article-views", _article_views_write)


# Drafts from tickets (KCS) ---------------------------------------------------------

MAX_TITLE_LENGTH = 255  # Page.title
MAX_TEXT_LENGTH = 10_000  # problem, solution
MAX_SUMMARY_LENGTH = 500  # ArticlePage.summary
# Control characters other than tab and line breaks: never in a real ticket's text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str | None, *, field: str, label: str, max_length: int) -> str:
    """``value`` stripped, or a coded error naming the argument: empty, too long, or
    with a NUL character (PostgreSQL refuses them in text)."""
    value = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise ApiError(
            f"{label} : les caractères nuls (\\0) ne sont pas acceptés.", field=field
        )
    value = _CONTROL.sub(" ", value)
    if not value:
        raise ApiError(f"{label} : ce champ est obligatoire.", field=field)
    if len(value) > max_length:
        raise ApiError(
            f"{label} : {len(value)} caractères ; {max_length} au plus.", field=field
        )
    return value


def _paragraphs(text: str) -> list[dict]:
    """Rich-text paragraphs of a plain ``text`` (blank lines separate them, a line
    break stays one): every character escaped, so no markup of the input survives."""
    blocks = []
    for part in re.split(r"\n\s*\n", text):
        lines = [html.escape(line.strip()) for line in part.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            blocks.append(
                {"type": "paragraph", "value": f"<p>{'<br/>'.join(lines)}</p>"}
            )
    return blocks


def article_body_from_ticket(*, problem: str, solution: str) -> list[dict]:
    """The body of a draft written from a ticket: « Problème », then « Solution »."""
    return [
        {"type": "heading", "value": {"text": "Problème", "level": "h2"}},
        *_paragraphs(problem),
        {"type": "heading", "value": {"text": "Solution", "level": "h2"}},
        *_paragraphs(solution),
    ]


def _summary(problem: str) -> str:
    flat = " ".join(problem.split())
    if len(flat) <= MAX_SUMMARY_LENGTH:
        return flat
    return flat[: MAX_SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _unique_slug(index: KnowledgeIndexPage, title: str) -> str:
    """A slug free among the knowledge base's articles (drafts included)."""
    base = (slugify(title) or "article")[:60].strip("-") or "article"
    taken = set(
        index.get_children()
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _default_category(product: Product | None) -> Category:
    """The category most of the product's articles are in, else the first one: the
    engineers move the draft where it belongs when they finish it."""
    if product is not None:
        usual = (
            Category.objects.filter(articles__products=product)
            .annotate(n=Count("articles"))
            .order_by("-n", "name")
            .first()
        )
        if usual is not None:
            return usual
    category = Category.objects.order_by(
        F("parent_id").asc(nulls_first=True), "name", "pk"
    ).first()
    if category is None:
        raise ApiError(
            "La base de connaissances n'a encore aucune catégorie : créez-en une "
            "dans l'administration."
        )
    return category


def _editorial_workflow(index: KnowledgeIndexPage) -> Workflow:
    workflow = index.get_workflow() or (
        Workflow.objects.filter(name=WORKFLOW_NAME, active=True).first()
    )
    if workflow is None or not workflow.active:
        raise ApiError(
            f"Le circuit de relecture « {WORKFLOW_NAME} » n'est pas configuré.",
            code="INTERNAL",
        )
    return workflow


@transaction.atomic
def article_draft_from_ticket_create(
    *,
    title: str,
    problem: str,
    solution: str,
    product_code: str | None = None,
    version: str | None = None,
    audience: str = Audience.CLIENTS,
    category_slug: str | None = None,
    companies=(),
    user=None,
) -> ArticlePage:
    """A draft article written from a support ticket, submitted to the « Relecture
    technique » workflow: never published here, a lead approves it in the admin.

    ``user`` is the engineer (staff) who asked, recorded as the revision's author and
    the workflow's requester; None for the ticketing system (no person: Wagtail
    shows the revision as the system's). Any bad argument raises a coded error and
    nothing is created (one transaction)."""
    title = _text(title, field="title", label="Titre", max_length=MAX_TITLE_LENGTH)
    problem = _text(
        problem, field="problem", label="Problème", max_length=MAX_TEXT_LENGTH
    )
    solution = _text(
        solution, field="solution", label="Solution", max_length=MAX_TEXT_LENGTH
    )
    if audience not in Audience.values:
        raise ApiError(f"Audience inconnue « {audience} ».", field="audience")
    product = release = None
    if product_code:
        product = Product.objects.filter(code=product_code.strip()).first()
        if product is None:
            raise ApiError(f"Produit inconnu « {product_code} ».", field="product")
    if version:
        if product is None:
            raise ApiError(
                "Une version se donne avec son produit (product).", field="version"
            )
        release = ProductRelease.objects.filter(
            product=product, version=version.strip()
        ).first()
        if release is None:
            raise ApiError(
                f"Version inconnue « {version} » pour {product.name}.", field="version"
            )
    if category_slug:
        category = Category.objects.filter(slug=category_slug).first()
        if category is None:
            raise ApiError(f"Catégorie inconnue « {category_slug} ».", field="category")
    else:
        category = _default_category(product)
    index = KnowledgeIndexPage.objects.first()
    if index is None:
        raise ApiError(
            "La base de connaissances n'existe pas encore.", code="NOT_FOUND"
        )
    workflow = _editorial_workflow(index)

    user = user if getattr(user, "pk", None) else None
    article = ArticlePage(
        title=title,
        slug=_unique_slug(index, title),
        summary=_summary(problem),
        body=article_body_from_ticket(problem=problem, solution=solution),
        category=category,
        audience=audience,
        owner=user,
        live=False,
    )
    article.products = [product] if product else []
    article.versions = [release] if release else []
    if audience == Audience.COMPANIES:
        article.companies = list(companies)
    index.add_child(instance=article)
    log(instance=article, action="wagtail.create", user=user)
    article.save_revision(user=user)
    workflow.start(article, user)
    return article
