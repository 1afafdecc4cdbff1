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
from wagtail.models import Page

from .access import Caller

# (queryset, caller) -> the same queryset with what the caller may not read removed.
PageRule = Callable[[QuerySet, Caller], QuerySet]
_rules: list[PageRule] = []


def register_page_rule(rule: PageRule) -> PageRule:
    _rules.append(rule)
    return rule


def published(qs: QuerySet) -> QuerySet:
    """Live, not behind a Wagtail view restriction, not past its expiry (even before
    ``publish_scheduled`` has run), and not the tree's root."""
    now = timezone.now()
    return (
        qs.live()
        .public()
        .filter(depth__gt=1)
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
    )


def visible_pages(caller: Caller, qs: QuerySet | None = None) -> QuerySet:
    """The pages of ``qs`` (all pages by default) that ``caller`` may read."""
    qs = published(Page.objects.all() if qs is None else qs)
    for rule in _rules:
        qs = rule(qs, caller)
    return qs
