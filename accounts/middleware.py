"""Authenticates API callers from ``Authorization: Bearer <token>``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.utils import timezone

from cms.api.errors import error_response

from .models import PortalToken, ServiceToken, _hash_token

# last_used_at is informative: refreshing it at most this often avoids a write per call.
LAST_USED_GRANULARITY = timedelta(minutes=5)


def _touch(token) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        type(token).objects.filter(pk=token.pk).update(last_used_at=now)


def _unauthorized(request) -> HttpResponse:
    response = error_response(
        request, "Jeton d'accès invalide, expiré ou révoqué.", "UNAUTHENTICATED", 401
    )
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


class BearerTokenMiddleware:
    """Sets ``request.user`` from a person's token, or ``request.service_token`` from a
    machine client's token. A bearer header that does not resolve is refused (401)
    rather than silently treated as anonymous, so the portal knows to sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token = None
        request.service_token = None
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, raw = header.partition(" ")
            if scheme.lower() == "bearer":
                if not self._authenticate(request, raw.strip()):
                    return _unauthorized(request)
        return self.get_response(request)

    def _authenticate(self, request, raw: str) -> bool:
        if raw.startswith(PortalToken.PREFIX):
            token = (
                PortalToken.objects.usable()
                .select_related("user", "user__company")
                .filter(key_hash=_hash_token(raw), user__is_active=True)
                .first()
            )
            if token is None:
                return False
            _touch(token)
            request.api_token = token
            request.user = token.user
            request._dont_enforce_csrf_checks = True
            return True
        if raw.startswith(ServiceToken.PREFIX):
            token = (
                ServiceToken.objects.usable().filter(key_hash=_hash_token(raw)).first()
            )
            if token is None:
                return False
            _touch(token)
            request.service_token = token
            request.user = AnonymousUser()
            request._dont_enforce_csrf_checks = True
            return True
        return False
