"""Knowledge gaps: the questions clients and engineers asked that the knowledge base
did not answer, by product, beside how many client companies hold that product.

What is a gap:

- a search of the search box (its first page) that found **nothing**, or whose best
  match is under the **relevance floor** of ticket suggestions (``TICKET_MIN_SCORE``
  and ``TICKET_MIN_CONCEPTS`` of :mod:`search.selectors`: it holds none of the
  query's error codes, and fewer than two of its distinctive concepts or a score
  under 9) — « faible pertinence »: the search box shows it, but it is likely not
  the answer;
- a ``ticketSuggestions`` call answered with nothing (the floor dropped everything).

The resolvers note each first-page search and each empty ticket suggestion
(:func:`search_gap_note`, buffered by :mod:`cms.counters`: a dictionary update in
the request); the flush, off the request path, decides once per distinct question
and counts in :class:`search.models.SearchGapDaily`, one row per day,
origin, normalised query and product. The product is the search's or ticket's
``product`` filter, else the product its words name (its code, its name, or a
synonym of its name: « ACAD », « C3D »).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from catalog.models import Product
from catalog.selectors import with_holder_counts
from cms.counters import Batch, BufferedCounts
from knowledge.models import ArticlePage

from .models import SearchGapDaily
from .selectors import (
    CONTROL_CHARS,
    MAX_QUERY_LENGTH,
    normalise,
    under_ticket_floor,
)
from .synonyms import synonym_map
from .text import analyse, concept_coverage, field_keys, synonym_key, words

Source = SearchGapDaily.Source
PERIODS = (7, 30, 90)
EXAMPLES = 3


# What the words name ---------------------------------------------------------------


def product_lexicon() -> dict[tuple[str, ...], str]:
    """{the folded words of a product's code, name or a synonym of its name: its
    code}. One query (the synonyms are cached by :mod:`search.synonyms`)."""
    synonyms = synonym_map()
    lexicon: dict[tuple[str, ...], str] = {}
    for code, name in Product.objects.order_by("pk").values_list("code", "name"):
        names = [code, code.replace("-", " "), name]
        names += synonyms.get(synonym_key(name), ())
        for text in names:
            key = tuple(words(text))
            if key:
                lexicon.setdefault(key, code)
    return lexicon


def product_named_in(text: str, lexicon: dict[tuple[str, ...], str]) -> str:
    """The code of the product ``text`` names (the longest name found first), or
    ""."""
    tokens = words(text)
    for size in sorted({len(key) for key in lexicon}, reverse=True):
        for start in range(len(tokens) - size + 1):
            code = lexicon.get(tuple(tokens[start : start + size]))
            if code:
                return code
    return ""


# Recording -------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(normalise(CONTROL_CHARS.sub(" ", text)).split())[:MAX_QUERY_LENGTH]


def under_relevance_floor(query: str, article_id: int) -> bool:
    """Whether the article found best for ``query`` is under the relevance floor of
    ticket suggestions (:func:`search.selectors.under_ticket_floor`)."""
    page = (
        ArticlePage.objects.filter(pk=article_id)
        .only("title", "summary", "body_text")
        .first()
    )
    if page is None:
        return False  # gone since: nothing to say
    analysis = analyse(query, synonym_map())
    if not analysis.concepts:
        return False
    coverage = concept_coverage(
        analysis, field_keys(page.title, page.summary, [page.body_text])
    )
    return under_ticket_floor(analysis, coverage)


def search_gap_count(
    *,
    source: str,
    query: str,
    product_code: str = "",
    zero_results: int = 0,
    low_confidence: int = 0,
    day: datetime.date | None = None,
) -> None:
    """Add to the day's row of (source, query, product); no row per call."""
    day = day or timezone.localdate()
    key = {
        "day": day,
        "source": source,
        "normalised_query": _key(query),
        "product_code": product_code,
    }
    changes = {
        "zero_results": F("zero_results") + zero_results,
        "low_confidence": F("low_confidence") + low_confidence,
    }
    rows = SearchGapDaily.objects.filter(**key)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            SearchGapDaily.objects.create(
                **key, zero_results=zero_results, low_confidence=low_confidence
            )
    except IntegrityError:  # another worker created the row first
        rows.update(**changes)


def search_gap_record(
    *,
    source: str,
    query: str,
    product: str | None = None,
    results_total: int = 0,
    best_article_id: int | None = None,
) -> bool:
    """Count one search or ticket suggestion if it is a gap; True when it was."""
    return _gap_count_if_any(
        day=timezone.localdate(),
        source=source,
        query=query,
        product=product,
        zero=results_total == 0,
        best_article_id=best_article_id,
        times=1,
    )


