"""The workloads, each beside its peers on the same data, in process.

Every registered workload (``REGISTRY``) names its subject (our GraphQL answer) and
its peers; before timing, each peer is called once and must answer the same items
(ids, total) as the subject, the floors the same JSON. Then all are timed
interleaved (``bench.measure.interleaved``)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from downloads.views import DOWNLOAD_CHUNK

from . import http, queries
from .data import BENCH_COMPANY, LONG_ARTICLE_SLUG, add_download
from .measure import check_response, count_queries, interleaved

DATABASE_ONLY = {"default": {"BACKEND": "wagtail.search.backends.database"}}


@dataclass
class Context:
    base: dict
    conf: dict
    log: Any
    client: Client = field(default_factory=Client)

    def gql(
        self, query: str, variables: dict | None = None, *, token: str | None = None
    ):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        payload = {"query": query, "variables": variables or {}}
        return self.client.post(
            "/graphql/", json.dumps(payload), content_type="application/json", **headers
        )

    def get(self, url: str, *, token: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return self.client.get(url, **headers)

    @property
    def token(self) -> str:
        """The signed-in client: the admin of a company holding products."""
        return self.base["admin_token"]

    @property
    def service_token(self) -> str:
        """The ticketing system: a service token with the ``tickets`` scope."""
        if "service_token" not in self.base:
            from accounts.models import ServiceToken

            self.base["service_token"] = ServiceToken.generate(
                name="bench-tickets", scopes=["tickets"]
            )[1]
        return self.base["service_token"]

    def token_of(self, caller: str) -> str | None:
        if caller == "service":
            return self.service_token
        return self.token if caller == "client" else None


# --- the registry -----------------------------------------------------------------


@dataclass
class Peer:
    """One way of answering a workload: ``call`` returns the response; ``items``
    says which items (ids, total) an answer holds, to check every peer answers the
    same ones; ``exact``: the peer answers the same JSON as the subject."""

    call: Callable[[], Any]
    items: Callable[[Any], dict] | None = None
    graphql: bool = False
    exact: bool = False


@dataclass(frozen=True)
class Workload:
    name: str
    label: str
    caller: str  # "anonymous" or "client"
    subject: str
    peers: Callable[[Context], dict[str, Peer]]
    # A Query field the workload needs; skipped when the served schema lacks it.
    requires_field: str | None = None


class Skipped(Exception):
    """The workload cannot run here (no engine, a query not written yet)."""


def _json(response) -> Any:
    return json.loads(response.content)


def _data(response) -> dict:
    return check_response(response, graphql=True)


def _listing_items(response) -> dict:
    body = _json(response)
    if "data" in body:
        page = body["data"]["articles"]
        return {"total": page["total"], "ids": [int(i["id"]) for i in page["items"]]}
    return {  # REST v2
        "total": body["meta"]["total_count"],
        "ids": [int(i["id"]) for i in body["items"]],
    }


def _article_items(response) -> dict:
    body = _json(response)
    article = body["data"]["article"] if "data" in body else body
    related = article.get("relatedArticles", article.get("related_articles")) or []
    return {
        "ids": [int(article["id"])],
        "related": [int(r["id"]) for r in related],
    }


def _listing_peers(query: str, rest: str, floor: str, caller: str):
    def make(ctx: Context) -> dict[str, Peer]:
        token = ctx.token_of(caller)
        return {
            "graphql": Peer(
                lambda: ctx.gql(query, token=token), _listing_items, graphql=True
            ),
            "rest_v2": Peer(lambda: ctx.get(rest, token=token), _listing_items),
            "values_floor": Peer(
                lambda: ctx.get(floor, token=token), _listing_items, exact=True
            ),
        }

    return make


def _article_peers(caller: str):
    def make(ctx: Context) -> dict[str, Peer]:
        token = ctx.token_of(caller)
        pk = _long_article_id()
        return {
            "graphql": Peer(
                lambda: ctx.gql(
                    queries.PORTAL_ARTICLE, {"slug": LONG_ARTICLE_SLUG}, token=token
                ),
                _article_items,
                graphql=True,
            ),
            "rest_v2": Peer(
                lambda: ctx.get(f"/api/v2/articles/{pk}/", token=token),
                _article_items,
            ),
            "values_floor": Peer(
                lambda: ctx.get(f"/bench/articles/{LONG_ARTICLE_SLUG}/", token=token),
                _article_items,
                exact=True,
            ),
        }

    return make


def _company_items(response) -> dict:
    body = _json(response)
    company = body["data"]["myCompany"] if "data" in body else body
    page = company["subscriptions"]
    return {"total": page["total"], "ids": [int(s["id"]) for s in page["items"]]}


def _my_company_peers(ctx: Context) -> dict[str, Peer]:
    return {
        "graphql": Peer(
            lambda: ctx.gql(queries.MY_COMPANY, token=ctx.token),
            _company_items,
            graphql=True,
        ),
        "django_floor": Peer(
            lambda: ctx.get("/bench/my-company/", token=ctx.token), _company_items
        ),
    }


def _search_items(response) -> dict:
    if isinstance(response, _EngineAnswer):
        return {"total": response.total, "ids": response.ids}
    page = _data(response)["searchArticles"]
    return {
        "total": page["total"],
        "ids": [int(i["article"]["id"]) for i in page["items"]],
    }


def _search_peers(caller: str):
    def make(ctx: Context) -> dict[str, Peer]:
        token = ctx.token_of(caller)
        variables = {"q": queries.SEARCH_TERMS}
        if not settings.BENCH_SEARCH_URL:
            # No engine: the database backend, alone (no raw peer to set beside it).
            def database():
                with override_settings(WAGTAILSEARCH_BACKENDS=DATABASE_ONLY):
                    return ctx.gql(queries.SEARCH, variables, token=token)

            return {"graphql": Peer(database, _search_items, graphql=True)}
        return {
            "graphql": Peer(
                lambda: ctx.gql(queries.SEARCH, variables, token=token),
                _search_items,
                graphql=True,
            ),
            "raw_engine": Peer(_raw_engine_call(ctx, token), _search_items),
        }

    return make


def _schema_has(field_name: str) -> bool:
    from cms.api.schema import schema

    return field_name in schema.graphql_schema.query_type.fields


def _ticket_context_items(response) -> dict:
    context = _data(response)["ticketContext"]
    return {
        "company": context["company"]["customerNumber"],
        "subscriptions": len(context["holdings"]["subscriptions"]),
    }


def _ticket_context_peers(ctx: Context) -> dict[str, Peer]:
    # The ticketing system (a service token with the ``tickets`` scope) asks about a
    # ticket of the bench's client company. No peer: no other system answers this
    # question in one call; the workload is measured for its own target (p95 < 100 ms)
    # and its constant query count.
    from tickets.graphql import TICKET_CONTEXT, ticket_context_variables

    token = ctx.service_token
    variables = ticket_context_variables(BENCH_COMPANY)
    return {
        "graphql": Peer(
            lambda: ctx.gql(TICKET_CONTEXT, variables, token=token),
            _ticket_context_items,
            graphql=True,
        ),
    }


REGISTRY: dict[str, Workload] = {
    w.name: w
    for w in (
        Workload(
            "listing",
            "listing, flat (20 articles + category, tags, authors, products)",
            "anonymous",
            "graphql",
            _listing_peers(
                queries.LISTING, queries.REST_LISTING, "/bench/articles/", "anonymous"
            ),
        ),
        Workload(
            "portal_listing",
            "portal listing (fragments; + versions, related articles, author photos)",
            "anonymous",
            "graphql",
            _listing_peers(
                queries.PORTAL_LISTING,
                queries.REST_PORTAL_LISTING,
                "/bench/portal-articles/",
                "anonymous",
            ),
        ),
        Workload(
            "portal_listing_client",
            "portal listing as a client (company holding products)",
            "client",
            "graphql",
            _listing_peers(
                queries.PORTAL_LISTING,
                queries.REST_PORTAL_LISTING,
                "/bench/portal-articles/",
                "client",
            ),
        ),
        Workload(
            "article",
            "portal article, 200-block body",
            "anonymous",
            "graphql",
            _article_peers("anonymous"),
        ),
        Workload(
            "article_client",
            "portal article, 200-block body, as a client",
            "client",
            "graphql",
            _article_peers("client"),
        ),
        Workload(
            "my_company",
            "`myCompany`, subscriptions + licences (company admin)",
            "client",
            "graphql",
            _my_company_peers,
        ),
        Workload(
            "search",
            "`searchArticles`",
            "anonymous",
            "graphql",
            _search_peers("anonymous"),
        ),
        Workload(
            "search_client",
            "`searchArticles` as a client",
            "client",
            "graphql",
            _search_peers("client"),
        ),
        Workload(
            "ticket_context",
            "`ticketContext` (the ticketing system, for the client company's ticket)",
            "service",
            "graphql",
            _ticket_context_peers,
            requires_field="ticketContext",
        ),
    )
}


def peers_of(ctx: Context, workload: Workload) -> dict[str, Peer]:
    """The workload's peers, or :class:`Skipped`."""
    if workload.requires_field and not _schema_has(workload.requires_field):
        raise Skipped(f"the schema has no `{workload.requires_field}` field")
    return workload.peers(ctx)


