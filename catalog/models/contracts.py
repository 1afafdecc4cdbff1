"""Support contracts: level, term and the SLA targets a client is promised."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from catalog.sla import CHARTER_TARGETS, BusinessCalendar, Criticality

from .subscriptions import Term


class SupportLevel(models.TextChoices):
    ESSENTIEL = "essentiel", _("Essentiel")
    SERENITE = "serenite", _("Sérénité")
    PREMIUM = "premium", _("Premium")


class SupportContractQuerySet(models.QuerySet):
    def in_force(self, today: datetime.date | None = None) -> SupportContractQuerySet:
        today = today or timezone.localdate()
        return self.filter(start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )


def _minutes_field(label: str, default: int) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label,
        default=default,
        validators=[MinValueValidator(1)],
        help_text=format_lazy(_("Minutes ouvrées (charte : {})."), default),
    )


class SupportContract(models.Model):
    """A company's support contract. Business hours are Monday-Friday in Europe/Paris,
    French public holidays closed; the opening and closing times may differ per
    contract. The SLA targets default to the charter's."""

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("société"),
        on_delete=models.PROTECT,
        related_name="support_contracts",
    )
    level = models.CharField(_("niveau"), max_length=20, choices=SupportLevel.choices)
    reference = models.CharField(_("référence"), max_length=40, blank=True)
    term = models.CharField(
        _("durée"), max_length=20, choices=Term.choices, default=Term.ANNUAL
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(
        _("fin"), null=True, blank=True, help_text=_("Vide : tacite reconduction.")
    )
    bloquant_minutes = _minutes_field(
        _("prise en compte « Bloquant »"), CHARTER_TARGETS[Criticality.BLOQUANT]
    )
    genant_minutes = _minutes_field(
        _("prise en compte « Gênant »"), CHARTER_TARGETS[Criticality.GENANT]
    )
    informatif_minutes = _minutes_field(
        _("prise en compte « Informatif »"), CHARTER_TARGETS[Criticality.INFORMATIF]
    )
    opens_at = models.TimeField(_("ouverture"), default=datetime.time(9, 0))
    closes_at = models.TimeField(_("fermeture"), default=datetime.time(18, 0))

    objects = SupportContractQuerySet.as_manager()

    panels = [
        FieldPanel("company"),
        FieldRowPanel([FieldPanel("level"), FieldPanel("reference")]),
        FieldRowPanel(
            [FieldPanel("term"), FieldPanel("start_date"), FieldPanel("end_date")]
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("bloquant_minutes"),
                        FieldPanel("genant_minutes"),
                        FieldPanel("informatif_minutes"),
                    ]
                ),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
            ],
            heading=_("Engagements (heures ouvrées, lundi-vendredi, hors fériés)"),
        ),
    ]

    class Meta:
        verbose_name = _("contrat de support")
        verbose_name_plural = _("contrats de support")
        ordering = ["company__name", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="support_contract_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.get_level_display()}"

    def clean(self):
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("La fin précède le début.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("La fermeture suit l'ouverture.")
        if errors:
            raise ValidationError(errors)

    @property
    def sla_targets(self) -> dict[Criticality, int]:
        return {
            Criticality.BLOQUANT: self.bloquant_minutes,
            Criticality.GENANT: self.genant_minutes,
            Criticality.INFORMATIF: self.informatif_minutes,
        }

    @property
    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(opens=self.opens_at, closes=self.closes_at)
