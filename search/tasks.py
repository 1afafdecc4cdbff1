"""Background tasks of the search app (django-tasks): run by ``manage.py db_worker``
in production, inline in development and tests."""

from __future__ import annotations

from django_tasks import task

from . import gaps


@task()
def search_gap_record(
    source: str,
    query: str,
    product: str | None = None,
    results_total: int = 0,
    best_article_id: int | None = None,
) -> bool:
    """Count a search or ticket suggestion the knowledge base did not answer (see
    :mod:`search.gaps`): off the request path, since deciding reads the best
    match's text."""
    return gaps.search_gap_record(
        source=source,
        query=query,
        product=product,
        results_total=results_total,
        best_article_id=best_article_id,
    )
