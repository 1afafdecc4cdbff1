"""Demo search analytics: three weeks of what clients searched for, so Reports →
« Recherches », « Recherches sans résultat » and « Lacunes de la base » show
something (idempotent)."""

from __future__ import annotations

import datetime
import json
import random
from pathlib import Path

from django.utils import timezone

from .gaps import product_lexicon, product_named_in
from .models import SearchGapDaily, SearchQueryDaily

FIXTURE = Path(__file__).with_name("fixtures") / "demo_searches.json"
DAYS = 21


def load() -> None:
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    queries = fixture["queries"]
    _load_gaps(
        [{**q, "source": "search"} for q in queries if q.get("zero")] + fixture["gaps"]
    )
    rng = random.Random(2026)  # the same weeks on every load
    today = timezone.localdate()
    for back in range(DAYS, 0, -1):
        day = today - datetime.timedelta(days=back)
        if day.weekday() >= 5:
            continue  # clients search on working days
        for entry in queries:
            searches = max(0, round(rng.gauss(entry["weight"], entry["weight"] / 2)))
            if not searches:
                continue
            per_search = 0 if entry.get("zero") else rng.randint(1, 6)
            SearchQueryDaily.objects.update_or_create(
                day=day,
                normalised_query=entry["query"],
                defaults={
                    "searches": searches,
                    "results_total": searches * per_search,
                    "zero_result_searches": searches if not per_search else 0,
                },
            )


def _load_gaps(entries: list[dict]) -> None:
    """The same weeks of gaps: searches without answer or under the relevance
    floor, tickets without suggestion, each with the product its words name."""
    lexicon = product_lexicon()
    rng = random.Random(2027)
    today = timezone.localdate()
    for back in range(DAYS, 0, -1):
        day = today - datetime.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for entry in entries:
            count = max(0, round(rng.gauss(entry["weight"], entry["weight"] / 2)))
            if not count:
                continue
            low = bool(entry.get("low"))
            SearchGapDaily.objects.update_or_create(
                day=day,
                source=entry["source"],
                normalised_query=entry["query"],
                product_code=product_named_in(entry["query"], lexicon),
                defaults={
                    "zero_results": 0 if low else count,
                    "low_confidence": count if low else 0,
                },
            )
