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
    internal = models.BooleanField(
        _("lien interne"),
        default=False,
        help_text=_(
            "Visible du support et du système de tickets seulement (jamais du client)."
        ),
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


class SearchGapDaily(models.Model):
    """Questions the knowledge base did not answer on a day, per normalised query and
    product: searches that found nothing or nothing above the relevance floor, and
    tickets whose suggestions were empty (Reports › « Lacunes de la base »)."""

    class Source(models.TextChoices):
        SEARCH = "search", _("recherche")
        TICKET = "ticket", _("ticket")

    day = models.DateField(_("jour"))
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    normalised_query = models.CharField(_("recherche"), max_length=200)
    # The product filter of the search or ticket, else the product its words name
    # (code, name or a synonym of it); "" when none. A code, not a key: the
    # statistics outlive a product renamed or removed.
    product_code = models.CharField(_("produit"), max_length=40, blank=True)
    zero_results = models.PositiveIntegerField(_("sans résultat"), default=0)
    low_confidence = models.PositiveIntegerField(_("faible pertinence"), default=0)

    class Meta:
        verbose_name = _("lacune de la base")
        verbose_name_plural = _("lacunes de la base")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "normalised_query", "product_code"],
                name="unique_search_gap_day",
            )
        ]
        indexes = [models.Index(fields=["day", "product_code"], name="search_gap_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.normalised_query}"


class PendingIndexUpdate(models.Model):
    """An index update the search engine could not take (it was down): kept here and
    replayed when it answers again, so nothing published is ever missing from search."""

    class Action(models.TextChoices):
        INDEX = "index", _("indexer")
        DELETE = "delete", _("supprimer")

    app_label = models.CharField(_("application"), max_length=100)
    model_name = models.CharField(_("modèle"), max_length=100)
    object_pk = models.CharField(_("identifiant de l'objet"), max_length=64)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    recorded_at = models.DateTimeField(_("enregistrée le"), default=timezone.now)
    error = models.CharField(_("erreur"), max_length=200, blank=True)
    # The replay under way that holds this row (a random token), so that two
    # processes never replay the same rows at once; the claim of a process that died
    # lapses at ``claimed_until``.
    claim = models.CharField(_("réservation"), max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(_("réservée jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("mise à jour d'index en attente")
        verbose_name_plural = _("mises à jour d'index en attente")
        constraints = [
            models.UniqueConstraint(
                fields=["app_label", "model_name", "object_pk"],
                name="one_pending_update_per_object",
            )
        ]
        # Replays take the oldest first; /health/ reports the age of the oldest.
        indexes = [
            models.Index(fields=["recorded_at"], name="pending_update_recorded_at")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.app_label}.{self.model_name}#{self.object_pk}"


class SearchSynonym(models.Model):
    """Words the search treats as one: an abbreviation and its product (ACAD,
    AutoCAD), French and English support vocabulary (hors ligne, offline). Applied
    to queries when they are read, on every backend: no reindex after a change."""

    terms = models.TextField(
        _("termes équivalents"),
        help_text=_(
            "Séparés par des virgules, par exemple « ACAD, AutoCAD » ou "
            "« hors ligne, offline, sans internet ». Une recherche de l'un trouve "
            "les articles qui emploient l'autre."
        ),
    )
    note = models.CharField(_("remarque"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("synonyme de recherche")
        verbose_name_plural = _("synonymes de recherche")
        ordering = ["terms"]

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        seen, out = set(), []
        for term in self.terms.split(","):
            term = " ".join(term.split())
            if term and term.lower() not in seen:
                seen.add(term.lower())
                out.append(term)
        return out


class SearchTerm(models.Model):
    """A word of the live articles (titles, summaries, bodies, tags), folded: what a
    misspelt word of a query is corrected to (:mod:`search.vocabulary`)."""

    word = models.CharField(_("mot"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("mot du vocabulaire")
        verbose_name_plural = _("vocabulaire de recherche")

    def __str__(self) -> str:
        return self.word
