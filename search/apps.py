from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "kbsearch"
    verbose_name = "Recherche d'articles"

    def ready(self):
        from cms.health import CHECKS

        from .health import check_search

        CHECKS["search"] = check_search
