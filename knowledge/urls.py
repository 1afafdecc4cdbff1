"""Public Atom feeds of the knowledge base (mounted at /feeds/)."""

from django.urls import path

from .feeds import ArticlesFeed, CategoryArticlesFeed, TagArticlesFeed

app_name = "knowledge_feeds"

urlpatterns = [
    path("articles/", ArticlesFeed(), name="articles"),
    path(
        "articles/category/<slug:slug>/",
        CategoryArticlesFeed(),
        name="articles_by_category",
    ),
    path("articles/tag/<str:slug>/", TagArticlesFeed(), name="articles_by_tag"),
]
