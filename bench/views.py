"""The floor: plain Django JSON views over the same selectors as GraphQL, with no
GraphQL or REST framework in between. The article views read ``values()`` (no model
instances) and ask only the relations their answer outputs; they answer the same
JSON, byte for byte, as the GraphQL query they stand beside (checked by
``bench.workloads.check_same_items`` and tests/bench/)."""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpResponse, JsonResponse

from catalog import selectors as catalog_selectors
from cms.access import answering, caller_of
from knowledge import selectors, services
from knowledge.models import ArticlePage, ArticlePageRelatedLink, ArticlePageTag
from knowledge.models.pages import WORDS_PER_MINUTE

# --- article listings and detail: values(), only what the answer outputs ----------

_FLAT = ("category", "tags", "authors", "products")
_PORTAL = ("category", "tags", "products", "versions", "authors", "relatedArticles")


def _json(data: dict) -> HttpResponse:
    """As the GraphQL view encodes its answer (cms.api.errors.graphql_response)."""
    return HttpResponse(
        json.dumps({"data": data}, separators=(",", ":"), ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )


def _photo_url(name: str) -> str:
    url = default_storage.url(name)
    return settings.WAGTAILADMIN_BASE_URL + url if url.startswith("/") else url


def _relations(ids: list[int], caller, wanted: tuple[str, ...]) -> dict:
    """article id -> relation -> list, one values() query per relation asked, in the
    order the GraphQL types list them (through-row order, the models' orderings)."""
    out: dict[int, dict[str, list]] = {pk: {name: [] for name in wanted} for pk in ids}

    def put(name, rows, make):
        for row in rows:
            out[row[0]][name].append(make(row))

    if "tags" in wanted:
        put(
            "tags",
            ArticlePageTag.objects.filter(content_object_id__in=ids)
            .order_by("pk")
            .values_list("content_object_id", "tag__name"),
            lambda r: {"name": r[1]},
        )
    if "products" in wanted:
        put(
            "products",
            ArticlePage.products.through.objects.filter(articlepage_id__in=ids)
            .order_by("product__name", "product_id")
            .values_list("articlepage_id", "product__name", "product__code"),
            lambda r: {"name": r[1], "code": r[2]},
        )
    if "versions" in wanted:
        put(
            "versions",
            ArticlePage.versions.through.objects.filter(articlepage_id__in=ids)
            .order_by("productrelease__product__name", "-productrelease__version")
            .values_list(
                "articlepage_id",
                "productrelease__version",
                "productrelease__product__code",
            ),
            lambda r: {"version": r[1], "product": {"code": r[2]}},
        )
    if "authors" in wanted:
        portal = "relatedArticles" in wanted  # the portal's authors carry a photo

        def author(r):
            data = {"displayName": r[1], "jobTitle": r[2]}
            if portal:
                data["photo"] = (
                    None
                    if r[3] is None
                    else {"url": _photo_url(r[3]), "width": r[4], "height": r[5]}
                )
            return data

        put(
            "authors",
            ArticlePage.authors.through.objects.filter(articlepage_id__in=ids)
            .order_by("author__display_name", "author_id")
            .values_list(
                "articlepage_id",
                "author__display_name",
                "author__job_title",
                "author__photo__file",
                "author__photo__width",
                "author__photo__height",
            ),
            author,
        )
    if "relatedArticles" in wanted:
        readable = selectors.articles_visible_to(caller).filter(
            pk=OuterRef("article_id")
        )
        put(
            "relatedArticles",
            ArticlePageRelatedLink.objects.filter(page_id__in=ids)
            .filter(Exists(readable))
            .order_by("page_id", "sort_order")
            .values_list("page_id", "article_id", "article__title", "article__slug"),
            lambda r: {"id": str(r[1]), "title": r[2], "slug": r[3]},
        )
    return out


def _article_rows(qs, *, portal: bool, extra: tuple[str, ...] = ()) -> list[dict]:
    columns = ["pk", "title", "slug", "summary", "first_published_at"]
    if portal:
        columns.append("word_count")
    return list(qs.values(*columns, "category__name", "category__slug", *extra))


def _article_items(rows: list[dict], caller, *, portal: bool) -> list[dict]:
    wanted = _PORTAL if portal else _FLAT
    relations = _relations([r["pk"] for r in rows], caller, wanted)
    items = []
    for r in rows:
        published = r["first_published_at"]
        item = {
            "id": str(r["pk"]),
            "title": r["title"],
            "slug": r["slug"],
            "summary": r["summary"],
            "publishedAt": published.isoformat() if published else None,
        }
        if portal:
            item["readingTimeMinutes"] = max(
                1, math.ceil(r["word_count"] / WORDS_PER_MINUTE)
            )
        for name in wanted:
            item[name] = (
                {"name": r["category__name"], "slug": r["category__slug"]}
                if name == "category"
                else relations[r["pk"]][name]
            )
        items.append(item)
    return items


def _listing(request, *, portal: bool):
    per_page = 20
    caller = caller_of(request)
    # The same selectors, order and audience rule as the GraphQL listing, each
    # built once per request as the API builds them (``answering``), with no
    # relation prefetched: the relations come from one values() query each.
    with answering(caller):
        qs = selectors.article_list_for(caller=caller, fields=())
        total = selectors.article_count_for(caller=caller)
        rows = _article_rows(qs[:per_page], portal=portal)
        items = _article_items(rows, caller, portal=portal)
    return _json(
        {"articles": {"total": total, "pages": -(-total // per_page), "items": items}}
    )


def article_list(request):
    """The flat listing (bench.queries.LISTING)."""
    return _listing(request, portal=False)


def portal_article_list(request):
    """The portal's listing (bench.queries.PORTAL_LISTING)."""
    return _listing(request, portal=True)


def _block(block) -> dict:
    """A body block as the GraphQL answer gives it (rich text rendered)."""
    value = block.value
    data = {"id": block.id, "blockType": type(block.block).__name__}
    if block.block_type == "heading":
        data.update(text=value["text"], level=value["level"])
    elif block.block_type == "paragraph":
        data["value"] = value.__html__()
    elif block.block_type == "code":
        data.update(
            language=value["language"], code=value["code"], caption=value["caption"]
        )
    elif block.block_type == "callout":
        data.update(
            kind=value["kind"],
            title=value["title"],
            calloutText=value["text"].__html__(),
        )
    return data


def article_detail(request, slug):
    """The portal's article (bench.queries.PORTAL_ARTICLE): same selector, the view
    recorded as GraphQL records it."""
    caller = caller_of(request)
    qs = selectors.articles_visible_to(caller).filter(slug=slug)
    rows = _article_rows(qs, portal=True, extra=("last_reviewed_at", "body"))
    if not rows:
        raise Http404
    row = rows[0]
    services.article_view_record(article_id=row["pk"])
    item = _article_items(rows, caller, portal=True)[0]
    reviewed = row["last_reviewed_at"]
    item["lastReviewedAt"] = reviewed.isoformat() if reviewed else None
    body = ArticlePage._meta.get_field("body").to_python(row["body"])
    item["body"] = [_block(block) for block in body]
    return _json({"article": item})


def _included(product):
    included = getattr(product, "included_products", None)  # prefetched (to_attr)
    return product.includes.all() if included is None else included


def _licences(subscription):
    licences = getattr(subscription, "visible_licences", None)  # prefetched (to_attr)
    return subscription.licences.all() if licences is None else licences


def my_company(request):
    company = catalog_selectors.company_of(caller_of(request))
    if company is None:
        raise Http404
    # The same page as the GraphQL query's (perPage: 100), read by the same selector.
    subs, total = catalog_selectors.subscription_page_for(
        caller=caller_of(request), company_id=company.pk, offset=0, limit=100
    )
    return JsonResponse(
        {
            "id": company.pk,
            "name": company.name,
            "subscriptions": {
                "total": total,
                "pages": max(1, -(-total // 100)),
                "items": [
                    {
                        "id": s.pk,
                        "autodeskId": s.autodesk_id,
                        "product": {
                            "code": s.product.code,
                            "name": s.product.name,
                            "includes": [
                                {"code": p.code} for p in _included(s.product)
                            ],
                        },
                        "seats": s.seats,
                        "status": s.status.value,
                        "daysRemaining": s.days_remaining,
                        "endDate": s.end_date.isoformat(),
                        "licences": [
                            {
                                "id": lic.pk,
                                "licenceType": lic.licence_type,
                                "serialNumber": lic.serial_number,
                                "productKey": lic.product_key,
                            }
                            for lic in _licences(s)
                        ],
                    }
                    for s in subs
                ],
            },
        }
    )


def download(request):
    """The generated large file, streamed (the downloads feature does not exist yet)."""
    path = settings.BENCH_DIR / "download.bin"
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="download.bin")
