"""Admin reports: articles due for a technical review, and what readers said."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permissions import page_permission_policy

from catalog.models import ProductRelease
from cms.access import Caller, caller_of
from cms.admin_exports import SafeSpreadsheetExportMixin

from .models import ArticleFeedback, ArticlePage, Category, FeedbackReason
from .selectors import articles_visible_to


def months_before(day: dt.date, months: int) -> dt.date:
    """``day`` moved back by whole months (31 March - 1 month = 28/29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last_day in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale_articles_for(
    caller: Caller, *, today: dt.date | None = None
) -> QuerySet[ArticlePage]:
    """Published articles to review: never reviewed, reviewed more than
    ``KNOWLEDGE_STALE_AFTER_MONTHS`` months ago, or about a product that has had a
    new release since the last review."""
    today = today or timezone.localdate()
    cutoff = months_before(today, settings.KNOWLEDGE_STALE_AFTER_MONTHS)
    newer_releases = ProductRelease.objects.filter(
        product__articles=OuterRef("pk"),
        release_date__gt=OuterRef("last_reviewed_at"),
        release_date__lte=today,
    ).order_by("-release_date")
    return (
        articles_visible_to(caller)
        .annotate(
            has_newer_release=Exists(newer_releases),
            newer_release_id=Subquery(newer_releases.values("pk")[:1]),
        )
        .filter(
            Q(last_reviewed_at__isnull=True)
            | Q(last_reviewed_at__lt=cutoff)
            | Q(has_newer_release=True)
        )
        .select_related("category", "category__parent")
        .order_by(F("last_reviewed_at").asc(nulls_first=True), "title")
    )


class EditorialReportView(SafeSpreadsheetExportMixin, ReportView):
    """Editorial reports, for whoever may write pages (Wagtail's own "Aging pages"
    report asks the same); no client holds a page permission."""

    permission_policy = page_permission_policy
    any_permission_required = ["add", "change", "publish"]


class StaleArticlesFilterSet(WagtailFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Catégorie"), queryset=Category.objects.all()
    )

    class Meta:
        model = ArticlePage
        fields = ["category", "audience"]


class StaleArticlesReportView(EditorialReportView):
    page_title = _("Articles à relire")
    header_icon = "time"
    index_url_name = "knowledge_reports:stale_articles"
    index_results_url_name = "knowledge_reports:stale_articles_results"
    filterset_class = StaleArticlesFilterSet
    columns = [
        TitleColumn("title", label=_("Article"), url_name="wagtailadmin_pages:edit"),
        Column("category", label=_("Catégorie")),
        DateColumn("last_reviewed_at", label=_("Dernière relecture")),
        Column("stale_reason", label=_("Motif")),
        Column("get_audience_display", label=_("Audience")),
    ]
    list_export = ["title", "category", "last_reviewed_at", "stale_reason", "audience"]
    export_headings = {
        "title": _("Article"),
        "category": _("Catégorie"),
        "last_reviewed_at": _("Dernière relecture"),
        "stale_reason": _("Motif"),
        "audience": _("Audience"),
    }

    def get_queryset(self):
        return stale_articles_for(caller_of(self.request))

    def decorate_paginated_queryset(self, object_list):
        releases = ProductRelease.objects.select_related("product").in_bulk(
            [a.newer_release_id for a in object_list if a.newer_release_id]
        )
        for article in object_list:
            release = releases.get(article.newer_release_id)
            article.stale_reason = (
                _("Jamais relu")
                if article.last_reviewed_at is None
                else _("Nouvelle version : %(release)s") % {"release": release}
                if release
                else _("Relu il y a plus de %(months)s mois")
                % {"months": settings.KNOWLEDGE_STALE_AFTER_MONTHS}
            )
        return object_list


class FeedbackFilterSet(WagtailFilterSet):
    helpful = django_filters.BooleanFilter(label=_("Utile"))
    reason = django_filters.ChoiceFilter(
        label=_("Raison"), choices=FeedbackReason.choices
    )
    updated_at = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=DateRangePickerWidget
    )
    article__category = django_filters.ModelChoiceFilter(
        label=_("Catégorie"), queryset=Category.objects.all()
    )

    class Meta:
        model = ArticleFeedback
        fields = ["helpful", "reason", "updated_at", "article__category"]


class FeedbackReportView(EditorialReportView):
    page_title = _("Avis des lecteurs")
    header_icon = "comment"
    index_url_name = "knowledge_reports:feedback"
    index_results_url_name = "knowledge_reports:feedback_results"
    filterset_class = FeedbackFilterSet
    columns = [
        TitleColumn(
            "article",
            label=_("Article"),
            get_url=lambda fb: reverse("wagtailadmin_pages:edit", args=[fb.article_id]),
        ),
        BooleanColumn("helpful", label=_("Utile")),
        Column("get_reason_display", label=_("Raison")),
        Column("comment", label=_("Commentaire")),
        Column("user", label=_("Lecteur")),
        DateColumn("updated_at", label=_("Date")),
    ]
    list_export = ["article", "helpful", "reason", "comment", "user", "updated_at"]
    export_headings = {
        "article": _("Article"),
        "helpful": _("Utile"),
        "reason": _("Raison"),
        "comment": _("Commentaire"),
        "user": _("Lecteur"),
        "updated_at": _("Date"),
    }

    def get_queryset(self):
        return (
            ArticleFeedback.objects.filter(
                article__in=articles_visible_to(caller_of(self.request)).values("pk")
            )
            .select_related("article", "user")
            .order_by("-updated_at")
        )


report_urls = [
    path("a-relire/", StaleArticlesReportView.as_view(), name="stale_articles"),
    path(
        "a-relire/results/",
        StaleArticlesReportView.as_view(results_only=True),
        name="stale_articles_results",
    ),
    path("avis/", FeedbackReportView.as_view(), name="feedback"),
    path(
        "avis/results/",
        FeedbackReportView.as_view(results_only=True),
        name="feedback_results",
    ),
]

admin_urls = [
    path("knowledge/reports/", include((report_urls, "knowledge_reports"))),
]
