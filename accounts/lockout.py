"""One sign-in lockout for every door: the API's ``login`` mutation and the Wagtail
admin's form both call ``authenticate()``, where django-axes stands guard.

Failed sign-ins are counted per account (whether or not it exists, so the answer never
tells which accounts exist) and per client address, in windows of
``LOGIN_FAILURE_WINDOW``. axes' own database handler checks its count before the
password is compared and adds the failure after, so simultaneous attempts all pass the
check (jazzband/django-axes#592, closed as "won't fix"). Here the check *is* the count:
an attempt is counted before its password is compared (``throttle.attempts_take``,
atomic), and handed back if the password was right.
"""

from __future__ import annotations

import math

from axes.backends import AxesBackend
from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.views.account import password_reset_enabled

from . import throttle
from .throttle import Limit, Scope


def submitted_account(request: HttpRequest, credentials: dict | None = None) -> str:
    """The account a sign-in is for, as typed (``AXES_USERNAME_CALLABLE``)."""
    credentials = credentials or {}
    value = credentials.get("username") or request.POST.get("username") or ""
    return value.strip().lower()


def login_limits(*, account: str, address: str) -> list[Limit]:
    window = settings.LOGIN_FAILURE_WINDOW
    per_account = settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
    per_address = settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
    return [
        Limit(Scope.LOGIN_ACCOUNT, account, per_account, window),
        Limit(Scope.LOGIN_ADDRESS, address, per_address, window),
    ]


def _limits_of(request: HttpRequest, credentials: dict | None) -> list[Limit]:
    return login_limits(
        account=submitted_account(request, credentials),
        address=request.axes_ip_address or "",
    )


class LockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    """axes' handler (``AXES_HANDLER``), counting in ``AttemptWindow`` rows."""

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        """May this sign-in attempt have its password compared? Saying yes counts it
        as a failure; ``LockoutBackend`` hands it back when the password was right."""
        if self.is_blacklisted(request, credentials):
            request.axes_locked_out = True
            return False
        if self.is_whitelisted(request, credentials):
            return True
        full = throttle.attempts_take(limits=_limits_of(request, credentials))
        if full is None:
            request.login_attempt_taken = True
            return True
        request.axes_locked_out = True
        request.axes_credentials = credentials
        request.login_retry_after = throttle.retry_after_seconds(limit=full)
        user_locked_out.send(
            "axes",
            request=request,
            username=submitted_account(request, credentials),
            ip_address=request.axes_ip_address,
        )
        return False

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return any(
            throttle.attempts_count(limit=limit) >= limit.limit
            for limit in _limits_of(request, credentials)
        )

    def get_failures(self, request, credentials: dict | None = None) -> int:
        return max(
            throttle.attempts_count(limit=limit)
            for limit in _limits_of(request, credentials)
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # The failure was counted before its password was compared; only tidy up.
        window = settings.LOGIN_FAILURE_WINDOW
        for scope in (Scope.LOGIN_ACCOUNT, Scope.LOGIN_ADDRESS):
            throttle.attempts_forget_expired(scope=scope, window=window)

    def user_logged_in(self, sender, request, user, **kwargs):
        pass  # handed back by LockoutBackend, for the API too (which keeps no session)

    def user_logged_out(self, sender, request, user, **kwargs):
        pass

    def reset_attempts(
        self,
        *,
        ip_address: str | None = None,
        username: str | None = None,
        ip_or_username: bool = False,
    ) -> int:
        """Lift lockouts (``manage.py axes_reset``, ``axes_reset_username``, …)."""
        if not ip_address and not username:
            return throttle.attempts_clear(
                scope=Scope.LOGIN_ACCOUNT
            ) + throttle.attempts_clear(scope=Scope.LOGIN_ADDRESS)
        cleared = 0
        if username:
            cleared += throttle.attempts_clear(
                scope=Scope.LOGIN_ACCOUNT, value=username
            )
        if ip_address:
            cleared += throttle.attempts_clear(
                scope=Scope.LOGIN_ADDRESS, value=ip_address
            )
        return cleared


class LockoutBackend(AxesBackend):
    """Django's ``ModelBackend`` behind the lockout (the only entry of
    ``AUTHENTICATION_BACKENDS``): a right password hands its attempt back, clears the
    account's failures and leaves the address's other failures counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Django's test client and shells authenticate without a request: they are
        # still counted against the account (no address is known).
        request = request if request is not None else HttpRequest()
        request.login_attempt_taken = False
        # axes: raises PermissionDenied when locked out, which stops authenticate().
        super().authenticate(request, username=username, password=password, **kwargs)
        user = ModelBackend.authenticate(
            self, request, username=username, password=password, **kwargs
        )
        if user is not None and request.login_attempt_taken:
            account, address = login_limits(
                account=submitted_account(request, {"username": username}),
                address=request.axes_ip_address or "",
            )
            throttle.attempts_clear(scope=account.scope, value=account.value)
            throttle.attempt_give_back(limit=address)
        return user


def lockout_message(request: HttpRequest) -> str:
    seconds = getattr(request, "login_retry_after", None) or (
        settings.LOGIN_FAILURE_WINDOW.total_seconds()
    )
    return _(
        "Trop de tentatives de connexion échouées. "
        "Réessayez dans %(minutes)d minute(s) ou réinitialisez votre mot de passe."
    ) % {"minutes": max(1, math.ceil(seconds / 60))}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """axes' answer to a locked-out sign-in (``AXES_LOCKOUT_CALLABLE``): the admin's
    form gets a page that says so (HTTP 429); the API has already answered with its
    own GraphQL error, which is kept."""
    if original_response is not None and request.path != reverse("wagtailadmin_login"):
        return original_response
    context = {
        "message": lockout_message(request),
        "show_password_reset": password_reset_enabled(),
    }
    return render(request, "accounts/lockout.html", context, status=429)
