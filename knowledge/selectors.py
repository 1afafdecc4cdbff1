"""Reads of the knowledge base on behalf of a caller; the audience rule lives here."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from wagtail.models import Page

from catalog.models import ProductRelease
from catalog.selectors import products_held_as
from cms.access import Caller, per_request
from cms.api.errors import ApiError
from cms.visibility import (
    MAYBE_UNPUBLISHED,
    private_pages,
    published,
    published_in_tree,
    register_page_rule,
)

from .models import (
    ArticleDailyViews,
    ArticleFeedback,
    ArticlePage,
    ArticlePageRelatedLink,
    Audience,
    Author,
    Category,
)

ORDERINGS = {
    "-publishedAt": ("-first_published_at", "-pk"),
    "publishedAt": ("first_published_at", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "-lastReviewedAt": ("-last_reviewed_at", "-first_published_at", "-pk"),
    "-updatedAt": ("-last_published_at", "-pk"),
}


def audience_filter(caller: Caller) -> Q | None:
    """The articles' audience condition for ``caller``; None means no restriction.
    A service reads as the company it acts for, or as any client company. Built
    once per request (a listing uses it again for its related links)."""
    return per_request(caller, "audience_filter", lambda: _audience_filter(caller))


def _audience_filter(caller: Caller) -> Q | None:
    if caller.is_staff:
        return None
    condition = Q(audience__in=_open_audiences(caller))
    restricted = _restricted_filter(caller)
    return condition if restricted is None else condition | restricted


def _open_audiences(caller: Caller) -> list[str] | None:
    """The audiences ``caller`` reads every article of; None: all (staff)."""
    if caller.is_staff:
        return None
    if not caller.reads_as_client:
        return [Audience.PUBLIC]
    return [Audience.PUBLIC, Audience.CLIENTS]


def _restricted_filter(caller: Caller) -> Q | None:
    """The articles of the other audiences ``caller`` may read, by company or by
    holdings (none of them: None)."""
    if caller.is_staff or not caller.reads_as_client or caller.company_id is None:
        return None
    company_id = caller.company_id
    chosen = Exists(
        ArticlePage.companies.through.objects.filter(
            articlepage_id=OuterRef("pk"), company_id=company_id
        )
    )
    holds = Exists(
        ArticlePage.products.through.objects.filter(
            articlepage_id=OuterRef("pk"),
            # Under an OR, PostgreSQL runs this once and hashes what it finds: only
            # the product owners' articles' links (every article's links: 200,000
            # rows at 100,000 articles, 60-80 ms a query).
            articlepage__audience=Audience.PRODUCT_OWNERS,
            product_id__in=products_held_as(caller).values("pk"),
        )
    )
    return (Q(audience=Audience.COMPANIES) & Q(chosen)) | (
        Q(audience=Audience.PRODUCT_OWNERS) & (Q(holds) | Q(chosen))
    )


def audiences_possible_for(caller: Caller) -> list[str] | None:
    """The audiences ``caller`` may read some article of (a coarse prefilter for
    search engines, which cannot evaluate the company rules); None: all of them."""
    if caller.is_staff:
        return None
    if not caller.reads_as_client:
        return [Audience.PUBLIC]
    if caller.company_id is None:
        return [Audience.PUBLIC, Audience.CLIENTS]
    return [a for a in Audience.values if a != Audience.INTERNAL]


class _SQLiteHint(Func):
    """A condition, as SQLite's planner should see it. With no statistics, SQLite
    takes ``audience = 'public'`` for a rare value and an OR of audiences for a few
    index look-ups: it then reads every matching article (body included) and sorts
    them all, where walking the publication-date index stops after one page.
    ``likely(...)`` tells it most rows match; ``opaque`` also keeps the condition from
    driving the query through an index. Other databases, which keep statistics, get
    the bare condition, or nothing for a ``sqlite_only`` one."""

    output_field = BooleanField()

    def __init__(self, condition, *, opaque: bool = False, sqlite_only: bool = False):
        template = "likely(CASE WHEN %(expressions)s THEN 1 ELSE 0 END)"
        super().__init__(
            condition, template=template if opaque else "likely(%(expressions)s)"
        )
        self.sqlite_only = sqlite_only

    def as_sql(self, compiler, connection, **extra_context):
        if self.sqlite_only:
            return "TRUE", []
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def articles_visible_to(caller: Caller) -> QuerySet[ArticlePage]:
    """Published articles ``caller`` may read: the one door for every article read.
    Built once per request (the rule and the view restrictions it reads), then
    handed out as a fresh copy."""
    return per_request(
        caller, "articles_visible_to", lambda: _articles_visible_to(caller)
    ).all()


def _private_pages(caller: Caller) -> Q:
    """The pages behind a view restriction (Wagtail's ``private_q``), read once per
    request."""
    return per_request(caller, "private_pages", private_pages)


def _published_articles(caller: Caller) -> QuerySet[ArticlePage]:
    """Published articles, whoever reads them (no audience rule yet)."""
    return published(ArticlePage.objects.all(), private=_private_pages(caller))


def _articles_visible_to(caller: Caller) -> QuerySet[ArticlePage]:
    qs = _published_articles(caller)
    # An index term the rule implies, for SQLite: the audiences ``caller`` may read
    # some article of (any audience for staff). Counts then read the narrow audience
    # index, not the articles' rows. It removes nothing the rule below keeps.
    possible = audiences_possible_for(caller)
    implied = Q(audience__gte="") if possible is None else Q(audience__in=possible)
    qs = qs.filter(_SQLiteHint(implied, sqlite_only=True))
    condition = audience_filter(caller)
    return qs if condition is None else qs.filter(_SQLiteHint(condition, opaque=True))


@register_page_rule
def _hide_unreadable_articles(qs: QuerySet, caller: Caller) -> QuerySet:
    if not issubclass(ArticlePage, qs.model):
        return qs  # another page type (downloads): no article can be among them
    condition = audience_filter(caller)
    if condition is None:
        return qs
    article_type = ContentType.objects.get_for_model(ArticlePage)
    readable = ArticlePage.objects.filter(condition).values("pk")
    return qs.filter(~Q(content_type=article_type) | Q(pk__in=readable))


@dataclass(frozen=True)
class ArticleFilters:
    category: str | None = None
    tag: str | None = None
    product: str | None = None
    version: str | None = None


def article_list_for(
    *,
    caller: Caller,
    filters: ArticleFilters = ArticleFilters(),
    order: str = "-publishedAt",
    fields: Collection[str] | None = None,
) -> QuerySet[ArticlePage]:
    """The readable articles matching ``filters``, ready for a listing (no N+1;
    ``fields``: see :func:`with_listing_relations`)."""
    if order not in ORDERINGS:
        raise ApiError(
            f"Tri « {order} » inconnu. Valeurs possibles : "
            f"{', '.join(sorted(ORDERINGS))}.",
            field="order",
        )
    # The body's plain text is for the search index: a listing never outputs it.
    qs = articles_filtered(articles_visible_to(caller), filters).defer("body_text")
    return with_listing_relations(qs, caller=caller, fields=fields).order_by(
        *ORDERINGS[order]
    )


def article_count_for(
    *, caller: Caller, filters: ArticleFilters = ArticleFilters()
) -> int:
    """How many articles :func:`article_list_for` lists (a listing's total), in one
    query, per audience class: the articles of the audiences ``caller`` reads whole
    (most of them), then the readable ones of the other audiences (two disjoint
    sets, together :func:`articles_visible_to`'s).

    On PostgreSQL the first is counted from the narrow ``(audience, id)`` index
    alone, less the unpublished ones among them (found in a partial index of the
    few pages that may be unpublished): joining every article to its page to
    check it is published cost ~150 ms at 100,000 articles. SQLite, in process,
    joins them by rowid."""
    whole = _open_audiences(caller)
    published_ones = articles_filtered(_published_articles(caller), filters)
    if whole is None:
        return published_ones.count()
    restricted = _restricted_filter(caller)
    # The other audiences, named: both databases then read the audience index.
    others = [a for a in Audience.values if a not in whole]
    if connection.vendor != "postgresql":
        parts = [published_ones.filter(audience__in=whole)]
        if restricted is not None:
            parts.append(
                published_ones.filter(audience__in=others).filter(
                    _SQLiteHint(restricted, opaque=True)
                )
            )
        return _signed_count([(1, part) for part in parts])
    articles = articles_filtered(ArticlePage.objects.all(), filters)
    parts = [articles.filter(audience__in=whole)]
    if restricted is not None:
        parts.append(articles.filter(audience__in=others).filter(restricted))
    in_tree = published_in_tree()
    counted = []
    for part in parts:
        counted += [
            (1, part),
            (-1, part.filter(MAYBE_UNPUBLISHED).exclude(in_tree)),
            # Behind a view restriction (none: Wagtail's private_q matches nothing).
            (-1, part.filter(in_tree).filter(_private_pages(caller))),
        ]
    return _signed_count(counted)


def _signed_count(parts: list[tuple[int, QuerySet]]) -> int:
    """Σ sign × count(queryset), in one SQL query."""
    selects, params = [], []
    for sign, qs in parts:
        try:
            sql, part_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue
        op = "+" if sign > 0 else "-"
        selects.append(f"{op} (SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(part_params)
    if not selects:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT 0 " + " ".join(selects), params)
        return int(cursor.fetchone()[0])


def articles_filtered(
    qs: QuerySet[ArticlePage], filters: ArticleFilters
) -> QuerySet[ArticlePage]:
    """``qs`` narrowed to ``filters`` (a category includes its sub-categories)."""
    if filters.category:
        qs = qs.filter(category_id__in=category_and_descendant_ids(filters.category))
    if filters.tag:
        qs = qs.filter(tags__slug=filters.tag)
    if filters.product:
        qs = qs.filter(products__code=filters.product)
    if filters.version:
        qs = qs.filter(versions__version=filters.version)
    if filters.tag or filters.product or filters.version:
        qs = qs.distinct()
    return qs


def with_listing_relations(
    qs: QuerySet[ArticlePage], *, caller: Caller, fields: Collection[str] | None = None
) -> QuerySet[ArticlePage]:
    """What the article type resolves, fetched in a constant number of queries.
    ``fields``: the article fields a GraphQL query selects
    (:func:`cms.api.selection.selected_fields`, with ``authors.photo`` for a
    relation's relation), to fetch only those; None: all. The body, the largest
    column (a StreamField decoded on load), is not read unless it is asked for."""

    def wanted(name: str) -> bool:
        return fields is None or name in fields

    if not wanted("body"):
        qs = qs.defer("body")
    if wanted("category"):
        qs = qs.select_related("category", "category__parent")
    lookups: list = [
        Prefetch(name, queryset=queryset, to_attr=f"_listing_{name}")
        for name, queryset in (
            ("tags", None),
            ("products", None),
            (
                "versions",
                ProductRelease.objects.select_related("product")
                if wanted("versions.product")
                else None,
            ),
            (
                "authors",
                Author.objects.select_related("photo")
                if wanted("authors.photo")
                else None,
            ),
        )
        if wanted(name)
    ]
    if wanted("relatedArticles"):
        # The target's body (a StreamField, decoded on load) and its text are the
        # largest columns, and a related article never outputs them.
        related = (
            ArticlePageRelatedLink.objects.filter(_readable_link_target(caller))
            .select_related("article")
            .defer("article__body", "article__body_text")
        )
        lookups.append(
            Prefetch("related_links", queryset=related, to_attr="visible_related_links")
        )
    qs = qs.prefetch_related(*lookups)
    if caller.is_staff:
        counts = {
            "helpfulCount": ("helpful_total", lambda: _feedback_total(helpful=True)),
            "notHelpfulCount": (
                "not_helpful_total",
                lambda: _feedback_total(helpful=False),
            ),
            "linkedTicketCount": ("linked_ticket_total", _linked_ticket_total),
            "viewCount": ("view_total", _view_total),
        }
        qs = qs.annotate(
            **{
                annotation: make()
                for name, (annotation, make) in counts.items()
                if wanted(name)
            }
        )
    return qs


def _view_total():
    return Coalesce(
        Subquery(
            ArticleDailyViews.objects.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(total=Sum("count"))
            .values("total")
        ),
        0,
    )


def _linked_ticket_total():
    from django.apps import apps

    links = apps.get_model("kbsearch", "TicketArticleLink").objects
    return Coalesce(
        Subquery(
            links.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(n=Count("ticket_ref", distinct=True))
            .values("n")
        ),
        0,
    )


def _feedback_total(*, helpful: bool):
    return Coalesce(
        Subquery(
            ArticleFeedback.objects.filter(article=OuterRef("pk"), helpful=helpful)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def article_detail_for(
    *, caller: Caller, slug: str | None = None, pk: int | None = None
):
    """One readable article, or None (not found and not allowed look the same)."""
    if not slug and pk is None:
        raise ApiError("Indiquez le slug ou l'identifiant de l'article.")
    qs = with_listing_relations(articles_visible_to(caller), caller=caller)
    if pk is not None:
        qs = qs.filter(pk=pk)
    if slug:
        qs = qs.filter(slug=slug)
    return qs.first()


def _readable_link_target(caller) -> Exists:
    """A related link whose target ``caller`` may read. Checked per link: an
    ``IN (readable ids)`` makes SQLite list every readable article first."""
    return Exists(articles_visible_to(caller).filter(pk=OuterRef("article_id")))


def related_articles_for(article: ArticlePage, *, caller: Caller) -> list[ArticlePage]:
    links = getattr(article, "visible_related_links", None)
    if links is None:
        links = (
            article.related_links.filter(_readable_link_target(caller))
            .select_related("article")
            .order_by("sort_order")
        )
    return [link.article for link in links]


def category_and_descendant_ids(slug: str) -> list[int]:
    """A category and all below it (AutoCAD includes AutoCAD > Installation)."""
    categories = list(Category.objects.values_list("pk", "parent_id", "slug"))
    children: dict[int | None, list[int]] = {}
    for pk, parent_id, _slug in categories:
        children.setdefault(parent_id, []).append(pk)
    roots = [pk for pk, _parent, s in categories if s == slug]
    found, stack = [], list(roots)
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def category_tree_for(*, caller: Caller) -> list[dict]:
    """Categories as a tree, each with the number of articles ``caller`` may read in it
    and below it."""
    counts = dict(
        articles_visible_to(caller)
        .order_by()
        .values_list("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    categories = list(Category.objects.order_by("sort_order", "name"))
    nodes = {
        c.pk: {"category": c, "own": counts.get(c.pk, 0), "children": []}
        for c in categories
    }
    roots = []
    for c in categories:
        (nodes[c.parent_id]["children"] if c.parent_id in nodes else roots).append(
            nodes[c.pk]
        )

    def total(node) -> int:
        node["article_count"] = node["own"] + sum(total(ch) for ch in node["children"])
        return node["article_count"]

    for root in roots:
        total(root)
    return roots


def tags_for(*, caller: Caller) -> list[dict]:
    """Tags of the articles ``caller`` may read, with how many each."""
    from taggit.models import Tag

    visible = articles_visible_to(caller).values("pk")
    return list(
        Tag.objects.filter(knowledge_articlepagetag_items__content_object__in=visible)
        .annotate(article_count=Count("knowledge_articlepagetag_items", distinct=True))
        .order_by("name")
        .values("pk", "name", "slug", "article_count")
    )


def document_readable_by(document, *, caller: Caller) -> bool:
    """A file attached to articles is for whoever may read one of them (staff
    always); a file no readable article uses is for nobody else."""
    if caller.is_staff:
        return True
    from wagtail.models import ReferenceIndex

    page_type = ContentType.objects.get_for_model(Page)
    using = (
        ReferenceIndex.get_references_to(document)
        .filter(base_content_type=page_type)
        .values_list("object_id", flat=True)
    )
    ids = [int(pk) for pk in using if str(pk).isdigit()]
    return articles_visible_to(caller).filter(pk__in=ids).exists()
