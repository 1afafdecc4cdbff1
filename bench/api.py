"""Wagtail's REST API v2, for the benchmark only: the pages endpoint serving the same
fields as the GraphQL listing (summary, category, tags, authors, products, body)."""

from rest_framework import serializers
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from catalog.models import Product
from knowledge.models import ArticlePage, Author, Category


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "display_name", "job_title"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "code"]


# Stock Wagtail: api_fields on the model, no prefetching (what a project gets out of
# the box). Set here so the project's own model stays free of REST concerns.
ArticlePage.api_fields = [
    APIField("summary"),
    APIField("body"),
    APIField("category", serializer=CategorySerializer()),
    APIField("tags"),
    APIField("authors", serializer=AuthorSerializer(many=True)),
    APIField("products", serializer=ProductSerializer(many=True)),
]

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
