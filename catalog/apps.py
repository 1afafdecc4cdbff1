from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalogue clients"

    def ready(self):
        # Registers the download pages' visibility rule with cms.visibility.
        from . import downloads  # noqa: F401
