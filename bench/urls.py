"""The project's URLs plus, for the benchmark only, Wagtail's REST API v2 (tuned) and
the plain Django floor views."""

from django.urls import path

from cms.urls import urlpatterns as cms_urlpatterns

from . import views
from .api import api_router

urlpatterns = [
    path("api/v2/", api_router.urls),
    path("bench/articles/", views.article_list, name="bench-articles"),
    path(
        "bench/portal-articles/",
        views.portal_article_list,
        name="bench-portal-articles",
    ),
    path("bench/articles/<slug:slug>/", views.article_detail, name="bench-article"),
    path("bench/my-company/", views.my_company, name="bench-my-company"),
    path("bench/download/", views.download, name="bench-download"),
    *cms_urlpatterns,
]
