"""Wagtail's REST API v2 for the benchmark only, tuned as a Wagtail engineer would
tune it for the portal's article listing and detail (issue 16):

- the queryset is ``live().public().descendant_of(site root)`` (not Wagtail's default
  ``pk IN (every public page)``, which makes SQLite sort the whole page table), not
  expired, and filtered by the project's audience rule for the caller
  (``knowledge.selectors.audience_filter``), so it answers the same items as the
  GraphQL listing;
- the relations the requested ``fields`` output are fetched with ``select_related`` /
  ``prefetch_related``, and every serializer reads the prefetch (Wagtail's stock
  ``TagsField`` runs a query per page);
- the client asks only for the fields the GraphQL query outputs (``fields=_,...``).
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import Field
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Page, Site

from cms.access import caller_of
from knowledge.models import (
    ArticlePage,
    ArticlePageRelatedLink,
    ArticlePageTag,
    Author,
    Category,
)
from knowledge.selectors import audience_filter


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["name", "slug"]


class PhotoSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, image) -> str:
        return image.file.url


class AuthorSerializer(serializers.ModelSerializer):
    photo = PhotoSerializer(allow_null=True)

    class Meta:
        model = Author
        fields = ["display_name", "job_title", "photo"]


class ProductSerializer(serializers.Serializer):
    name = serializers.CharField()
    code = serializers.CharField()


class ProductCodeSerializer(serializers.Serializer):
    code = serializers.CharField()


class ReleaseSerializer(serializers.Serializer):
    version = serializers.CharField()
    product = ProductCodeSerializer()


class PrefetchedTagsField(Field):
    """Tag names from the prefetched ``tagged_items`` (no query per page)."""

    def to_representation(self, tagged_items):
        return [{"name": item.tag.name} for item in tagged_items.all()]


class ReadableRelatedField(Field):
    """The related articles the caller may read, from the prefetched links."""

    def to_representation(self, links):
        return [
            {
                "id": link.article_id,
                "title": link.article.title,
                "slug": link.article.slug,
            }
            for link in links
        ]


# Set here so the project's own model stays free of REST concerns.
ArticlePage.api_fields = [
    APIField("summary"),
    APIField("body"),
    APIField("last_reviewed_at"),
    APIField("reading_time_minutes"),
    APIField("category", serializer=CategorySerializer()),
    APIField("tags", serializer=PrefetchedTagsField(source="tagged_items")),
    APIField("authors", serializer=AuthorSerializer(many=True)),
    APIField("products", serializer=ProductSerializer(many=True)),
    APIField("versions", serializer=ReleaseSerializer(many=True)),
    APIField(
        "related_articles", serializer=ReadableRelatedField(source="readable_links")
    ),
]

RELATION_FIELDS = (
    "tags",
    "authors",
    "products",
    "versions",
    "related_articles",
)


@lru_cache
def _root_page(url_path: str) -> Page:
    path, depth = Page.objects.values_list("path", "depth").get(url_path=url_path)
    return Page(path=path, depth=depth)


class ArticlesAPIViewSet(PagesAPIViewSet):
    """``/api/v2/articles/``: the readable articles, newest first."""

    model = ArticlePage
    name = "articles"

    def _site_root(self) -> Page:
        # descendant_of() only needs the root's tree path and depth: read once per
        # process (as a site's root seldom moves), not a query per request.
        return _root_page(Site.get_site_root_paths()[0].root_path)

    def _wanted(self) -> set[str]:
        if self.action == "detail_view" or "fields" not in self.request.GET:
            return {"category", *RELATION_FIELDS}
        return set(self.request.GET["fields"].split(","))

    def readable(self, caller):
        now = timezone.now()
        qs = (
            ArticlePage.objects.live()
            .public()
            .descendant_of(self._site_root())
            .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        )
        rule = audience_filter(caller)
        return qs if rule is None else qs.filter(rule)

    def get_queryset(self):
        caller = caller_of(self.request)
        qs = self.readable(caller)
        wanted = self._wanted()
        if "category" in wanted:
            qs = qs.select_related("category")
        lookups: list = []
        if "tags" in wanted:
            lookups.append(
                Prefetch(
                    "tagged_items",
                    queryset=ArticlePageTag.objects.select_related("tag").order_by(
                        "pk"
                    ),
                )
            )
        if "authors" in wanted:
            lookups.append("authors__photo")
        if "products" in wanted:
            lookups.append("products")
        if "versions" in wanted:
            lookups.append("versions__product")
        if "related_articles" in wanted:
            target = self.readable(caller).filter(pk=OuterRef("article_id"))
            links = (
                ArticlePageRelatedLink.objects.filter(Exists(target))
                .select_related("article")
                .order_by("sort_order")
            )
            lookups.append(
                Prefetch("related_links", queryset=links, to_attr="readable_links")
            )
        return qs.prefetch_related(*lookups).order_by("-first_published_at", "-pk")

    def get_renderer_context(self):
        # Compact JSON, as the GraphQL view answers (Wagtail indents by 4).
        context = super().get_renderer_context()
        context.pop("indent", None)
        return context

    def get_object(self):
        # PagesAPIViewSet's .specific would fetch the page again: it is already one.
        return super(PagesAPIViewSet, self).get_object()


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("articles", ArticlesAPIViewSet)
