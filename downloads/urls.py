"""Public URLs of the downloads: the signed download links."""

from django.urls import path

from . import views

app_name = "downloads"

urlpatterns = [
    path("file/<str:token>/", views.download_file, name="download_file"),
]
