"""What readers say of an article, and how often it is read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackReason(models.TextChoices):
    NEEDS_MORE_INFORMATION = "needs_more_information", _("Il manque des informations")
    INACCURATE = "inaccurate", _("Inexact")
    HARD_TO_UNDERSTAND = "hard_to_understand", _("Difficile à comprendre")
    BROKEN_LINK = "broken_link", _("Lien cassé")
    OTHER = "other", _("Autre")


class ArticleFeedback(models.Model):
    """One vote per person and article; a new vote replaces the old one."""

    article = models.ForeignKey(
        "knowledge.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="article_feedback",
    )
    helpful = models.BooleanField(_("utile"))
    reason = models.CharField(
        _("raison"), max_length=30, choices=FeedbackReason.choices, blank=True
    )
    comment = models.TextField(_("commentaire"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(_("date"), auto_now=True)

    class Meta:
        verbose_name = _("avis sur un article")
        verbose_name_plural = _("avis sur les articles")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], name="one_feedback_per_person_and_article"
            )
        ]
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.article} – {'👍' if self.helpful else '👎'}"


class ArticleDailyViews(models.Model):
    """Views of an article per day: one row a day, incremented in place."""

    article = models.ForeignKey(
        "knowledge.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="daily_views",
    )
    day = models.DateField(_("jour"))
    count = models.PositiveIntegerField(_("vues"), default=0)

    class Meta:
        verbose_name = _("vues d'un article (par jour)")
        verbose_name_plural = _("vues des articles (par jour)")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], name="one_row_per_article_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.count}"
