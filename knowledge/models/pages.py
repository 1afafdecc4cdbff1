"""The knowledge base's pages: its index and the articles engineers write."""

from __future__ import annotations

import math

import graphene
from django.db import models
from django.db.models.query import ModelIterable
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from grapple.models import (
    GraphQLCollection,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLInt,
    GraphQLRichText,
    GraphQLSnippet,
    GraphQLStreamfield,
    GraphQLString,
)
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.access import caller_of
from cms.api.selection import PrefetchedInto
from knowledge.blocks import ArticleBodyBlock

WORDS_PER_MINUTE = 200


def article_list_field(field_name: str, **kwargs):
    """A list of ArticlePage (typed, unlike grapple's generic page list)."""

    def Mixin():
        from grapple.registry import registry

        item = graphene.NonNull(lambda: registry.pages[ArticlePage])
        return GraphQLField(field_name, graphene.List(item, required=True), **kwargs)

    return Mixin


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public : tout le monde")
    CLIENTS = "clients", _("Clients : toute personne connectée d'une société cliente")
    COMPANIES = "companies", _("Sociétés choisies")
    PRODUCT_OWNERS = "product_owners", _("Détenteurs d'un des produits de l'article")
    INTERNAL = "internal", _("Interne : personnel Aplicit uniquement")