def _gap_count_if_any(
    *,
    day: datetime.date,
    source: str,
    query: str,
    product: str | None,
    zero: bool,
    best_article_id: int | None,
    times: int,
) -> bool:
    if not _key(query):
        return False
    low = (
        not zero
        and best_article_id is not None
        and under_relevance_floor(query, best_article_id)
    )
    if not (zero or low):
        return False
    code = (product or "").strip()
    if not code or not Product.objects.filter(code=code).exists():
        code = product_named_in(query, product_lexicon())
    search_gap_count(
        source=source,
        query=query,
        product_code=code,
        zero_results=times * int(zero),
        low_confidence=times * int(low),
        day=day,
    )
    return True


def search_gap_note(
    *,
    source: str,
    query: str,
    product: str | None = None,
    results_total: int = 0,
    best_article_id: int | None = None,
) -> None:
    """What the resolvers call: a search (its first page) or an empty ticket
    suggestion that may be a gap, buffered in the process (:mod:`cms.counters`) and
    decided at the flush, off the request path, once per day, origin, query,
    product and best match however often it was asked."""
    if not _key(query):
        return
    _candidates.add(
        (
            timezone.localdate(),
            source,
            query,
            product or "",
            results_total == 0,
            best_article_id,
        ),
        times=1,
    )


def _gap_candidates_write(batch: Batch) -> None:
    for (day, source, query, product, zero, best), counts in batch.items():
        _gap_count_if_any(
            day=day,
            source=source,
            query=query,
            product=product,
            zero=zero,
            best_article_id=best,
            times=counts["times"],
        )


_candidates = BufferedCounts("search-gaps", _gap_candidates_write)


# The report ------------------------------------------------------------------------


@dataclass
class ProductGap:
    """The gaps of one product (or of none, ``product_code`` "") over a period."""

    product_code: str
    zero_results: int
    low_confidence: int
    tickets: int
    queries: int
    product_name: str = ""
    holders: int | None = None
    examples: list[str] = field(default_factory=list)

    @property
    def searches(self) -> int:
        return self.zero_results + self.low_confidence

    @property
    def hits(self) -> int:
        return self.searches + self.tickets

    @property
    def product_label(self) -> str:
        if not self.product_code:
            return "Sans produit identifié"
        return self.product_name or self.product_code  # a product since removed

    @property
    def examples_text(self) -> str:
        return " ; ".join(self.examples)


def knowledge_gaps(
    *, days: int, today: datetime.date | None = None
) -> list[ProductGap]:
    """Each product's gaps over the last ``days`` days (today included), the most
    hit first: the searches and tickets that hit them, how many client companies
    hold the product, and its most frequent queries. Three SQL queries whatever the
    number of rows: grouped and ranked in the database."""
    since = (today or timezone.localdate()) - datetime.timedelta(days=days)
    rows = SearchGapDaily.objects.filter(day__gt=since)
    search, ticket = Q(source=Source.SEARCH), Q(source=Source.TICKET)
    hits = F("zero_results") + F("low_confidence")
    gaps = {
        row["product_code"]: ProductGap(
            product_code=row["product_code"],
            zero_results=row["zero"],
            low_confidence=row["low"],
            tickets=row["ticket_hits"],
            queries=row["query_count"],
        )
        for row in rows.order_by()
        .values("product_code")
        .annotate(
            zero=Sum("zero_results", filter=search, default=0),
            low=Sum("low_confidence", filter=search, default=0),
            ticket_hits=Sum(hits, filter=ticket, default=0),
            query_count=Count("normalised_query", distinct=True),
        )
    }
    if not gaps:
        return []
    examples = (
        rows.order_by()
        .values("product_code", "normalised_query")
        .annotate(n=Sum(hits))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("product_code")],
                order_by=[F("n").desc(), F("normalised_query").asc()],
            )
        )
        .filter(rank__lte=EXAMPLES)
        .order_by("product_code", "rank")
        .values_list("product_code", "normalised_query")
    )
    for code, query in examples:
        gaps[code].examples.append(query)
    products = with_holder_counts(Product.objects.filter(code__in=list(gaps)))
    for code, name, holders in products.values_list("code", "name", "holder_count"):
        gaps[code].product_name = name
        gaps[code].holders = holders or 0
    return sorted(
        gaps.values(),
        key=lambda gap: (
            -gap.hits,
            -(gap.holders or 0),
            gap.product_code == "",
            gap.product_code,
        ),
    )
