"""The relevance suite: judged queries run through the real search selectors.

The demo's live articles and the suite's distractors (``distractors.json``: close in
vocabulary, answering none of the queries) are loaded into the current database and
index; each query of ``queries.json`` is asked as staff (audience plays no part)
through :func:`search.selectors.articles_search_for`,
:func:`~search.selectors.ticket_suggestions_for` or
:func:`~search.selectors.article_suggestions_for`, and the answer is judged against
the query's relevant slugs: top-1, top-3 and MRR (reciprocal rank of the first
relevant article in the answer, 0 when absent) per kind; for ``no_answer`` the share
of queries that get nothing back.

``holdings`` queries are asked for a client company of ``holdings.json`` (a
member of it in the search box, the ticketing system acting for it for a ticket)
between two articles that differ only by product: the one about a product the
company holds must come first.

``plain_bm25_run`` is the peer the engine is compared with: the same articles in an
OpenSearch index of their own, the built-in ``french`` analyser, one ``multi_match``
over ``title^3`` and ``body`` (summary, tags and body text), nothing tuned.

``python -m tests.search.relevance`` (``make relevance``) runs it all in a fresh
database; ``test_relevance.py`` holds the floors CI keeps.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from catalog.models import Licence, LicenceType, Product, ProductRelease, Subscription
from cms.access import Caller, CallerKind
from knowledge import demo
from knowledge.models import ArticlePage, Audience, Category, KnowledgeIndexPage
from search.selectors import (
    article_suggestions_for,
    articles_search_for,
    ticket_suggestions_for,
)

HERE = Path(__file__).parent
KINDS = ("search_box", "ticket", "autocomplete", "no_answer", "holdings")
STAFF = Caller(CallerKind.STAFF)
# How many answers a kind is judged on (what its screen shows).
SEARCH_LIMIT = 10
TICKET_LIMIT = 5


@dataclass(frozen=True)
class Query:
    id: str
    kind: str
    relevant: tuple[str, ...] = ()
    query: str = ""
    subject: str = ""
    description: str = ""
    product: str | None = None
    version: str | None = None
    mode: str = ""  # no_answer, holdings: asked as "search_box" or "ticket"
    company: str = ""  # holdings: the key of the company asked for (holdings.json)

    @property
    def asked_as(self) -> str:
        return self.mode if self.kind in ("no_answer", "holdings") else self.kind

    @property
    def text(self) -> str:
        """What a plain search would be given."""
        return self.query or f"{self.subject}\n{self.description}"


@dataclass
class Answer:
    query: Query
    slugs: list[str]
    ms: float = 0.0  # how long the selector took (warm: after the first queries)

    @property
    def rank(self) -> int | None:
        """1-based rank of the first relevant article, None when absent."""
        for position, slug in enumerate(self.slugs, 1):
            if slug in self.query.relevant:
                return position
        return None


@dataclass
class KindFigures:
    count: int = 0
    top1: float = 0.0
    top3: float = 0.0
    mrr: float = 0.0
    empty: float = 0.0  # no_answer: share answered with nothing
    misses: list[str] = field(default_factory=list)


def queries(path: Path = HERE / "queries.json") -> list[Query]:
    rows = json.loads(path.read_text())["queries"]
    return [
        Query(**{**row, "relevant": tuple(row.get("relevant", ()))}) for row in rows
    ]


def distractors(path: Path = HERE / "distractors.json") -> list[dict]:
    return json.loads(path.read_text())["articles"]


def holdings(path: Path = HERE / "holdings.json") -> dict:
    return json.loads(path.read_text())


def holdings_slug(topic: str, product: str) -> str:
    """The slug of the article of ``topic``'s pair about ``product``."""
    return f"{topic}-{product}"


# The corpus ----------------------------------------------------------------------


