"""The one door for pages read on behalf of a caller.

Every read path that returns pages (the apps' own queries, grapple's built-in ``page``,
``pages`` and ``search`` queries, relation fields such as ``children`` or ``parent``,
feeds, counts) filters through :func:`visible_pages`. Apps add the rule for their own
page types with :func:`register_page_rule`, so a new path cannot forget one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text.pages import PageLinkHandler

from .access import Caller, answering_caller, per_answer

# (queryset, caller) -> the same queryset with what the caller may not read removed.
PageRule = Callable[[QuerySet, Caller], QuerySet]
_rules: list[PageRule] = []


def register_page_rule(rule: PageRule) -> PageRule:
    _rules.append(rule)
    return rule


def restricted_sections() -> list[tuple[str, int]]:
    """(path, depth) of every page under a Wagtail view restriction (the page and
    its descendants are private), read once per API request (one query): the SQL
    rule and the search engine's rule both need them."""
    return per_answer(
        "restricted_sections",
        lambda: list(
            PageViewRestriction.objects.values_list("page__path", "page__depth")
        ),
    )


def private_pages() -> Q:
    """The pages behind a view restriction, as Wagtail's ``private_q`` (matching
    nothing when there is none), from :func:`restricted_sections`."""
    private = Q()
    for path, depth in restricted_sections():
        private |= Q(path__startswith=path, depth__gte=depth)
    return private if private else Q(pk__in=[])


def published(qs: QuerySet, *, private: Q | None = None) -> QuerySet:
    """Live, not behind a Wagtail view restriction, not past its expiry (even before
    ``publish_scheduled`` has run), and not the tree's root (Wagtail's ``.public()``,
    with the restrictions read once per request). ``private``: the restricted
    pages, when already built (:func:`private_pages`)."""
    if private is None and not restricted_sections():
        return qs.filter(published_in_tree())
    return qs.exclude(private_pages() if private is None else private).filter(
        published_in_tree()
    )


def published_in_tree() -> Q:
    """:func:`published` but for the view restrictions: live, in the tree, not past
    its expiry."""
    return Q(live=True, depth__gt=1) & (
        Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now())
    )


# Every page that is not :func:`published_in_tree` is one of these (a page that is
# live, in the tree and never expires is); PostgreSQL finds them in a partial index
# of the same condition (knowledge migration 0006): the few drafts, expiring and
# expired pages, never the whole table.
MAYBE_UNPUBLISHED = ~Q(live=True, depth__gt=1, expire_at__isnull=True)


def visible_pages(caller: Caller, qs: QuerySet | None = None) -> QuerySet:
    """The pages of ``qs`` (all pages by default) that ``caller`` may read."""
    qs = published(Page.objects.all() if qs is None else qs)
    for rule in _rules:
        qs = rule(qs, caller)
    return qs


class ReadablePageLinkHandler(PageLinkHandler):
    """Rich-text links to pages, for the API: a link to a page the caller may not
    read keeps its text but loses its address (a draft's or an internal article's
    slug would otherwise show in a public article's HTML)."""

    @classmethod
    def get_many(cls, attrs_list: list[dict]) -> list:
        pages = super().get_many(attrs_list)
        caller = answering_caller()
        if caller is None:
            return pages
        ids = [page.pk for page in pages if page is not None]
        readable = set(
            visible_pages(caller, Page.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        return [page if page and page.pk in readable else None for page in pages]