def check_same_items(workload: Workload, peers: dict[str, Peer]) -> dict:
    """Call every peer once; fail unless each answers the subject's items (and, for an
    ``exact`` peer, its JSON). Returns each peer's answer size in bytes and the
    milliseconds of that first call."""
    answers, first_ms = {}, {}
    for name, peer in peers.items():
        start = time.perf_counter()
        response = peer.call()
        first_ms[name] = (time.perf_counter() - start) * 1000
        check_response(response, graphql=peer.graphql)
        answers[name] = response
    subject = peers[workload.subject]
    expected = subject.items(answers[workload.subject]) if subject.items else None
    for name, peer in peers.items():
        if name == workload.subject or peer.items is None or expected is None:
            continue
        got = peer.items(answers[name])
        if got != expected:
            raise AssertionError(
                f"{workload.name}: {name} answers other items than "
                f"{workload.subject}: {got} != {expected}"
            )
        if peer.exact:
            mine = _canonical(_json(answers[workload.subject]))
            theirs = _canonical(_json(answers[name]))
            if mine != theirs:
                raise AssertionError(
                    f"{workload.name}: {name} answers other JSON than "
                    f"{workload.subject}: {_first_difference(mine, theirs)}"
                )
    return {
        "bytes": {n: len(getattr(r, "content", b"")) for n, r in answers.items()},
        "first_ms": first_ms,
        "items": expected,
    }


