"""Grapple's built-in queries and relation fields, routed through the one door
(:func:`cms.visibility.visible_pages`).

Grapple filters pages with ``.live().public()`` only; our audiences (client companies,
product owners, staff-only articles) and expiry need the caller, so every grapple path
that returns pages is wrapped here: the root ``page``, ``pages`` and ``search`` queries
(by replacing grapple's query mixins) and the page relation fields (by the
``PAGE_INTERFACE`` setting). The generic ``snippets`` query lists only snippet models
that declare ``graphql_public_snippet = True``.
"""

from __future__ import annotations

from grapple.registry import registry
from grapple.types.interfaces import PageInterface as GrapplePageInterface
from grapple.utils import resolve_queryset
from wagtail import hooks
from wagtail.models import Page

from cms.visibility import is_staff, visible_pages


def _visible(info, qs):
    return visible_pages(info.context.user, qs).specific()


class PageInterface(GrapplePageInterface):
    """Grapple's page interface, with every relation filtered for the caller."""

    def resolve_parent(self, info, **kwargs):
        parent = self.get_parent()
        if parent is None:
            return None
        return _visible(info, Page.objects.filter(pk=parent.pk)).first()

    def resolve_children(self, info, **kwargs):
        return resolve_queryset(_visible(info, self.get_children()), info, **kwargs)

    def resolve_siblings(self, info, **kwargs):
        qs = self.get_siblings().exclude(pk=self.pk)
        return resolve_queryset(_visible(info, qs), info, **kwargs)

    def resolve_next_siblings(self, info, **kwargs):
        qs = self.get_next_siblings().exclude(pk=self.pk)
        return resolve_queryset(_visible(info, qs), info, **kwargs)

    def resolve_previous_siblings(self, info, **kwargs):
        qs = self.get_prev_siblings().exclude(pk=self.pk)
        return resolve_queryset(_visible(info, qs), info, **kwargs)

    def resolve_descendants(self, info, **kwargs):
        return resolve_queryset(_visible(info, self.get_descendants()), info, **kwargs)

    def resolve_ancestors(self, info, **kwargs):
        return resolve_queryset(_visible(info, self.get_ancestors()), info, **kwargs)


def _guard_pages_mixin(mixin):
    class VisiblePagesMixin(mixin):
        def resolve_pages(self, info, **kwargs):
            pages = mixin.resolve_pages(self, info, **kwargs)
            # grapple returns a sliced queryset: re-filter by primary key, in order.
            return _keep_visible(info, pages)

        def resolve_page(self, info, **kwargs):
            if kwargs.get("token") and not is_staff(info.context.user):
                return None  # previews of drafts are for staff only
            page = mixin.resolve_page(self, info, **kwargs)
            if page is None or kwargs.get("token"):
                return page
            return _visible(info, Page.objects.filter(pk=page.pk)).first()

    return VisiblePagesMixin


def _keep_visible(info, pages):
    pages = list(pages)
    if not pages:
        return pages
    allowed = set(
        visible_pages(
            info.context.user, Page.objects.filter(pk__in=[p.pk for p in pages])
        ).values_list("pk", flat=True)
    )
    return [p for p in pages if p.pk in allowed]


def _guard_search_mixin(mixin):
    class VisibleSearchMixin(mixin):
        def resolve_search(self, info, **kwargs):
            query = kwargs.get("query")
            if not query:
                return None
            from search.selectors import pages_search_for

            return pages_search_for(user=info.context.user, query=query)

    return VisibleSearchMixin


def _guard_snippets_mixin(mixin):
    class PublicSnippetsMixin(mixin):
        def resolve_snippets(self, info, **kwargs):
            objects = []
            for snippet in registry.snippets:
                model = snippet._meta.model
                if getattr(model, "graphql_public_snippet", False):
                    objects.extend(model.objects.all()[:1000])
            return objects

    return PublicSnippetsMixin


GUARDS = {
    "resolve_pages": _guard_pages_mixin,
    "resolve_search": _guard_search_mixin,
    "resolve_snippets": _guard_snippets_mixin,
}


@hooks.register("register_schema_query", order=1000)
def guard_grapple_queries(query_mixins):
    # grapple's `tag`/`tags` list every tag, even those only on restricted articles;
    # the knowledge base's own `tags` query replaces them.
    query_mixins[:] = [
        m
        for m in query_mixins
        if not (isinstance(m, type) and "resolve_tag" in vars(m))
    ]
    for position, mixin in enumerate(query_mixins):
        for resolver, guard in GUARDS.items():
            if isinstance(mixin, type) and resolver in vars(mixin):
                query_mixins[position] = guard(mixin)
