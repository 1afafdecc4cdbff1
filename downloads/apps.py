from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "downloads"
    label = "downloads"
    verbose_name = "Téléchargements"

    def ready(self):
        from wagtail.signals import page_published

        # Importing the selectors registers the download pages' visibility rule
        # with cms.visibility.
        from . import handlers, selectors  # noqa: F401
        from .models import DownloadPage

        page_published.connect(
            handlers.download_page_published,
            sender=DownloadPage,
            dispatch_uid="downloads.download_page_published",
        )
