"""The floor: plain Django JSON views over the same selectors and querysets as GraphQL,
with no GraphQL or REST framework in between."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse

from catalog import selectors as catalog_selectors
from cms.access import caller_of
from knowledge import selectors


def _article(page) -> dict:
    return {
        "id": page.pk,
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "publishedAt": page.first_published_at.isoformat()
        if page.first_published_at
        else None,
        "category": {"name": page.category.name, "slug": page.category.slug},
        "tags": [{"name": tag.name} for tag in page.tags.all()],
        "authors": [
            {"displayName": a.display_name, "jobTitle": a.job_title}
            for a in page.authors.all()
        ],
        "products": [{"name": p.name, "code": p.code} for p in page.products.all()],
    }


def article_list(request):
    per_page = 20
    qs = selectors.article_list_for(caller=caller_of(request))
    total = qs.count()
    items = [_article(page) for page in qs[:per_page]]
    return JsonResponse(
        {
            "total": total,
            "pages": math.ceil(total / per_page),
            "items": items,
        }
    )


def article_detail(request, slug):
    page = selectors.article_detail_for(caller=caller_of(request), slug=slug)
    if page is None:
        raise Http404
    data = _article(page)
    data["body"] = list(page.body.raw_data)
    return JsonResponse(data)


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
    subs = catalog_selectors.subscriptions_for(
        caller=caller_of(request), company_id=company.pk
    )
    return JsonResponse(
        {
            "id": company.pk,
            "name": company.name,
            "subscriptions": [
                {
                    "id": s.pk,
                    "autodeskId": s.autodesk_id,
                    "product": {
                        "code": s.product.code,
                        "name": s.product.name,
                        "includes": [{"code": p.code} for p in _included(s.product)],
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
        }
    )


def download(request):
    """The generated large file, streamed (the downloads feature does not exist yet)."""
    path = settings.BENCH_DIR / "download.bin"
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="download.bin")
