"""Writes of the knowledge base: readers' feedback and view counts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import ArticleDailyViews, ArticleFeedback, ArticlePage, FeedbackReason

MAX_COMMENT_LENGTH = 1000


@transaction.atomic
def article_rate(
    *,
    user,
    article: ArticlePage,
    helpful: bool,
    reason: str | None = None,
    comment: str | None = None,
) -> ArticleFeedback:
    """Record ``user``'s vote on ``article``; a new vote replaces the previous one."""
    if not user.is_authenticated:
        raise PermissionDenied("Connectez-vous pour donner votre avis.")
    reason = reason or ""
    comment = (comment or "").strip()
    if reason and reason not in FeedbackReason.values:
        raise ValidationError(
            f"Raison inconnue « {reason} ». "
            f"Valeurs : {', '.join(FeedbackReason.values)}."
        )
    if len(comment) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            f"Le commentaire fait {len(comment)} caractères ; "
            f"{MAX_COMMENT_LENGTH} au plus."
        )
    feedback, _ = ArticleFeedback.objects.update_or_create(
        article=article,
        user=user,
        defaults={"helpful": helpful, "reason": reason, "comment": comment},
    )
    return feedback


def article_view_record(*, article_id: int) -> None:
    """Count one view in the article's row for today (no row per request)."""
    today = timezone.localdate()
    updated = ArticleDailyViews.objects.filter(article_id=article_id, day=today).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            ArticleDailyViews.objects.create(article_id=article_id, day=today, count=1)
    except IntegrityError:  # another request created today's row first
        ArticleDailyViews.objects.filter(article_id=article_id, day=today).update(
            count=F("count") + 1
        )
