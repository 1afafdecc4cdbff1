"""Links between support tickets and articles, and daily search statistics."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TicketArticleLink(models.Model):
    """An article an engineer attached to a ticket of the ticketing system."""

    ticket_ref = models.CharField(_("référence du ticket"), max_length=64)
    article = models.ForeignKey(
        "knowledge.ArticlePage",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="ticket_links",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("société"),
        on_delete=models.CASCADE,
        related_name="ticket_article_links",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lien ticket–article")
        verbose_name_plural = _("liens ticket–article")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_ref", "article"], name="unique_ticket_article"
            )
        ]
        indexes = [models.Index(fields=["ticket_ref"])]

    def __str__(self) -> str:
        return f"{self.ticket_ref} → {self.article_id}"


class SearchQueryDaily(models.Model):
    """How often a (normalised) query was searched on a day, and with what results."""

    day = models.DateField(_("jour"))
    normalised_query = models.CharField(_("recherche"), max_length=200)
    searches = models.PositiveIntegerField(_("recherches"), default=0)
    results_total = models.PositiveIntegerField(_("résultats cumulés"), default=0)
    zero_result_searches = models.PositiveIntegerField(
        _("recherches sans résultat"), default=0
    )

    class Meta:
        verbose_name = _("recherche du jour")
        verbose_name_plural = _("recherches du jour")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "normalised_query"], name="unique_search_query_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.normalised_query}"
