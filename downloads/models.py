"""Patch and version downloads: pages describing an update, their checksummed files in
private storage, the audit of every download and the publication e-mails sent.

The tables keep the names they got when downloads were part of the catalogue
(``catalog_download*``, created by catalog 0003): each model names its ``db_table``."""

from __future__ import annotations

import hashlib
import os

import graphene
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from grapple.models import (
    GraphQLBoolean,
    GraphQLCollection,
    GraphQLField,
    GraphQLFloat,
    GraphQLForeignKey,
    GraphQLRichText,
    GraphQLString,
)
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.access import caller_of
from knowledge.models import ArticlePage

HASH_CHUNK = 1024 * 1024


class _DownloadsStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["downloads"]


_downloads_storage = _DownloadsStorage()


def downloads_storage():
    """The private storage of download files (``STORAGES["downloads"]``), looked up
    lazily so a change of the setting (tests) is followed."""
    return _downloads_storage


@receiver(setting_changed)
def _reset_downloads_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _downloads_storage._wrapped = empty


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside the web root: files have no URL, they are served only by
    the signed-link view."""

    def url(self, name):
        return ""


class ChecksummedFileField(models.FileField):
    """A file field that records the SHA-256 and size of a new file, read in chunks
    from the uploaded bytes, into the model's ``sha256`` and ``size`` fields.

    Done in ``pre_save`` because both a model save and the serialisation of a page
    revision (modelcluster) call it before storing the file, and before they read
    the fields declared after this one.
    """

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            digest = hashlib.sha256()
            size = 0
            for chunk in file.chunks(HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            model_instance.sha256 = digest.hexdigest()
            model_instance.size = size
            if not model_instance.file_name:
                model_instance.file_name = os.path.basename(file.name)
        return super().pre_save(model_instance, add)


class DownloadKind(models.TextChoices):
    PATCH = "patch", _("correctif (patch)")
    HOTFIX = "hotfix", _("correctif urgent (hotfix)")
    UPDATE = "update", _("mise à jour")
    FULL_VERSION = "full_version", _("version complète")
    UTILITY = "utility", _("utilitaire")


class Platform(models.TextChoices):
    WINDOWS = "windows", "Windows"
    MACOS = "macos", "macOS"
    LINUX = "linux", "Linux"
    ANY = "any", _("toutes")


class DownloadIndexPage(Page):
    """The downloads section: lists the download pages."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    graphql_fields = [GraphQLRichText("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["downloads.DownloadPage"]
    max_count = 1

    class Meta:
        verbose_name = _("index des téléchargements")
        db_table = "catalog_downloadindexpage"


