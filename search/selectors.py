"""Article search on behalf of a caller; results only ever hold readable articles."""

from __future__ import annotations

from knowledge.models import ArticlePage
from knowledge.selectors import articles_visible_to

MAX_RESULTS = 100


def pages_search_for(
    *, user, query: str, limit: int = MAX_RESULTS
) -> list[ArticlePage]:
    """Full-text search of the articles ``user`` may read, best first."""
    hits = list(ArticlePage.objects.live().search(query)[: limit * 3])
    readable = set(
        articles_visible_to(user)
        .filter(pk__in=[hit.pk for hit in hits])
        .values_list("pk", flat=True)
    )
    return [hit for hit in hits if hit.pk in readable][:limit]
