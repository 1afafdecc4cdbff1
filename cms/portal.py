"""Pages live in the portal: this backend never renders them.

Wagtail links a page to its URL on this server (the admin's « Voir en ligne », a
page's ``url``). Every such URL answers the same redirect to the same path on the
portal (``PORTAL_URL``), without looking the page up: no 500 for a page type
without a template, and no answer that tells whether a page exists, is a draft
or is for some audience only. The portal then asks the API, which applies the
read rule.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import re_path
from django.views.decorators.http import require_safe


@require_safe
def portal_redirect(request: HttpRequest, path: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{settings.PORTAL_URL.rstrip('/')}/{path}")


# Wagtail's own pattern and name, so ``page.url`` and the admin still resolve.
urlpatterns = [
    re_path(r"^((?:[\w\-]+/)*)$", portal_redirect, name="wagtail_serve"),
]
