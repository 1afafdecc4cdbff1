"""The record that makes renewal reminders idempotent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RenewalReminder(models.Model):
    """One reminder step sent for one term of a subscription.

    The end date is part of the key: once a subscription is renewed (its end date
    moves), the steps of the new term are due again.
    """

    subscription = models.ForeignKey(
        "catalog.Subscription",
        verbose_name=_("abonnement"),
        on_delete=models.CASCADE,
        related_name="renewal_reminders",
    )
    end_date = models.DateField(_("fin annoncée"))
    days_before = models.PositiveSmallIntegerField(_("jours avant la fin"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    recipients = models.TextField(_("destinataires"), blank=True)

    class Meta:
        verbose_name = _("rappel de renouvellement")
        verbose_name_plural = _("rappels de renouvellement")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "end_date", "days_before"],
                name="unique_renewal_reminder_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription} — J-{self.days_before}"