@transaction.atomic
def corpus_load() -> int:
    """The demo knowledge base plus the distractors; returns the live article count."""
    demo.load()
    index = KnowledgeIndexPage.objects.get(slug=demo.INDEX_SLUG)
    categories = {c.slug: c for c in Category.objects.all()}
    products = {p.code: p for p in Product.objects.all()}
    for spec in distractors():
        if ArticlePage.objects.filter(slug=spec["slug"]).exists():
            continue
        article = ArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            body=[
                {"type": "paragraph", "value": f"<p>{text}</p>"}
                for text in spec["body"]
            ],
            category=categories[spec["category"]],
            audience=Audience.PUBLIC,
        )
        article.products = [products[code] for code in spec["products"]]
        article.versions = list(
            ProductRelease.objects.filter(
                product__code__in=spec["products"], version__in=spec["versions"]
            )
        )
        article.tags.add(*spec["tags"])
        index.add_child(instance=article)
        article.save_revision().publish()
    _holdings_load(index, products)
    return ArticlePage.objects.live().count()


def _holdings_load(index: KnowledgeIndexPage, products: dict) -> None:
    """holdings.json: its companies and what they hold, and its article pairs (the
    same text, one article per product)."""
    spec = holdings()
    category, _ = Category.objects.get_or_create(
        slug=spec["category"]["slug"], defaults={"name": spec["category"]["name"]}
    )
    for code, parts in spec["collections"].items():
        products[code].includes.add(*(products[part] for part in parts))
    today = timezone.localdate()
    for row in spec["companies"]:
        company, created = Company.objects.get_or_create(
            customer_number=row["customer_number"], defaults={"name": row["name"]}
        )
        if not created:
            continue
        for code in row["subscriptions"]:
            Subscription.objects.create(
                company=company,
                product=products[code],
                autodesk_id=f"{row['customer_number']}-{code}",
                start_date=today - dt.timedelta(days=100),
                end_date=today + dt.timedelta(days=265),
            )
        for code in row["licences"]:  # perpetual, without a subscription
            Licence.objects.create(
                company=company,
                product=products[code],
                licence_type=LicenceType.SINGLE_USER,
            )
    for pair in spec["pairs"]:
        for code in pair["products"]:
            slug = holdings_slug(pair["topic"], code)
            if ArticlePage.objects.filter(slug=slug).exists():
                continue
            article = ArticlePage(
                title=pair["title"],
                slug=slug,
                summary=pair["summary"],
                body=[
                    {"type": "paragraph", "value": f"<p>{text}</p>"}
                    for text in pair["body"]
                ],
                category=category,
                audience=Audience.PUBLIC,
            )
            article.products = [products[code]]
            article.versions = list(
                ProductRelease.objects.filter(product__code=code, version="2026")
            )
            article.tags.add(*pair["tags"])
            index.add_child(instance=article)
            article.save_revision().publish()


def company_callers(company_key: str) -> tuple[Caller, Caller, int]:
    """(a member of the company, the ticketing system acting for it, its id)."""
    number = next(
        row["customer_number"]
        for row in holdings()["companies"]
        if row["key"] == company_key
    )
    pk = Company.objects.get(customer_number=number).pk
    service = Caller(CallerKind.SERVICE, scopes=frozenset({"tickets"}))
    return Caller.member_of(pk), service.acting_for(pk), pk


# Running the queries -------------------------------------------------------------


def _slugs(articles: Iterable[ArticlePage]) -> list[str]:
    return [article.slug for article in articles]


def ask(query: Query) -> list[str]:
    """The slugs the selectors answer ``query`` with, best first: as staff, or for
    a holdings query as a member of its company (search box) or the ticketing
    system acting for it (ticket)."""
    asked_as = query.asked_as
    member = service = STAFF
    company_id = None
    if query.company:
        member, service, company_id = company_callers(query.company)
    if asked_as == "search_box":
        result = articles_search_for(
            caller=member, query=query.query, limit=SEARCH_LIMIT, fields=()
        )
        return _slugs(hit.article for hit in result.items)
    if asked_as == "ticket":
        hits = ticket_suggestions_for(
            caller=service,
            company_id=company_id,
            subject=query.subject,
            description=query.description,
            product=query.product,
            version=query.version,
            limit=TICKET_LIMIT,
            fields=(),
        )
        return _slugs(hit.article for hit in hits)
    if asked_as == "autocomplete":
        return _slugs(
            article_suggestions_for(caller=STAFF, prefix=query.query, fields=())
        )
    raise ValueError(f"{query.id}: unknown kind {asked_as!r}")


