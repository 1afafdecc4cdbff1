"""Answers of the GraphQL API, kept a while and dropped the moment content changes.

**What is kept.** The JSON answer of a query (never a mutation) whose root fields are
all in :data:`CACHED_FIELDS`, answered without any error, under a key made of:

- the **content generation** (:mod:`cms.generation`), one row in the database
  every process shares, moved on after the commit of any change that can alter an
  answer (every save and delete of the watched apps: pages, their view
  restrictions, the catalogue, companies and people, downloads, synonyms, images,
  tags…). A publish, an unpublish, an audience change or
  a holdings change is seen by the very next request, in every worker;
- **who asks**, as everything :class:`cms.access.Caller` decides access with (kind,
  person, company, admin or not, scopes, token): two callers never share an answer,
  not even two people of the same company;
- the day (subscriptions and licences are in force by date), the query text, the
  operation name and the variables.

An answer is also dropped at its **time boundary**: the next ``expire_at`` of a live
page (the read rule hides an expired page before ``publish_scheduled`` runs), and at
most :setting:`GRAPHQL_RESPONSE_CACHE_SECONDS` after it was computed. Answers that
read the search engine are not kept while the engine may not have refreshed yet
(:data:`ENGINE_REFRESH_SECONDS` after a change).

**What a query does besides answering** (an article's view, a search's statistics,
a knowledge gap) is recorded with :func:`side_effect` and done again on every answer
from the cache: the counters count every request, served or not.

Entries live in each process's memory (the ``api`` cache): nothing to run beside the
application, and an entry is never shared between machines that could disagree on
the generation. Off (``GRAPHQL_RESPONSE_CACHE_SECONDS = 0``) in the tests that count
queries and in the benchmark's in-process comparisons with uncached peers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db.models import Min
from django.utils import timezone
from graphql import FieldNode, OperationDefinitionNode, OperationType

from cms import generation as content_generation
from cms.access import Caller

logger = logging.getLogger("cms.api")

# Root fields whose answer depends only on the key above. Not kept: ``me`` (tokens,
# cheap), ``slaDeadline`` and ``ticketContext`` (computed from the clock), the
# ticketing system's ``ticketSuggestions`` and ``ticketArticles``.
CACHED_FIELDS = frozenset(
    {
        "articles",
        "article",
        "categories",
        "tags",
        "searchArticles",
        "suggestArticles",
        "downloads",
        "download",
        "myCompany",
        "company",
        "__typename",
        "__schema",
        "__type",
    }
)
# Root fields answered from the search engine, which shows a change only after its
# refresh (one second by default).
ENGINE_FIELDS = frozenset({"searchArticles", "suggestArticles"})
ENGINE_REFRESH_SECONDS = 2.0
# An answer larger than this is not kept (a thousand entries per process at most).
MAX_KEPT_CHARACTERS = 256 * 1024

# Per process: the next expiry of a live page, for one generation.
_expiry: dict[str, Any] = {"generation": None, "at": None}


def _next_expiry(generation: int, now: datetime) -> datetime | None:
    at = _expiry["at"]
    if _expiry["generation"] == generation and (at is None or at > now):
        return at
    from wagtail.models import Page

    at = Page.objects.filter(live=True, expire_at__gt=now).aggregate(
        m=Min("expire_at")
    )["m"]
    _expiry.update(generation=generation, at=at)
    return at


# --- what a query does besides answering -------------------------------------------

_recording: ContextVar[list | None] = ContextVar("response_cache_effects", default=None)


def side_effect(func: Callable[..., Any], /, **kwargs: Any) -> None:
    """``func(**kwargs)`` now, and again on every answer of this query from the cache.
    ``func`` is a module-level function (kept by reference), ``kwargs`` plain values."""
    func(**kwargs)
    effects = _recording.get()
    if effects is not None:
        effects.append((func, kwargs))


@contextmanager
def recording() -> Iterator[list]:
    effects: list = []
    token = _recording.set(effects)
    try:
        yield effects
    finally:
        _recording.reset(token)


# --- lookup and store ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """Where one answer is kept, and how long it may be."""

    key: str
    valid_until: datetime
    reads_engine: bool
    generation_changed_at: datetime


def caller_key(caller: Caller) -> list:
    """Everything access is decided with (see :class:`cms.access.Caller`)."""
    return [
        caller.kind.value,
        getattr(caller.person, "pk", None),
        caller.company_id,
        caller.is_company_admin,
        sorted(caller.scopes),
        getattr(caller.service_token, "pk", None),
    ]


def root_fields(operation: OperationDefinitionNode) -> set[str] | None:
    """The operation's root field names; None if a fragment sits at its root."""
    names = set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        names.add(selection.name.value)
    return names


def slot_for(
    operation: OperationDefinitionNode,
    *,
    query: str,
    operation_name: str | None,
    variables: dict | None,
    caller: Caller,
) -> Slot | None:
    """The slot of this request's answer, or None when it is not kept."""
    seconds = settings.GRAPHQL_RESPONSE_CACHE_SECONDS
    if not seconds or operation.operation != OperationType.QUERY:
        return None
    fields = root_fields(operation)
    if not fields or not fields <= CACHED_FIELDS:
        return None
    state = content_generation.current()
    if state is None:
        return None
    generation, changed_at = state
    now = timezone.now()
    valid_until = now + timedelta(seconds=seconds)
    expiry = _next_expiry(generation, now)
    if expiry is not None:
        valid_until = min(valid_until, expiry)
    # Only the variables the operation declares: others change nothing but the key.
    declared = {d.variable.name.value for d in operation.variable_definitions or ()}
    variables = {k: v for k, v in (variables or {}).items() if k in declared}
    material = json.dumps(
        [
            generation,
            timezone.localdate(now).isoformat(),
            caller_key(caller),
            query,
            operation_name,
            variables,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,  # a lone surrogate in a variable is text, not an error
        default=str,
    )
    return Slot(
        key="gql:" + hashlib.sha256(material.encode()).hexdigest(),
        valid_until=valid_until,
        reads_engine=bool(fields & ENGINE_FIELDS),
        generation_changed_at=changed_at,
    )


def _cache():
    return caches[settings.GRAPHQL_RESPONSE_CACHE_ALIAS]


def answer(slot: Slot) -> str | None:
    """The kept answer (its side effects done again), or None."""
    entry = _cache().get(slot.key)
    if entry is None:
        return None
    valid_until, body, effects = entry
    if timezone.now() >= valid_until:
        return None
    for func, kwargs in effects:
        try:
            func(**kwargs)
        except Exception:  # as a resolver's failure would be: logged, not a 500
            logger.exception("Side effect of a kept answer failed: %s", func.__name__)
    return body


def keep(slot: Slot, body: str, effects: list) -> None:
    now = timezone.now()
    if (
        slot.reads_engine
        and (now - slot.generation_changed_at).total_seconds() < ENGINE_REFRESH_SECONDS
    ):
        return  # the engine may still answer as before the change
    seconds = (slot.valid_until - now).total_seconds()
    if seconds <= 0 or len(body) > MAX_KEPT_CHARACTERS:
        return  # too late, or too large to keep a thousand of
    _cache().set(slot.key, (slot.valid_until, body, effects), timeout=seconds)
