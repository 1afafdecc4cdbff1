"""Sign-in, tokens and password reset: the rules behind the ``login``, ``logout`` and
password-reset mutations."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from cms.api.errors import RateLimited, Unauthenticated

from . import throttle
from .lockout import lockout_message
from .models import PortalToken, ServiceToken, User
from .throttle import Limit, Scope

logger = logging.getLogger(__name__)

INVALID_CREDENTIALS = "E-mail ou mot de passe incorrect."
INVALID_RESET_LINK = "Ce lien de réinitialisation est invalide ou a déjà servi."


def token_login(
    *, request: HttpRequest, email: str, password: str
) -> tuple[PortalToken, str]:
    """Check the credentials and issue a bearer token. ``authenticate()`` counts the
    attempt against the lockout shared with the admin's form (``lockout``)."""
    email = (email or "").strip().lower()
    user = authenticate(request, username=email, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise RateLimited(lockout_message(request))
        raise Unauthenticated(INVALID_CREDENTIALS)

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


def password_reset_mail_allowed(*, email: str, address: str) -> bool:
    """Count one reset mail against the e-mail's and the client address's limits
    (API and admin alike); False once either is reached: then nothing is sent, and the
    caller still answers as if it had been."""
    window = settings.PASSWORD_RESET_WINDOW
    per_email = settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    per_address = settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    full = throttle.attempts_take(
        limits=[
            Limit(Scope.RESET_EMAIL, email, per_email, window),
            Limit(Scope.RESET_ADDRESS, address, per_address, window),
        ]
    )
    for scope in (Scope.RESET_EMAIL, Scope.RESET_ADDRESS):
        throttle.attempts_forget_expired(scope=scope, window=window)
    if full is not None:
        logger.warning("Password reset mail not sent: %s limit reached.", full.scope)
    return full is None


def password_reset_request(*, email: str, address: str) -> None:
    """Mail a one-time link to the person, if the address is an active account and
    the mail limits allow it.

    The caller always gets the same answer: nothing here tells whether it exists.
    """
    email = (email or "").strip().lower()
    if not password_reset_mail_allowed(email=email, address=address):
        return
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
    user.save(update_fields=["password"])  # ends the API sessions (User.save)
    return user
