"""Public URLs of the catalogue: the signed download links."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("file/<str:token>/", views.download_file, name="download_file"),
]