class KnowledgeIndexPage(Page):
    """The root of the knowledge base."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    graphql_fields = [GraphQLRichText("intro")]
    subpage_types = ["knowledge.ArticlePage"]
    max_count = 1

    class Meta:
        verbose_name = _("base de connaissances")


# An engine mapping option: the field's text goes to the catch-all fields it is
# copied to, without an index of its own.
ONLY_ALL_TEXT = {"index": False}


class ArticlePageTag(TaggedItemBase):
    """A tag on an article."""

    content_object = ParentalKey(
        "knowledge.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="tagged_items",
    )

    class Meta:
        verbose_name = _("mot-clé d'un article")
        verbose_name_plural = _("mots-clés des articles")


class ArticlePage(Page):
    """A technical article; who may read it is its ``audience``."""

    summary = models.TextField(_("résumé"), max_length=500)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("contenu"))
    category = models.ForeignKey(
        "knowledge.Category",
        verbose_name=_("catégorie"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    products = ParentalManyToManyField(
        "catalog.Product",
        verbose_name=_("produits"),
        blank=True,
        related_name="articles",
    )
    versions = ParentalManyToManyField(
        "catalog.ProductRelease",
        verbose_name=_("versions"),
        blank=True,
        related_name="articles",
    )
    authors = ParentalManyToManyField(
        "knowledge.Author",
        verbose_name=_("auteurs"),
        blank=True,
        related_name="articles",
    )
    last_reviewed_at = models.DateField(_("dernière relecture"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    companies = ParentalManyToManyField(
        "accounts.Company",
        verbose_name=_("sociétés"),
        blank=True,
        related_name="+",
        help_text=_(
            "Audience « Sociétés choisies » : les sociétés qui lisent l'article. "
            "« Détenteurs » : ces sociétés le lisent aussi, en plus des détenteurs."
        ),
    )
    word_count = models.PositiveIntegerField(
        _("nombre de mots"), default=0, editable=False
    )
    # The body's words, extracted once when the article is saved: the search index
    # reads this column instead of walking the StreamField for every document.
    body_text = models.TextField(
        _("texte du corps"), default="", blank=True, editable=False
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("category"), FieldPanel("tags"), FieldPanel("authors")],
            heading=_("Classement"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("products"),
                FieldPanel("versions"),
                FieldPanel("last_reviewed_at"),
            ],
            heading=_("Produits concernés"),
        ),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("companies")],
            heading=_("Qui peut lire"),
        ),
        InlinePanel("related_links", heading=_("Articles liés"), label=_("article")),
    ]
    search_fields = [
        *Page.search_fields,
        # Searched through the engine's catch-all fields they are copied to, so not
        # analysed a second time on their own (ONLY_ALL_TEXT; the title is, for the
        # title boost). Names of the tags, products and category are flat text, not
        # nested documents: one engine document per article instead of seven.
        index.SearchField("summary", boost=2, es_extra=ONLY_ALL_TEXT),
        index.SearchField("body_text", es_extra=ONLY_ALL_TEXT),  # body as plain text
        index.SearchField("search_tag_names", boost=2, es_extra=ONLY_ALL_TEXT),
        index.SearchField("search_product_names", boost=2, es_extra=ONLY_ALL_TEXT),
        index.SearchField("search_category_name", es_extra=ONLY_ALL_TEXT),
        index.AutocompleteField("title"),
        index.FilterField("audience"),
        index.FilterField("category"),
        index.FilterField("first_published_at"),
        index.FilterField("expire_at"),
        # What the engine filters and counts on (knowledge/readers.py, search/engine.py)
        index.FilterField("search_reader_keys", type="CharField"),
        index.FilterField("search_product_ids", type="IntegerField"),
        index.FilterField("search_version_ids", type="IntegerField"),
    ]
    graphql_fields = [
        GraphQLString("summary", required=True),
        GraphQLStreamfield("body"),
        GraphQLString("audience", required=True),
        GraphQLSnippet("category", "knowledge.Category", required=True),
        GraphQLField(
            "tags",
            graphene.NonNull(
                graphene.List(graphene.NonNull("knowledge.graphql.TagNode"))
            ),
            source="graphql_tags",
        ),
        GraphQLCollection(GraphQLForeignKey, "products", "catalog.Product"),
        GraphQLCollection(GraphQLForeignKey, "versions", "catalog.ProductRelease"),
        GraphQLCollection(GraphQLSnippet, "authors", "knowledge.Author"),
        GraphQLField("published_at", graphene.DateTime, source="first_published_at"),
        GraphQLField("last_reviewed_at", graphene.Date),
        GraphQLInt("reading_time_minutes", required=True),
        article_list_field("related_articles", source="graphql_related_articles"),
        GraphQLInt("helpful_count", source="graphql_helpful_count"),
        GraphQLInt("not_helpful_count", source="graphql_not_helpful_count"),
        GraphQLInt("view_count", source="graphql_view_count"),
        GraphQLInt("linked_ticket_count", source="graphql_linked_ticket_count"),
    ]
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        indexes = [
            # Counting the articles a caller may read (a listing's total) reads
            # this narrow index, not the articles' wide rows (the body, then the
            # audience); with the id, PostgreSQL needs no row either.
            models.Index(
                fields=["audience", "page_ptr"], name="knowledge_article_audience_idx"
            ),
        ]

    @classmethod
    def get_indexed_objects(cls):
        # Not Wagtail's "content type = article" filter: every row of this table is an
        # article (no subclasses), and with it SQLite reads each chunk through the
        # content-type index and sorts all remaining articles to return 1,000.
        qs = (
            cls.objects.all()
            if not cls.__subclasses__()
            else super().get_indexed_objects()
        )
        qs = qs.defer("body").select_related("category")
        return ArticleIndexQuerySet(model=qs.model, query=qs.query, using=qs._db)

    def indexed(self, relation: str) -> list[tuple[int, str]]:
        """(id, label) of a relation's objects: attached per chunk by
        :class:`ArticleIndexQuerySet` when indexing, else read here."""
        pairs = getattr(self, f"indexed_{relation}", None)
        if pairs is None:
            model, article, related, label = index_relations()[relation]
            pairs = list(
                model.objects.filter(**{article: self.pk})
                .order_by(related)
                .values_list(related, label)
            )
        return pairs

    @classmethod
    def search_index_rows(cls, qs, columns: list[str]) -> list[dict]:
        """The articles of ``qs`` as the search index reads them in a rebuild, without
        model instances (building a page instance cost more than the rest of its
        document): a ``values()`` row per article with ``columns`` (the plain ones
        the index holds) and each computed search field's value under its name, as
        the methods below compute it. tests/search/test_rebuild.py checks the
        documents equal those built from instances."""
        from knowledge.readers import reader_keys_of

        rows = list(qs.values("pk", *columns, "category__name"))
        related = _index_relation_pairs([row["pk"] for row in rows])
        for row in rows:
            pk = row["pk"]
            tags = related["tags"][pk]
            products = related["products"][pk]
            row["search_tag_names"] = " ".join(name for _pk, name in tags)
            row["search_product_names"] = " ".join(name for _pk, name in products)
            row["search_category_name"] = row.pop("category__name")
            row["search_product_ids"] = [p for p, _name in products]
            row["search_version_ids"] = [v for v, _ in related["versions"][pk]]
            row["search_reader_keys"] = reader_keys_of(
                row["audience"], lambda relation, pk=pk: related[relation][pk]
            )
        return rows

    # Index document values (search_fields above); ``body`` is indexed as body_text.
    def search_reader_keys(self) -> list[str]:
        from knowledge.readers import article_reader_keys

        return article_reader_keys(self)

    def search_tag_names(self) -> str:
        return " ".join(name for _pk, name in self.indexed("tags"))

    def search_product_names(self) -> str:
        return " ".join(name for _pk, name in self.indexed("products"))

    def search_category_name(self) -> str:
        return self.category.name

    def search_product_ids(self) -> list[int]:
        return [pk for pk, _name in self.indexed("products")]

    def search_version_ids(self) -> list[int]:
        return [pk for pk, _version in self.indexed("versions")]

    @property
    def reading_time_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    # Where a listing's prefetches land (knowledge.selectors.with_listing_relations):
    # under the relations' own names, without a queryset built per row.
    _listing_tags = PrefetchedInto("tags")
    _listing_products = PrefetchedInto("products")
    _listing_versions = PrefetchedInto("versions")
    _listing_authors = PrefetchedInto("authors")

    # GraphQL resolvers (grapple calls them with ``info``). Counts are for staff only.
    def graphql_related_articles(self, info, **kwargs):
        from knowledge.selectors import related_articles_for

        return related_articles_for(self, caller=caller_of(info.context))

    def graphql_tags(self, info, **kwargs) -> list[dict]:
        """The article's tags; their ``articleCount`` is counted only if asked
        (:meth:`knowledge.graphql.TagNode.resolve_article_count`): a listing's
        tags need their names, not a count over every readable article."""
        return [
            {"pk": tag.pk, "name": tag.name, "slug": tag.slug}
            for tag in self.tags.all()
        ]

    def graphql_helpful_count(self, info, **kwargs):
        return self._staff_stat(info, "helpful_total", feedback_count, helpful=True)

    def graphql_not_helpful_count(self, info, **kwargs):
        return self._staff_stat(
            info, "not_helpful_total", feedback_count, helpful=False
        )

    def graphql_view_count(self, info, **kwargs):
        return self._staff_stat(info, "view_total", view_count)

    def graphql_linked_ticket_count(self, info, **kwargs):
        return self._staff_stat(info, "linked_ticket_total", linked_ticket_count)

    def _staff_stat(self, info, annotation, compute, **kwargs):
        if not caller_of(info.context).is_staff:
            return None
        value = getattr(self, annotation, None)
        return compute(self, **kwargs) if value is None else value

    def full_clean(self, *args, **kwargs):
        self._derive_text()
        super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        self._derive_text()
        super().save(*args, **kwargs)

    def _derive_text(self) -> None:
        self.body_text = plain_text(self.body.raw_data)
        self.word_count = len(f"{self.summary or ''} {self.body_text}".split())


def index_relations() -> dict[str, tuple]:
    """relation: (through model, its article column, its related id, the label read)."""
    return {
        "tags": (ArticlePageTag, "content_object_id", "tag_id", "tag__name"),
        "products": (
            ArticlePage.products.through,
            "articlepage_id",
            "product_id",
            "product__name",
        ),
        "versions": (
            ArticlePage.versions.through,
            "articlepage_id",
            "productrelease_id",
            "productrelease__version",
        ),
        "companies": (
            ArticlePage.companies.through,
            "articlepage_id",
            "company_id",
            "company__name",
        ),
    }


class ArticleIndexQuerySet(PageQuerySet):
    """Articles as the search index reads them: each fetched chunk gets the (id,
    label) pairs of its tags, products, versions and companies from one values()
    query per relation. A prefetch would build a model instance per related row and a
    queryset per article and relation, which cost more than the rest of a rebuild."""

    def _fetch_all(self):
        fetched = self._result_cache is None
        super()._fetch_all()
        if fetched and self._result_cache and self._iterable_class is ModelIterable:
            _attach_index_relations(self._result_cache)


def _attach_index_relations(articles: list[ArticlePage]) -> None:
    by_id = {article.pk: article for article in articles}
    for relation, pairs in _index_relation_pairs(list(by_id)).items():
        for article_id, found in pairs.items():
            setattr(by_id[article_id], f"indexed_{relation}", found)


def _index_relation_pairs(ids: list[int]) -> dict[str, dict[int, list[tuple]]]:
    """relation: {article id: its (id, label) pairs in id order}, one values() query
    per relation."""
    found = {}
    for relation, (model, article, related, label) in index_relations().items():
        pairs: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
        rows = (
            model.objects.filter(**{f"{article}__in": ids})
            .order_by(article, related)
            .values_list(article, related, label)
        )
        for article_id, pk, text in rows:
            pairs[article_id].append((pk, text))
        found[relation] = pairs
    return found


def plain_text(raw_blocks: list[dict]) -> str:
    """The words of a StreamField's raw JSON (text, rich text, code, tables), without
    rendering it: rendering some blocks (embeds) could reach the network."""
    texts: list[str] = []

    def collect(value):
        if isinstance(value, str):
            texts.append(strip_tags(value))
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    collect([block.get("value") for block in raw_blocks or []])
    return " ".join(" ".join(texts).split())


def feedback_count(article: ArticlePage, *, helpful: bool) -> int:
    return article.feedback.filter(helpful=helpful).count()


def linked_ticket_count(article: ArticlePage) -> int:
    # ticket_links: search.TicketArticleLink (the search app links tickets to articles)
    return article.ticket_links.values("ticket_ref").distinct().count()


def view_count(article: ArticlePage) -> int:
    return article.daily_views.aggregate(total=models.Sum("count"))["total"] or 0


class ArticlePageRelatedLink(Orderable):
    """An article the editor chose to show beside another."""

    page = ParentalKey(
        ArticlePage,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="related_links",
    )
    article = models.ForeignKey(
        ArticlePage,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("article lié")
        verbose_name_plural = _("articles liés")
