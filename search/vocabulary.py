"""The words of the live articles (titles, summaries, bodies, tags), folded: what a
misspelt query word is corrected to when a search on the database backend finds
nothing (« desintalation » → « desinstallation »: a *did you mean*).

On PostgreSQL the closest words come from a trigram index (``pg_trgm``,
migration 0011: ``word % 'desintalation'`` ordered by ``similarity``); on SQLite,
from the words of the same first letter and about the same length, compared by
edit distance in Python. The engine needs none of this (``fuzziness``).

Words are added when an article is published (``page_published``); words of an
unpublished article stay (a correction then finds nothing, as the word itself
would). ``manage.py search_vocabulary`` rebuilds the whole list.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.functions import Length

from .models import SearchTerm
from .text import STOP_WORDS, within_edits, words

MIN_LENGTH = 4
MAX_LENGTH = 40
# A word this long or longer may be corrected (shorter ones are too ambiguous).
CORRECTED_FROM = 5
# PostgreSQL: the least trigram similarity of a correction (pg_trgm's default).
MIN_SIMILARITY = 0.3


def text_words(*texts: str) -> set[str]:
    """The folded words of ``texts`` worth keeping: letters only, 4 to 40 long."""
    return {
        token
        for text in texts
        for token in words(text or "")
        if token.isalpha()
        and MIN_LENGTH <= len(token) <= MAX_LENGTH
        and token not in STOP_WORDS
    }


def vocabulary_add(new_words: Iterable[str]) -> None:
    SearchTerm.objects.bulk_create(
        [SearchTerm(word=word) for word in sorted(set(new_words))],
        ignore_conflicts=True,
        batch_size=1000,
    )


def article_words(article) -> set[str]:
    return text_words(
        article.title,
        article.summary,
        article.body_text,
        " ".join(t.name for t in article.tags.all()),
    )


def article_published(sender, instance, **kwargs) -> None:
    """``page_published``: the article's words join the vocabulary."""
    vocabulary_add(article_words(instance))


@transaction.atomic
def vocabulary_rebuild() -> int:
    """The vocabulary of every live article, from scratch; returns its size."""
    from knowledge.models import ArticlePage

    SearchTerm.objects.all().delete()
    found: set[str] = set()
    live = (
        ArticlePage.objects.live()
        .only("title", "summary", "body_text")
        .prefetch_related("tags")
    )
    for article in live.iterator(chunk_size=2000):
        found |= article_words(article)
    vocabulary_add(found)
    return len(found)


def corrections(query_words: Iterable[str], *, limit: int = 3) -> dict[str, str]:
    """{a word of the query absent from the vocabulary: its closest word}, for at
    most ``limit`` words of 5 letters or more (letters only). One query for the
    check, one per word corrected."""
    asked = [
        w
        for w in dict.fromkeys(query_words)
        if w.isalpha() and len(w) >= CORRECTED_FROM
    ]
    if not asked:
        return {}
    known = set(
        SearchTerm.objects.filter(word__in=asked).values_list("word", flat=True)
    )
    found = {}
    for word in [w for w in asked if w not in known][:limit]:
        closest = _closest(word)
        if closest:
            found[word] = closest
    return found


def _closest(word: str) -> str | None:
    # Only asked when nothing was found: two edits from 7 letters (« licnece »).
    budget = 1 if len(word) < 7 else 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM kbsearch_searchterm WHERE word %% %s "
                "AND similarity(word, %s) >= %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT 5",
                [word, word, MIN_SIMILARITY, word],
            )
            candidates = [row[0] for row in cursor.fetchall()]
        # the trigram index narrows; one or two edits decide (as on SQLite)
        close = [c for c in candidates if within_edits(word, c, budget)]
        return close[0] if close else None
    candidates = (
        SearchTerm.objects.annotate(n=Length("word"))
        .filter(
            word__startswith=word[0],
            n__gte=len(word) - budget,
            n__lte=len(word) + budget,
        )
        .order_by("word")
        .values_list("word", flat=True)
    )
    for candidate in candidates:
        if within_edits(word, candidate, budget):
            return candidate
    return None
