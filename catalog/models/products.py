"""The product taxonomy shared by the knowledge base, catalogue and downloads."""

from __future__ import annotations

import graphene
from django.db import models
from django.utils.translation import gettext_lazy as _
from grapple.models import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLForeignKey,
    GraphQLString,
)
from grapple.registry import registry
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.search import index


class Product(index.Indexed, ClusterableModel):
    """An Autodesk product or collection, as Autodesk sells it."""

    name = models.CharField(_("nom"), max_length=120)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Code court utilisé par le portail, ex. « autocad », « revit »."),
    )
    family = models.CharField(
        _("famille"),
        max_length=80,
        blank=True,
        help_text=_("Ex. « AEC », « Fabrication »."),
    )
    offering_name = models.CharField(
        _("nom de l'offre Autodesk"),
        max_length=200,
        blank=True,
        help_text=_("Tel qu'il apparaît dans les exports Autodesk Account."),
    )
    offering_code = models.CharField(
        _("code d'offre Autodesk"), max_length=40, blank=True
    )
    is_collection = models.BooleanField(_("collection"), default=False)
    includes = models.ManyToManyField(
        "self",
        verbose_name=_("produits inclus"),
        symmetrical=False,
        blank=True,
        related_name="collections",
        help_text=_("Pour une collection : les produits auxquels elle donne droit."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("family"),
        FieldPanel("offering_name"),
        FieldPanel("offering_code"),
        FieldPanel("is_collection"),
        FieldPanel("includes"),
        InlinePanel("releases", heading=_("Versions")),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("offering_name"),
        index.FilterField("code"),
    ]
    graphql_fields = [
        GraphQLString("name", required=True),
        GraphQLString("code", required=True),
        GraphQLString("family", required=True),
        GraphQLString("offering_name", required=True),
        GraphQLBoolean("is_collection", required=True),
        GraphQLField(
            "includes",
            graphene.NonNull(
                graphene.List(graphene.NonNull(lambda: registry.models[Product]))
            ),
            source="graphql_includes",
            description="For a collection: the products it gives rights to.",
        ),
    ]
    graphql_public_snippet = True

    class Meta:
        verbose_name = _("produit")
        verbose_name_plural = _("produits")
        ordering = ["name"]

    def __init__(self, *args, **kwargs):
        if kwargs:  # releases may be given by name: modelcluster sorts them out
            super().__init__(*args, **kwargs)
        else:
            # Loaded from the database (column values only): skip modelcluster's
            # scan of every relation for child-relation keywords there cannot be
            # (a third of building a product, and listings build dozens).
            models.Model.__init__(self, *args)

    def __str__(self) -> str:
        return self.name

    def graphql_includes(self, info, **kwargs) -> list[Product]:
        included = getattr(self, "included_products", None)  # loaded by a selector
        return list(self.includes.all()) if included is None else included


class ProductRelease(models.Model):
    """A version of a product, such as AutoCAD 2026."""

    product = ParentalKey(
        Product,
        verbose_name=_("produit"),
        on_delete=models.CASCADE,
        related_name="releases",
    )
    version = models.CharField(
        _("version"), max_length=20, help_text=_("Ex. « 2026 ».")
    )
    release_date = models.DateField(_("date de sortie"), null=True, blank=True)
    end_of_support = models.DateField(_("fin de support"), null=True, blank=True)

    panels = [
        FieldPanel("version"),
        FieldPanel("release_date"),
        FieldPanel("end_of_support"),
    ]
    graphql_fields = [
        GraphQLString("version", required=True),
        GraphQLForeignKey("product", "catalog.Product", required=True),
        GraphQLField("release_date", graphene.Date),
        GraphQLField("end_of_support", graphene.Date),
    ]

    class Meta:
        verbose_name = _("version de produit")
        verbose_name_plural = _("versions de produit")
        ordering = ["product__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"], name="unique_product_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"
