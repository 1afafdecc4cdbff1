from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = "Base de connaissances"

    def ready(self):
        # Registers the articles' visibility rule with cms.visibility before any read.
        from . import selectors  # noqa: F401
