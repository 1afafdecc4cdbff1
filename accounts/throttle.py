"""Counters of attempts in a fixed window, kept in the database and taken atomically:
the sign-in lockout (``accounts.lockout``) and the limit on password-reset mails.

Taking an attempt is one conditional ``UPDATE`` per counter ("add one if the window has
room, or has expired"). The database applies concurrent updates of a row one after the
other, each seeing the previous one, so simultaneous requests never all find room.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.http import HttpRequest
from django.utils import timezone

from .models import AttemptWindow

Scope = AttemptWindow.Scope


def client_address(request: HttpRequest) -> str:
    """The caller's address; X-Forwarded-For is read only behind trusted proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` attempts in ``scope`` by ``value`` per ``window``."""

    scope: str
    value: str
    limit: int
    window: timedelta

    def window_row(self):
        return AttemptWindow.objects.of(self.scope, self.value)


def attempts_take(*, limits: Sequence[Limit]) -> Limit | None:
    """Count one attempt against every limit, or against none: return the first full
    limit (nothing is counted then), or None when the attempt may go ahead. A limit
    without a value (no address known) is left out."""
    now = timezone.now()
    with transaction.atomic():
        for limit in limits:
            if limit.value and not _take(limit, now):
                transaction.set_rollback(True)  # uncount the limits taken before
                return limit
    return None


def _take(limit: Limit, now) -> bool:
    expired = Q(started_at__lte=now - limit.window)

    def count_one() -> int:
        return (
            limit.window_row()
            .filter(expired | Q(attempts__lt=limit.limit))
            .update(
                attempts=Case(When(expired, then=Value(1)), default=F("attempts") + 1),
                started_at=Case(
                    When(expired, then=Value(now)), default=F("started_at")
                ),
            )
        )

    if count_one():
        return True
    # No window yet (or a full one): open it, unless another request just did.
    AttemptWindow.objects.bulk_create(
        [
            AttemptWindow(
                scope=limit.scope, key=AttemptWindow.key_of(limit.value), started_at=now
            )
        ],
        ignore_conflicts=True,
    )
    return bool(count_one())


def attempt_give_back(*, limit: Limit) -> None:
    """Uncount one attempt taken from ``limit``."""
    if limit.value:
        limit.window_row().filter(attempts__gt=0).update(attempts=F("attempts") - 1)


def attempts_clear(*, scope: str, value: str | None = None) -> int:
    """Forget the attempts of ``value`` in ``scope`` (of everyone without a value)."""
    windows = AttemptWindow.objects.filter(scope=scope)
    if value is not None:
        windows = AttemptWindow.objects.of(scope, value)
    deleted, _ = windows.delete()
    return deleted


def attempts_count(*, limit: Limit) -> int:
    """Attempts counted against ``limit`` in its current window."""
    counted = (
        limit.window_row()
        .filter(started_at__gt=timezone.now() - limit.window)
        .values_list("attempts", flat=True)
        .first()
    )
    return counted or 0


def retry_after_seconds(*, limit: Limit) -> int:
    """Seconds until the window of ``limit`` ends (at least 1)."""
    started = limit.window_row().values_list("started_at", flat=True).first()
    if started is None:
        return 1
    return max(1, math.ceil((started + limit.window - timezone.now()).total_seconds()))


def attempts_forget_expired(*, scope: str, window: timedelta) -> int:
    """Delete the expired windows of ``scope`` (housekeeping; they would be reset on
    their next attempt anyway)."""
    deleted, _ = AttemptWindow.objects.filter(
        scope=scope, started_at__lte=timezone.now() - window
    ).delete()
    return deleted