def run(judged: list[Query], asker: Callable[[Query], list[str]] = ask) -> list[Answer]:
    answers = []
    for query in judged:
        started = time.perf_counter()
        slugs = asker(query)
        answers.append(Answer(query, slugs, 1000 * (time.perf_counter() - started)))
    return answers


def latencies(answers: list[Answer]) -> dict[str, tuple[float, float]]:
    """(median, p95) milliseconds per kind asked."""
    out = {}
    for kind in ("search_box", "ticket", "autocomplete"):
        ms = sorted(a.ms for a in answers if a.query.asked_as == kind)
        if ms:
            out[kind] = (ms[len(ms) // 2], ms[min(len(ms) - 1, int(0.95 * len(ms)))])
    return out


def figures(answers: list[Answer]) -> dict[str, KindFigures]:
    """Top-1, top-3 and MRR per kind; for no_answer, the share answered with nothing."""
    out: dict[str, KindFigures] = {}
    for kind in KINDS:
        mine = [a for a in answers if a.query.kind == kind]
        if not mine:
            continue
        f = out[kind] = KindFigures(count=len(mine))
        if kind == "no_answer":
            f.empty = _share(not a.slugs for a in mine)
            f.misses = [a.query.id for a in mine if a.slugs]
            continue
        ranks = [a.rank for a in mine]
        f.top1 = _share(r == 1 for r in ranks)
        f.top3 = _share(r is not None and r <= 3 for r in ranks)
        f.mrr = round(sum(1 / r for r in ranks if r) / len(ranks), 3)
        f.misses = [a.query.id for a in mine if a.rank != 1]
    return out


def _share(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return round(sum(flags) / len(flags), 3) if flags else 0.0


# The plain BM25 peer -------------------------------------------------------------

BM25_SETTINGS = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {
        "properties": {
            "slug": {"type": "keyword"},
            "title": {"type": "text", "analyzer": "french"},
            "body": {"type": "text", "analyzer": "french"},
        }
    },
}


def plain_bm25_run(es, index: str, judged: list[Query]) -> list[Answer]:
    """The judged queries on a plain BM25 index of the live articles (the peer)."""
    es.indices.create(index=index, body=BM25_SETTINGS)
    try:
        for article in ArticlePage.objects.live():
            body = " ".join(
                [article.summary, article.search_tag_names(), article.body_text]
            )
            es.index(
                index=index,
                id=article.pk,
                body={"slug": article.slug, "title": article.title, "body": body},
            )
        es.indices.refresh(index=index)

        def asker(query: Query) -> list[str]:
            match = {"query": query.text, "fields": ["title^3", "body"]}
            if query.asked_as == "autocomplete":
                match["type"] = "bool_prefix"
            size = {"ticket": TICKET_LIMIT, "autocomplete": 8}.get(
                query.asked_as, SEARCH_LIMIT
            )
            response = es.search(
                index=index,
                body={
                    "query": {"multi_match": match},
                    "size": size,
                    "_source": ["slug"],
                },
            )
            return [hit["_source"]["slug"] for hit in response["hits"]["hits"]]

        return run(judged, asker)
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)


# Reporting -----------------------------------------------------------------------


def as_json(by_backend: dict[str, dict[str, KindFigures]]) -> dict:
    def row(kind: str, f: KindFigures) -> dict:
        names = (
            ("count", "empty")
            if kind == "no_answer"
            else ("count", "top1", "top3", "mrr")
        )
        return {name: getattr(f, name) for name in names} | {"misses": f.misses}

    return {
        backend: {kind: row(kind, f) for kind, f in kinds.items()}
        for backend, kinds in by_backend.items()
    }


def table(by_backend: dict[str, dict[str, KindFigures]]) -> str:
    lines = [
        f"{'backend':<10} {'kind':<13} {'n':>3} {'top1':>6} {'top3':>6} {'mrr':>6}"
    ]
    for backend, kinds in by_backend.items():
        for kind, f in kinds.items():
            if kind == "no_answer":
                lines.append(
                    f"{backend:<10} {kind:<13} {f.count:>3} "
                    f"{'empty':>6} {f.empty:>6.0%}"
                )
            else:
                lines.append(
                    f"{backend:<10} {kind:<13} {f.count:>3} "
                    f"{f.top1:>6.0%} {f.top3:>6.0%} {f.mrr:>6.3f}"
                )
    return "\n".join(lines)
