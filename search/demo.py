"""Demo search analytics: three weeks of what clients searched for, so Reports →
« Recherches » and « Recherches sans résultat » show something (idempotent)."""

from __future__ import annotations

import datetime
import json
import random
from pathlib import Path

from django.utils import timezone

from .models import SearchQueryDaily

FIXTURE = Path(__file__).with_name("fixtures") / "demo_searches.json"
DAYS = 21


def load() -> None:
    queries = json.loads(FIXTURE.read_text(encoding="utf-8"))["queries"]
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
