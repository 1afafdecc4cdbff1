"""Sign-in, tokens and password reset: the rules behind the ``login``, ``logout`` and
password-reset mutations."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import PortalToken, ServiceToken, User

INVALID_CREDENTIALS = "E-mail ou mot de passe incorrect."
INVALID_RESET_LINK = "Ce lien de réinitialisation est invalide ou a déjà servi."


def client_ip(request: HttpRequest) -> str:
    """The caller's address; X-Forwarded-For is read only behind trusted proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class _FailureWindow:
    """Counts failures per key in a fixed window kept in the cache."""

    def __init__(self, kind: str, limit: int):
        self.kind, self.limit = kind, limit

    def _key(self, value: str) -> str:
        digest = hashlib.sha256(value.lower().encode()).hexdigest()[:32]
        return f"login-failures:{self.kind}:{digest}"

    def retry_after(self, value: str) -> int:
        """Seconds until ``value`` may try again; 0 when it is not blocked."""
        count, started = cache.get(self._key(value), (0, 0.0))
        if count < self.limit:
            return 0
        window = settings.LOGIN_FAILURE_WINDOW.total_seconds()
        return max(1, math.ceil(started + window - time.time()))

    def add(self, value: str) -> None:
        window = settings.LOGIN_FAILURE_WINDOW.total_seconds()
        count, started = cache.get(self._key(value), (0, time.time()))
        cache.set(self._key(value), (count + 1, started), timeout=int(window))

    def clear(self, value: str) -> None:
        cache.delete(self._key(value))


def _windows() -> tuple[_FailureWindow, _FailureWindow]:
    return (
        _FailureWindow("account", settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT),
        _FailureWindow("address", settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS),
    )


def _too_many_attempts(seconds: int) -> PermissionDenied:
    minutes = max(1, math.ceil(seconds / 60))
    return PermissionDenied(
        _(
            "Trop de tentatives de connexion échouées. "
            "Réessayez dans %(minutes)d minute(s) ou réinitialisez votre mot de passe."
        )
        % {"minutes": minutes}
    )


def token_login(
    *, request: HttpRequest, email: str, password: str
) -> tuple[PortalToken, str]:
    """Check the credentials and issue a bearer token.

    Failures are counted per account (whether or not it exists, so the answer never
    tells which accounts exist) and per client address.
    """
    email = (email or "").strip().lower()
    ip = client_ip(request)
    per_account, per_address = _windows()
    wait = max(per_account.retry_after(email), per_address.retry_after(ip))
    if wait:
        raise _too_many_attempts(wait)

    user = authenticate(request, username=email, password=password)
    if user is None:
        per_account.add(email)
        per_address.add(ip)
        raise PermissionDenied(INVALID_CREDENTIALS)

    per_account.clear(email)
    token, raw = PortalToken.generate(
        user=user,
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
        user_agent=request.headers.get("User-Agent", "")[:200],
    )
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return token, raw


def token_logout(*, token: PortalToken) -> None:
    token.revoke()


def service_token_create(
    *, name: str, scopes: list[str], created_by: User | None = None
) -> tuple[ServiceToken, str]:
    unknown = set(scopes) - set(ServiceToken.Scope.values)
    if unknown:
        raise ValidationError(
            f"Unknown scope(s): {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(ServiceToken.Scope.values)}."
        )
    return ServiceToken.generate(
        name=name, scopes=sorted(set(scopes)), created_by=created_by
    )


def password_reset_request(*, email: str) -> None:
    """Mail a one-time link to the person, if the address is an active account.

    The caller always gets the same answer: nothing here tells whether it exists.
    """
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user,
        "reset_url": f"{settings.PASSWORD_RESET_URL}?uid={uid}&token={token}",
        "uid": uid,
        "token": token,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    send_mail(
        subject=render_to_string("accounts/email/password_reset_subject.txt", context)
        .strip()
        .replace("\n", " "),
        message=render_to_string("accounts/email/password_reset.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link stops working once used,
    because the token is derived from the password it replaces."""
    try:
        user = User.objects.get(
            pk=force_str(urlsafe_base64_decode(uid)), is_active=True
        )
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise PermissionDenied(INVALID_RESET_LINK) from None
    if not default_token_generator.check_token(user, token):
        raise PermissionDenied(INVALID_RESET_LINK)
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # A new password ends every open session of the API.
    PortalToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _windows()[0].clear(user.email)
    return user