def _canonical(value):
    """``value`` with each ``tags`` list sorted by name: the GraphQL article type lists
    an article's tags in no stated order (PostgreSQL returns the prefetch's rows in
    any order), so the floors' tags are compared as a set; all else in order."""
    if isinstance(value, dict):
        return {
            k: sorted(map(_canonical, v), key=lambda t: t.get("name", ""))
            if k == "tags" and isinstance(v, list)
            else _canonical(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _first_difference(a, b, path="") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
        return f"{path}: key order {list(a)} != {list(b)}"
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} != {len(b)} entries"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {str(a)[:120]!r} != {str(b)[:120]!r}"


def _long_article_id() -> int:
    from knowledge.models import ArticlePage

    return ArticlePage.objects.values_list("pk", flat=True).get(slug=LONG_ARTICLE_SLUG)


def query_counts(ctx: Context, only: list[str]) -> dict:
    """SQL queries of one request of each workload's peers (raw engine: none)."""
    counts = {}
    for name, workload in REGISTRY.items():
        if name not in only:
            continue
        try:
            peers = peers_of(ctx, workload)
        except Skipped:
            continue
        for peer_name, peer in peers.items():
            if peer_name == "raw_engine":
                continue
            n, response = count_queries(peer.call)
            check_response(response, graphql=peer.graphql)
            counts[f"{name}.{peer_name}"] = n
    return counts


def run_registered(ctx: Context, name: str) -> dict:
    """Check that the peers answer the same items, then time them interleaved: every
    peer the same number of calls, round-robin, ``repeats`` times."""
    workload = REGISTRY[name]
    try:
        peers = peers_of(ctx, workload)
    except Skipped as exc:
        return {"skipped": str(exc)}
    check = check_same_items(workload, peers)
    repeats, per_repeat = ctx.conf["repeats"], ctx.conf["per_repeat"]
    # Peers that are slow at this size get fewer rounds, all of them alike (the
    # round costs the sum of the peers' calls): the workload stays within budget.
    round_ms = sum(check["first_ms"].values())
    budget_ms = ctx.conf["workload_budget_s"] * 1000
    fitted = max(1, min(per_repeat, int(budget_ms / max(round_ms * repeats, 1e-3))))
    result = interleaved(
        {n: p.call for n, p in peers.items()},
        repeats=repeats,
        per_repeat=fitted,
        warmup=ctx.conf["warmup"] if fitted == per_repeat else 1,
        subject=workload.subject,
    )
    for peer_name, fig in result["peers"].items():
        fig["bytes"] = check["bytes"][peer_name]
        ctx.log(
            f"  {peer_name}: p50 {fig['p50_ms']} ms "
            f"({fig['p50_min_ms']}-{fig['p50_max_ms']}), p95 {fig['p95_ms']} ms, "
            f"{fig['bytes']} bytes"
        )
    result.update(
        label=workload.label,
        caller=workload.caller,
        subject=workload.subject,
        same_items=True,
        items=check["items"],
    )
    if fitted < per_repeat:
        result["note"] = (
            f"{fitted} calls per repeat for every peer (a round took "
            f"{round_ms:.0f} ms): within the workload's budget"
        )
    return result


class _EngineAnswer:
    status_code = 200

    def __init__(self, body: dict):
        self.content = json.dumps(body, separators=(",", ":")).encode()  # its size
        self.total = body["hits"]["total"]["value"]
        self.ids = [_engine_pk(hit) for hit in body["hits"]["hits"]]


def _engine_pk(hit: dict) -> int:
    fields = hit.get("fields") or {}
    for key in ("pk", "id"):
        if key in fields:
            return int(fields[key][0])
    source = hit.get("_source") or {}
    if "pk" in source:
        return int(source["pk"])
    return int(str(hit["_id"]).rsplit(":", 1)[-1])


def _raw_engine_call(ctx: Context, token: str | None):
    """The engine request(s) modelsearch sends for the GraphQL search of this caller,
    captured once and replayed with one long-lived opensearch-py client: the floor."""
    from opensearchpy import OpenSearch

    captured = []
    original = OpenSearch.search

    def recording(self, *args, **kwargs):
        captured.append((args, kwargs))
        return original(self, *args, **kwargs)

    OpenSearch.search = recording
    try:
        check_response(
            ctx.gql(queries.SEARCH, {"q": queries.SEARCH_TERMS}, token=token),
            graphql=True,
        )
    finally:
        OpenSearch.search = original
    if not captured:
        raise RuntimeError("no engine request captured")
    client = OpenSearch([settings.BENCH_SEARCH_URL], timeout=10)

    def call():
        body = None
        for args, kwargs in captured:
            body = client.search(*args, **kwargs)
        return _EngineAnswer(body)

    return call


class _Ok:
    status_code = 200


def run_reindex(ctx: Context) -> dict:
    """Both loaders warmed once, then ``reindex_repeats`` rounds alternating which
    goes first; median throughput per loader (min-max) and of the per-round ratio."""
    if not settings.BENCH_SEARCH_URL:
        return {"skipped": "no search engine reachable"}
    import statistics

    from .reindex import modelsearch_reindex, raw_bulk_reindex

    loaders = {"modelsearch": modelsearch_reindex, "raw_bulk": raw_bulk_reindex}
    for load in loaders.values():
        load(ctx)  # warm: the engine's caches, the database's pages, the JIT-less path
    runs: dict[str, list[dict]] = {name: [] for name in loaders}
    names = list(loaders)
    for r in range(ctx.conf["reindex_repeats"]):
        for name in names[r % 2 :] + names[: r % 2]:
            runs[name].append(loaders[name](ctx))
            ctx.log(
                f"  {name}: {runs[name][-1]['docs']} docs in "
                f"{runs[name][-1]['seconds']} s"
            )
    peers = {}
    for name, figures in runs.items():
        rates = [f["docs_per_s"] for f in figures]
        peers[name] = {
            "docs": figures[-1]["docs"],
            "seconds": round(statistics.median(f["seconds"] for f in figures), 2),
            "docs_per_s": round(statistics.median(rates), 1),
            "docs_per_s_min": min(rates),
            "docs_per_s_max": max(rates),
            "runs": len(figures),
        }
    if peers["modelsearch"]["docs"] != peers["raw_bulk"]["docs"]:
        raise AssertionError(f"reindex: not the same documents: {peers}")
    ratios = [
        m["docs_per_s"] / r["docs_per_s"]
        for m, r in zip(runs["modelsearch"], runs["raw_bulk"], strict=True)
    ]
    return {
        "peers": peers,
        "ratios": {
            "modelsearch/raw_bulk throughput": round(statistics.median(ratios), 2),
            "min": round(min(ratios), 2),
            "max": round(max(ratios), 2),
        },
    }


REQUEST_DOWNLOAD = """mutation($id: ID!) {
  requestDownload(fileId: $id) { url size sha256 }
}"""


def _download_source(ctx: Context):
    """The generated file (1 MiB blocks of 0..255), written once per size."""
    path = settings.BENCH_DIR / "download.bin"
    size = ctx.conf["download_mb"] * 1024 * 1024
    if not path.exists() or path.stat().st_size != size:
        chunk = bytes(range(256)) * 4096  # 1 MiB
        with path.open("wb") as f:
            for _ in range(ctx.conf["download_mb"]):
                f.write(chunk)
    return path, size


def _consume(response, size: int) -> None:
    n = sum(len(part) for part in response.streaming_content)
    response.close()
    assert n == size, n


def run_download(ctx: Context) -> dict:
    path, size = _download_source(ctx)
    file = add_download(path, ctx.base["admin"].company)
    page = file.page

    def request_link() -> dict:
        response = ctx.gql(REQUEST_DOWNLOAD, {"id": file.pk}, token=ctx.token)
        return check_response(response, graphql=True)["requestDownload"]

    def signed_link():
        # What the portal does: ask for a link (as the company admin), then follow
        # it with no API token, as a browser would.
        response = ctx.client.get(request_link()["url"])
        _consume(response, size)
        return response

    def file_response():
        response = ctx.client.get("/bench/download/")
        _consume(response, size)
        return response

    def disk_read():
        n = 0
        with path.open("rb") as f:
            while part := f.read(8192):  # FileResponse's block size
                n += len(part)
        assert n == size, n
        return _Ok()

    # Once, untimed: the link serves the stored bytes, whole.
    link = request_link()
    response = ctx.client.get(link["url"])
    digest = hashlib.sha256()
    for part in response.streaming_content:
        digest.update(part)
    response.close()
    assert digest.hexdigest() == link["sha256"] == file.sha256, "checksum mismatch"

    result = interleaved(
        {
            "signed_link": signed_link,
            "file_response": file_response,
            "disk_read": disk_read,
        },
        repeats=ctx.conf["repeats"],
        per_repeat=1,
        warmup=1,
        subject="signed_link",
    )
    for peer in result["peers"].values():
        peer["mb_per_s"] = round(ctx.conf["download_mb"] / (peer["p50_ms"] / 1000), 1)
    result["subject"] = "signed_link"
    result["file_mb"] = ctx.conf["download_mb"]
    access = "public page" if page.is_public else f"{page.product.name}, entitled"
    result["note"] = (
        "signed_link is the real path: the `requestDownload` mutation as the company "
        "admin (entitlement, signed token), then a GET of the link with no API token "
        "(downloads.views.download_file: link check, entitlement again, audit row, "
        f"streamed in {DOWNLOAD_CHUNK // 1024} KiB chunks) of a DownloadFile in the "
        f"downloads storage ({access}); file_response is a bare Django FileResponse "
        "(bench/views.download) of the same bytes, disk_read a raw read loop of them "
        "(the floor); MB/s from the p50, which for signed_link includes the link"
    )
    return result


def run_http(ctx: Context) -> dict:
    return http.run(ctx)
