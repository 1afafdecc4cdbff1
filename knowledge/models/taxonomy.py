"""Categories (a hierarchy such as AutoCAD > Installation) and article authors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from grapple.models import GraphQLImage, GraphQLString
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
    ]
    # Safe to list through grapple's generic `snippets` query (no client data).
    graphql_public_snippet = True

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


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