class DownloadPage(Page):
    """One published update (patch, hotfix, version...) of a product and its files.

    Public pages are readable and downloadable by everyone; the others are readable
    by signed-in people, and their files follow the entitlement of
    :func:`downloads.selectors.download_entitlement_for`.
    """

    kind = models.CharField(_("type"), max_length=20, choices=DownloadKind.choices)
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("produit"),
        on_delete=models.PROTECT,
        related_name="download_pages",
    )
    releases = ParentalManyToManyField(
        "catalog.ProductRelease",
        verbose_name=_("versions concernées"),
        blank=True,
        related_name="download_pages",
        help_text=_(
            "Vide : toutes les versions. Sinon le téléchargement est propre à ces "
            "versions (un abonnement terminé avant leur sortie ne les couvre pas)."
        ),
    )
    version = models.CharField(
        _("version ou build"), max_length=60, help_text=_("Ex. « 2026.1.2 ».")
    )
    release_date = models.DateField(_("date de publication"))
    release_notes = RichTextField(_("notes de version"), blank=True)
    related_articles = ParentalManyToManyField(
        "knowledge.ArticlePage",
        verbose_name=_("articles liés"),
        blank=True,
        related_name="download_pages",
    )
    is_latest = models.BooleanField(
        _("dernière version"),
        default=False,
        help_text=_(
            "À la publication, retire ce drapeau aux autres pages du même produit "
            "et des mêmes versions."
        ),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("remplacé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Visible et téléchargeable par tous (utilitaires gratuits)."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kind"), FieldPanel("version")]),
                FieldRowPanel([FieldPanel("product"), FieldPanel("release_date")]),
                FieldPanel("releases"),
                FieldRowPanel([FieldPanel("is_latest"), FieldPanel("is_public")]),
                FieldPanel("superseded_by"),
            ],
            heading=_("Mise à jour"),
        ),
        FieldPanel("release_notes"),
        InlinePanel("files", heading=_("Fichiers"), min_num=1),
        FieldPanel("related_articles"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("version"),
        index.SearchField("release_notes"),
        index.FilterField("kind"),
        index.FilterField("is_public"),
        index.RelatedFields("product", [index.SearchField("name", boost=2)]),
    ]
    graphql_fields = [
        GraphQLString("kind", required=True),
        GraphQLForeignKey("product", "catalog.Product", required=True),
        GraphQLCollection(GraphQLForeignKey, "releases", "catalog.ProductRelease"),
        GraphQLString("version", required=True),
        GraphQLField("release_date", graphene.Date, required=True),
        GraphQLRichText("release_notes"),
        GraphQLBoolean("is_latest", required=True),
        GraphQLBoolean("is_public", required=True),
        GraphQLField(
            "superseded_by",
            lambda: _download_page_type(),
            source="graphql_superseded_by",
        ),
        GraphQLField(
            "files",
            lambda: graphene.List(graphene.NonNull(_download_file_type), required=True),
            source="graphql_files",
        ),
        GraphQLField(
            "related_articles",
            lambda: graphene.List(graphene.NonNull(_article_type), required=True),
            source="graphql_related_articles",
        ),
    ]
    parent_page_types = ["downloads.DownloadIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("page de téléchargement")
        verbose_name_plural = _("pages de téléchargement")
        db_table = "catalog_downloadpage"

    @property
    def headline(self) -> str:
        """The product, the version and the kind, each once (« AutoCAD 2026.1.1 —
        mise à jour »): a notification names the download with it, not with the
        title, which often repeats the version and the kind already."""
        name = " ".join(part for part in (self.product.name, self.version) if part)
        return f"{name} — {self.get_kind_display()}"

    # GraphQL resolvers: what the caller may see is decided in downloads.selectors
    # (imported when called: the selectors import these models).
    def graphql_files(self, info, **kwargs):
        return list(self.files.all())

    def graphql_related_articles(self, info, **kwargs):
        from . import selectors

        return selectors.related_articles_for(self, caller=caller_of(info.context))

    def graphql_superseded_by(self, info, **kwargs):
        from . import selectors

        return selectors.superseding_page_for(self, caller=caller_of(info.context))


def _download_page_type():
    from grapple.registry import registry

    return registry.pages[DownloadPage]


def _download_file_type():
    from grapple.registry import registry

    return registry.models[DownloadFile]


def _article_type():
    from grapple.registry import registry

    return registry.pages[ArticlePage]


class DownloadFile(Orderable):
    """A file of a download page, in private storage; SHA-256 and size come from its
    bytes."""

    page = ParentalKey(
        DownloadPage,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    platform = models.CharField(
        _("plateforme"),
        max_length=20,
        choices=Platform.choices,
        default=Platform.WINDOWS,
    )
    language = models.CharField(
        _("langue"),
        max_length=10,
        default="fr",
        help_text=_("Code de langue (« fr », « en ») ou « multi »."),
    )
    # Declared before file_name, size and sha256, which its pre_save fills in.
    file = ChecksummedFileField(
        _("fichier"), upload_to="downloads/%Y/%m/", storage=downloads_storage
    )
    file_name = models.CharField(
        _("nom du fichier"),
        max_length=255,
        blank=True,
        help_text=_("Nom proposé au téléchargement ; par défaut celui du fichier."),
    )
    size = models.BigIntegerField(_("taille (octets)"), default=0, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("platform"), FieldPanel("language")]),
        FieldPanel("file"),
        FieldPanel("file_name"),
    ]
    graphql_fields = [
        GraphQLString("id", required=True),
        GraphQLString("platform", required=True),
        GraphQLString("language", required=True),
        GraphQLString("file_name", required=True),
        GraphQLFloat(
            "size",
            required=True,
            description="Bytes. A Float: exact up to 2^53, past Int's 2^31 (2 GB).",
        ),
        GraphQLString("sha256", required=True),
        GraphQLBoolean("can_download", required=True, source="graphql_can_download"),
        GraphQLString("reason", source="graphql_reason"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("fichier")
        verbose_name_plural = _("fichiers")
        db_table = "catalog_downloadfile"

    def __str__(self) -> str:
        return self.file_name or self.file.name

    def graphql_can_download(self, info, **kwargs) -> bool:
        from . import selectors

        return selectors.access_for(info.context).check(self)[0]

    def graphql_reason(self, info, **kwargs) -> str | None:
        from . import selectors

        return selectors.access_for(info.context).check(self)[1] or None


class DownloadEvent(models.Model):
    """One download served (the audit): who, for which company, which file, when."""

    file = models.ForeignKey(
        DownloadFile,
        verbose_name=_("fichier"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="download_events",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("société"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="download_events",
    )
    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    bytes_range = models.CharField(_("plage demandée"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("téléchargement")
        verbose_name_plural = _("téléchargements")
        db_table = "catalog_downloadevent"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["company", "-at"])]

    def __str__(self) -> str:
        return f"{self.file} — {self.user or _('anonyme')} — {self.at:%d/%m/%Y %H:%M}"


class DownloadNotificationPreference(models.Model):
    """A person's choice about e-mails for new downloads. Without a row, company
    admins are opted in and members are not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="download_notification_preference",
    )
    opted_in = models.BooleanField(_("recevoir les nouveautés"), default=True)

    class Meta:
        verbose_name = _("préférence de notification (téléchargements)")
        verbose_name_plural = _("préférences de notification (téléchargements)")
        db_table = "catalog_downloadnotificationpreference"

    def __str__(self) -> str:
        return f"{self.user}: {'oui' if self.opted_in else 'non'}"


class DownloadNotification(models.Model):
    """The e-mail sent to a person about a download page: at most one, ever."""

    page = models.ForeignKey(
        DownloadPage,
        verbose_name=_("page"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="download_notifications",
    )
    sent_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification envoyée (téléchargement)")
        verbose_name_plural = _("notifications envoyées (téléchargements)")
        db_table = "catalog_downloadnotification"
        constraints = [
            models.UniqueConstraint(
                fields=["page", "user"], name="unique_download_notification"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page} → {self.user}"
