"""The content generation (:class:`cms.models.ContentGeneration`): one number in the
database every process shares, moved on after the commit of any change that can alter
what the API answers. :mod:`cms.api.response_cache` keys its kept answers with it, so
a publish, an unpublish, an audience or a holdings change drops them at once, in
every worker.

Saves and deletes of the watched apps move it by themselves (the receiver is
connected in :mod:`cms.apps`); code that writes without signals (``bulk_create``,
``bulk_update``, ``update()``) calls :func:`content_changed`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

# Apps whose saves and deletes can change an answer…
WATCHED_APPS = frozenset(
    {
        "accounts",
        "catalog",
        "knowledge",
        "downloads",
        "kbsearch",
        "tickets",
        "wagtailcore",
        "wagtailimages",
        "wagtaildocs",
        "taggit",
        "auth",
    }
)
# …but not these, written by reading requests themselves or by the admin's
# bookkeeping: counting them would drop every answer on every read.
IGNORED_MODELS = frozenset(
    {
        "knowledge.articledailyviews",
        "kbsearch.searchquerydaily",
        "kbsearch.searchgapdaily",
        "accounts.portaltoken",
        "accounts.attemptwindow",
        "wagtailcore.pagelogentry",
        "wagtailcore.modellogentry",
        "wagtailcore.revision",
        "wagtailcore.pagesubscription",
        "wagtailcore.taskstate",
        "wagtailcore.workflowstate",
        "wagtailcore.comment",
        "wagtailcore.commentreply",
        "wagtailcore.referenceindex",
        "wagtailimages.rendition",
    }
)


def content_changed(using: str | None = None) -> None:
    """Move the generation on once the current transaction commits (at once outside
    one). Call it after a bulk write that sends no signal (``bulk_create``,
    ``update()``); saves and deletes of the watched apps call it themselves."""
    connection = transaction.get_connection(using)
    pending = getattr(connection, "_content_generation_move", None)
    if (
        connection.in_atomic_block
        and pending is not None
        and not pending.done
        and any(func is pending for _sids, func, _robust in connection.run_on_commit)
    ):
        return  # once per transaction
    move = _Move()
    connection._content_generation_move = move
    # Robust: a callback registered before it that fails does not cancel it.
    transaction.on_commit(move, using=using, robust=True)


class _Move:
    """One move of the generation, registered once per transaction."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        _bump()


def _bump() -> None:
    from cms.models import ContentGeneration

    now = timezone.now()
    if not ContentGeneration.objects.filter(pk=1).update(
        value=F("value") + 1, changed_at=now
    ):
        ContentGeneration.objects.update_or_create(pk=1, defaults={"changed_at": now})


# While ``migrate`` runs (the generation's table may not exist yet): one move at the
# end instead (:func:`migrate_ended`).
_migrating = False


def migrate_started(**kwargs) -> None:
    global _migrating
    _migrating = True


def migrate_ended(**kwargs) -> None:
    global _migrating
    if _migrating:
        _migrating = False
        content_changed(kwargs.get("using"))


def watched_change(sender, **kwargs) -> None:
    """post_save / post_delete / m2m_changed receiver (connected in cms.apps)."""
    if _migrating:
        return
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS:
        return
    if meta.label_lower in IGNORED_MODELS:
        return
    content_changed(kwargs.get("using"))


def index_task_finished(sender, task_result=None, **kwargs) -> None:
    """``django_tasks.signals.task_finished``: the search index is written by a task
    (modelsearch's ``insert_or_update_object_task``, by the worker in production),
    after the change's own move; searches kept in between would miss it."""
    task = getattr(task_result, "task", None)
    if str(getattr(task, "module_path", "")).startswith("modelsearch."):
        content_changed()


def current() -> tuple[int, datetime] | None:
    """(generation, when it last moved), or None before the migration ran."""
    from cms.models import ContentGeneration

    return (
        ContentGeneration.objects.filter(pk=1)
        .values_list("value", "changed_at")
        .first()
    )
