"""Categories (a hierarchy such as AutoCAD > Installation) and article authors."""

from __future__ import annotations

import graphene
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from grapple.models import GraphQLField, GraphQLImage, GraphQLInt, GraphQLString
from grapple.registry import registry
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Category(index.Indexed, models.Model):
    """A category of the knowledge base; ``parent`` makes the hierarchy."""

    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("catégorie parente"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.IntegerField(_("ordre"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    graphql_fields = [
        GraphQLString("name", required=True),
        GraphQLString("slug", required=True),
        GraphQLString("description"),
        GraphQLInt(
            "article_count",
            source="graphql_article_count",
            required=True,
            description="Articles the caller may read here and below.",
        ),
        GraphQLField(
            "children",
            graphene.NonNull(
                graphene.List(graphene.NonNull(lambda: registry.snippets[Category]))
            ),
            source="graphql_children",
        ),
    ]
    # Safe to list through grapple's generic `snippets` query (no client data).
    graphql_public_snippet = True

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name

    # GraphQL resolvers (grapple calls them with ``info``): the same counts and
    # sub-categories whether the category is reached from `categories` or an article.
    def graphql_article_count(self, info, **kwargs) -> int:
        return category_tree(info)[1].get(self.pk, {}).get("article_count", 0)

    def graphql_children(self, info, **kwargs) -> list[Category]:
        node = category_tree(info)[1].get(self.pk, {})
        return [child["category"] for child in node.get("children", [])]


def category_tree(info) -> tuple[list[dict], dict[int, dict]]:
    """The caller's category tree (roots, nodes by id), built once per request."""
    context = info.context
    tree = getattr(context, "knowledge_category_tree", None)
    if tree is None:
        from cms.access import caller_of
        from knowledge.selectors import category_tree_for

        roots = category_tree_for(caller=caller_of(context))
        nodes: dict[int, dict] = {}
        pending = list(roots)
        while pending:
            node = pending.pop()
            nodes[node["category"].pk] = node
            pending.extend(node["children"])
        tree = (roots, nodes)
        if context is not None:
            context.knowledge_category_tree = tree
    return tree


class Author(models.Model):
    """An engineer as shown on the articles they write."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
    )
    display_name = models.CharField(_("nom affiché"), max_length=100)
    job_title = models.CharField(_("fonction"), max_length=100, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    panels = [
        FieldPanel("display_name"),
        FieldPanel("job_title"),
        FieldPanel("photo"),
        FieldPanel("user"),
    ]
    graphql_fields = [
        GraphQLString("display_name", required=True),
        GraphQLString("job_title"),
        GraphQLImage("photo"),
    ]
    graphql_public_snippet = True

    class Meta:
        verbose_name = _("auteur")
        verbose_name_plural = _("auteurs")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name
