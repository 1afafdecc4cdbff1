"""Client companies, the people in them, and the credentials the API accepts."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Company(index.Indexed, models.Model):
    """A client company of the reseller; every piece of client data hangs off one."""

    name = models.CharField(_("nom"), max_length=200)
    customer_number = models.CharField(
        _("numéro client"),
        max_length=40,
        unique=True,
        help_text=_("Numéro de compte client (ERP / Autodesk Account)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("customer_number"),
        FieldPanel("is_active"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("customer_number"),
        index.FilterField("is_active"),
    ]

    class Meta:
        verbose_name = _("société cliente")
        verbose_name_plural = _("sociétés clientes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    """People sign in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person: the reseller's staff (``is_staff``) or a member of a client company."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("administrateur")
        MEMBER = "member", _("membre")

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("société"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
    )
    role = models.CharField(
        _("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        # set_password() keeps the new password in _password until the user is saved;
        # Django clears it when a sign-in only upgrades the hash of the same password.
        if self._password is None or self._state.adding:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._password_changed()

    def _password_changed(self) -> None:
        """A new password, whatever the way it was set (API or admin reset, account
        page, user editor, shell), ends every open API session of the person and lifts
        the lockout of their account. (Django's own sessions end by themselves: their
        hash is derived from the password.)"""
        self.portal_tokens.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        AttemptWindow.objects.of(AttemptWindow.Scope.LOGIN_ACCOUNT, self.email).delete()

    @property
    def is_company_admin(self) -> bool:
        return self.company_id is not None and self.role == self.Role.ADMIN


def _hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough (no dictionary to try).
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def get_by_raw(self, raw: str):
        return self.usable().get(key_hash=_hash_token(raw))


class AbstractToken(models.Model):
    """A bearer credential; only its SHA-256 is stored, the raw value is shown once."""

    PREFIX = ""

    key_hash = models.CharField(
        _("empreinte de la clé"), max_length=64, unique=True, editable=False
    )
    key_prefix = models.CharField(_("début de la clé"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernier usage"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def generate(cls, **fields) -> tuple[AbstractToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            key_hash=_hash_token(raw), key_prefix=raw[: len(cls.PREFIX) + 6], **fields
        )
        return token, raw

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > now
        )

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class PortalToken(AbstractToken):
    """A person's session token for the portal, returned by the ``login`` mutation."""

    PREFIX = "apl_u_"

    user = models.ForeignKey(
        User,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="portal_tokens",
    )
    user_agent = models.CharField(_("navigateur"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("jeton du portail")
        verbose_name_plural = _("jetons du portail")

    def __str__(self) -> str:
        return f"{self.user} ({self.key_prefix}…)"


class ServiceToken(AbstractToken):
    """A machine client's token (the ticketing system), with scopes; made by staff."""

    PREFIX = "apl_s_"

    class Scope(models.TextChoices):
        TICKETS = "tickets", _("tickets (suggestions et liens d'articles)")

    name = models.CharField(_("nom"), max_length=100)
    scopes = models.JSONField(_("portées"), default=list)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("jeton de service")
        verbose_name_plural = _("jetons de service")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class AttemptWindowQuerySet(models.QuerySet):
    def of(self, scope: str, value: str):
        """The window of ``value`` (an e-mail, an address) in ``scope``."""
        return self.filter(scope=scope, key=AttemptWindow.key_of(value))


class AttemptWindow(models.Model):
    """How many attempts of one kind (a sign-in, a reset mail) one key (an account, a
    client address) made in its current fixed window; see ``accounts.throttle``."""

    class Scope(models.TextChoices):
        LOGIN_ACCOUNT = "login-account", _("connexions par compte")
        LOGIN_ADDRESS = "login-address", _("connexions par adresse IP")
        RESET_EMAIL = "reset-email", _("réinitialisations par e-mail")
        RESET_ADDRESS = "reset-address", _("réinitialisations par adresse IP")

    scope = models.CharField(_("portée"), max_length=20, choices=Scope.choices)
    # SHA-256 of the value: what people type in the e-mail field is not kept.
    key = models.CharField(_("clé"), max_length=64)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    started_at = models.DateTimeField(_("début"), db_index=True)

    objects = AttemptWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("fenêtre de tentatives")
        verbose_name_plural = _("fenêtres de tentatives")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"], name="accounts_attemptwindow_scope_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}…: {self.attempts}"

    @staticmethod
    def key_of(value: str) -> str:
        return hashlib.sha256(value.strip().lower().encode()).hexdigest()
