"""What a client company holds: Autodesk subscriptions and the licences behind them."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

# A subscription ending within this many days is "expiring" (the charter's 90 days).
EXPIRING_SOON_DAYS = 90


# Seats and licence quantities: the API serves them as GraphQL Int (32-bit signed);
# the import, the admin forms and the database refuse what is past this bound.
QUANTITY_MIN, QUANTITY_MAX = 1, 100_000


def quantity_validators():
    return [
        MinValueValidator(QUANTITY_MIN, _("Au moins %(limit_value)s.")),
        MaxValueValidator(
            QUANTITY_MAX,
            _("Au plus 100 000 (reçu : %(show_value)s)."),
        ),
    ]


def quantity_in_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": QUANTITY_MIN, f"{field}__lte": QUANTITY_MAX}),
        name=name,
        violation_error_message=_("Quantité hors limites (1 à 100 000)."),
    )


class Term(models.TextChoices):
    MONTHLY = "monthly", _("mensuel")
    ANNUAL = "annual", _("annuel")
    THREE_YEAR = "three_year", _("3 ans")
    MULTI_YEAR = "multi_year", _("pluriannuel")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRING = "expiring", _("expire sous 90 jours")
    EXPIRED = "expired", _("expirée")
    CANCELLED = "cancelled", _("résiliée")


class SubscriptionQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None) -> SubscriptionQuerySet:
        """Subscriptions that give rights today: started, not ended, not cancelled."""
        today = today or timezone.localdate()
        return self.filter(
            is_cancelled=False, start_date__lte=today, end_date__gte=today
        )

    def with_status(
        self, status: str, today: datetime.date | None = None
    ) -> SubscriptionQuerySet:
        """Filter on the status derived from the dates (see ``Subscription.status``)."""
        return self.filter(status_q(status, today or timezone.localdate()))


def status_q(status: str, today: datetime.date) -> Q:
    """The condition of one derived status, for filters in SQL."""
    soon = today + datetime.timedelta(days=EXPIRING_SOON_DAYS)
    live = Q(is_cancelled=False)
    return {
        SubscriptionStatus.CANCELLED: Q(is_cancelled=True),
        SubscriptionStatus.EXPIRED: live & Q(end_date__lt=today),
        SubscriptionStatus.EXPIRING: live & Q(end_date__gte=today, end_date__lte=soon),
        SubscriptionStatus.ACTIVE: live & Q(end_date__gt=soon),
    }[SubscriptionStatus(status)]


class Subscription(models.Model):
    """An Autodesk subscription of a client company, for a product or a collection."""

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("société"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("produit ou collection"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    autodesk_id = models.CharField(
        _("n° d'abonnement Autodesk"),
        max_length=40,
        unique=True,
        help_text=_("« Subscription ID » d'Autodesk Account ; clé des imports."),
    )
    contract_number = models.CharField(_("n° de contrat"), max_length=40, blank=True)
    seats = models.PositiveIntegerField(
        _("postes"), default=1, validators=quantity_validators()
    )
    term = models.CharField(_("durée"), max_length=20, choices=Term.choices, blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), db_index=True)
    autorenew_date = models.DateField(
        _("renouvellement automatique le"), null=True, blank=True
    )
    is_cancelled = models.BooleanField(_("résiliée"), default=False)
    reseller_name = models.CharField(_("revendeur"), max_length=120, blank=True)
    reseller_email = models.EmailField(_("e-mail du revendeur"), blank=True)
    team = models.CharField(_("équipe Autodesk"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    panels = [
        FieldPanel("company"),
        FieldPanel("product"),
        FieldRowPanel([FieldPanel("autodesk_id"), FieldPanel("contract_number")]),
        FieldRowPanel([FieldPanel("seats"), FieldPanel("term")]),
        FieldRowPanel(
            [
                FieldPanel("start_date"),
                FieldPanel("end_date"),
                FieldPanel("autorenew_date"),
            ]
        ),
        FieldPanel("is_cancelled"),
        MultiFieldPanel(
            [
                FieldPanel("reseller_name"),
                FieldPanel("reseller_email"),
                FieldPanel("team"),
            ],
            heading=_("Revendeur et équipe"),
        ),
    ]

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        ordering = ["end_date", "autodesk_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="subscription_ends_after_start",
            ),
            quantity_in_range("seats", "subscription_seats_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.product} — {self.autodesk_id}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La fin précède le début.")})

    def status_on(self, today: datetime.date) -> SubscriptionStatus:
        if self.is_cancelled:
            return SubscriptionStatus.CANCELLED
        if self.end_date < today:
            return SubscriptionStatus.EXPIRED
        if self.end_date <= today + datetime.timedelta(days=EXPIRING_SOON_DAYS):
            return SubscriptionStatus.EXPIRING
        return SubscriptionStatus.ACTIVE

    @property
    def status(self) -> SubscriptionStatus:
        """Derived from the dates: never stored, so it cannot go stale."""
        return self.status_on(timezone.localdate())

    @admin.display(description=_("statut"))
    def get_status_display(self) -> str:
        """The status as the admin shows it (« expirée », not ``expired``)."""
        return str(self.status.label)

    @property
    def days_remaining(self) -> int:
        return self.days_remaining_on(timezone.localdate())

    def days_remaining_on(self, today: datetime.date) -> int:
        return (self.end_date - today).days


class LicenceType(models.TextChoices):
    SINGLE_USER = "single_user", _("mono-utilisateur nominatif")
    NETWORK = "network", _("multi-utilisateurs réseau")
    FLEX = "flex", _("jetons Flex")


class LicenceQuerySet(models.QuerySet):
    def in_force(self, today: datetime.date | None = None) -> LicenceQuerySet:
        """Licences usable today: through a current subscription, or standalone
        (perpetual or Flex tokens) until their own end date, if any."""
        today = today or timezone.localdate()
        standalone = Q(subscription__isnull=True) & (
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
        # A join on the licence's own subscription, not "IN (every current
        # subscription)": that subquery read all companies' subscriptions (120 ms
        # for 50,000 on SQLite) to answer for one company's licences.
        via_subscription = Q(
            subscription__is_cancelled=False,
            subscription__start_date__lte=today,
            subscription__end_date__gte=today,
        )
        return self.filter(standalone | via_subscription)


class Licence(models.Model):
    """Licence details where they exist: type, serial number, product key, server."""

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("société"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("abonnement"),
        on_delete=models.CASCADE,
        related_name="licences",
        null=True,
        blank=True,
        help_text=_("Vide pour une licence perpétuelle ou des jetons Flex."),
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("produit"),
        on_delete=models.PROTECT,
        related_name="licences",
    )
    licence_type = models.CharField(
        _("type"), max_length=20, choices=LicenceType.choices
    )
    quantity = models.PositiveIntegerField(
        _("quantité"),
        default=1,
        validators=quantity_validators(),
        help_text=_("Postes, ou jetons pour Flex (1 à 100 000)."),
    )
    serial_number = models.CharField(_("numéro de série"), max_length=40, blank=True)
    product_key = models.CharField(_("clé de produit"), max_length=20, blank=True)
    server_host = models.CharField(
        _("serveur de licences"),
        max_length=255,
        blank=True,
        help_text=_("Hôte du serveur FlexNet (licences réseau)."),
    )
    valid_until = models.DateField(
        _("valable jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Sans abonnement : vide pour une licence perpétuelle."),
    )

    objects = LicenceQuerySet.as_manager()

    panels = [
        FieldPanel("company"),
        FieldPanel("subscription"),
        FieldPanel("product"),
        FieldRowPanel([FieldPanel("licence_type"), FieldPanel("quantity")]),
        FieldRowPanel([FieldPanel("serial_number"), FieldPanel("product_key")]),
        FieldPanel("server_host"),
        FieldPanel("valid_until"),
    ]

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["product__name", "pk"]
        constraints = [quantity_in_range("quantity", "licence_quantity_in_range")]

    def __str__(self) -> str:
        return f"{self.product} ({self.get_licence_type_display()})"

    def clean(self):
        if self.subscription_id and self.company_id:
            if self.subscription.company_id != self.company_id:
                raise ValidationError(
                    {"subscription": _("Cet abonnement est celui d'une autre société.")}
                )
        if self.licence_type == LicenceType.NETWORK and not self.server_host:
            raise ValidationError(
                {"server_host": _("Une licence réseau a un serveur de licences.")}
            )
