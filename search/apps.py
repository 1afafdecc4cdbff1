from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "kbsearch"
    verbose_name = "Recherche d'articles"

    def ready(self):
        from cms.health import CHECKS

        from .health import check_search

        CHECKS["search"] = check_search

        from django.db.models.signals import post_delete, post_save

        from .models import SearchSynonym
        from .synonyms import engine_synonyms_changed, forget

        post_save.connect(forget, sender=SearchSynonym, dispatch_uid="synonyms")
        post_delete.connect(forget, sender=SearchSynonym, dispatch_uid="synonyms-del")
        from wagtail.signals import page_published

        from knowledge.models import ArticlePage

        from .vocabulary import article_published

        page_published.connect(
            article_published, sender=ArticlePage, dispatch_uid="search-vocabulary"
        )
        for signal, uid in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(
                engine_synonyms_changed,
                sender=SearchSynonym,
                dispatch_uid=f"engine-synonyms-{uid}",
            )
        from catalog.models import Product
        from knowledge.models import Category

        from .selectors import facet_names_changed

        for model in (Product, Category):
            for signal, uid in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(
                    facet_names_changed,
                    sender=model,
                    dispatch_uid=f"facet-names-{model._meta.model_name}-{uid}",
                )
