"""Atom feeds of the public knowledge base (everything, per category, per tag)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from taggit.models import Tag

from cms.access import ANONYMOUS

from .models import ArticlePage, Category
from .selectors import articles_visible_to, category_and_descendant_ids

FEED_SIZE = 30
INDEX_PATH = "base-de-connaissances"


def public_articles() -> QuerySet[ArticlePage]:
    """The articles anybody may read: feeds are public, so read as anonymous."""
    return articles_visible_to(ANONYMOUS)


def portal_url(path: str = "") -> str:
    return f"{settings.PORTAL_URL.rstrip('/')}/{INDEX_PATH}/{path}"


class ArticlesFeed(Feed):
    """The latest public articles."""

    feed_type = Atom1Feed
    title = "Aplicit — Base de connaissances"
    subtitle = "Les derniers articles du support Aplicit."

    def link(self, obj=None) -> str:
        return portal_url()

    def articles(self, obj) -> QuerySet[ArticlePage]:
        return public_articles()

    def items(self, obj=None):
        return (
            self.articles(obj)
            .select_related("category")
            .prefetch_related("authors", "tags")
            .order_by("-first_published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.summary

    def item_link(self, item: ArticlePage) -> str:
        return portal_url(f"{item.slug}")

    def item_guid(self, item: ArticlePage) -> str:
        return portal_url(f"{item.slug}")

    def item_pubdate(self, item: ArticlePage):
        return item.first_published_at

    def item_updateddate(self, item: ArticlePage):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item: ArticlePage) -> str | None:
        # Atom allows one author per entry in Django's generator: list them together.
        names = [author.display_name for author in item.authors.all()]
        return ", ".join(names) or None

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [item.category.name, *(tag.name for tag in item.tags.all())]


class CategoryArticlesFeed(ArticlesFeed):
    """Public articles of a category and its sub-categories."""

    def get_object(self, request, slug: str) -> Category:
        try:
            return Category.objects.get(slug=slug)
        except Category.DoesNotExist as exc:
            raise Http404("Unknown category") from exc

    def title(self, obj: Category) -> str:
        return f"Aplicit — Base de connaissances : {obj}"

    def link(self, obj: Category) -> str:
        return f"{portal_url()}?categorie={obj.slug}"

    def articles(self, obj: Category) -> QuerySet[ArticlePage]:
        return public_articles().filter(
            category_id__in=category_and_descendant_ids(obj.slug)
        )


class TagArticlesFeed(ArticlesFeed):
    """Public articles with a tag."""

    def get_object(self, request, slug: str) -> Tag:
        # A tag found only on articles anybody may not read answers like an unknown
        # one: its name must not tell that such articles exist.
        tag = Tag.objects.filter(
            slug=slug,
            pk__in=public_articles().filter(tags__slug=slug).values("tags__pk"),
        ).first()
        if tag is None:
            raise Http404("Unknown tag")
        return tag

    def title(self, obj: Tag) -> str:
        return f"Aplicit — Base de connaissances : {obj.name}"

    def link(self, obj: Tag) -> str:
        return f"{portal_url()}?tag={obj.slug}"

    def articles(self, obj: Tag) -> QuerySet[ArticlePage]:
        return public_articles().filter(tags__slug=obj.slug).distinct()
