"""No read path of the API gives a caller what it may not read (the canary walk).

Restricted objects of every kind carry unique markers (:mod:`tests.cms.canaries`);
the walk calls every field reachable from ``Query`` and every mutation, as each kind
of caller, with arguments that point at those objects and at readable ones
(:mod:`tests.cms.schema_walk`), and fails with the full list of paths where a marker
came back to someone who may not read it, and of unexpected errors.

Who may read what (``Canary.hidden_from``): anonymous callers no restricted object;
company A's member and admin nothing of company B, no internal article, draft,
scheduled or expired page, no file no readable article uses, no internal ticket
link (the member not even its own company's serial numbers unmasked). The service
token (scope ``tickets``) is a signed-in caller: it reads what any client company
reads (public and ``clients`` articles, non-public download pages) and no
company's catalogue; it acts for company A's tickets (it is never given company
B's id: for B's tickets it would read what B reads). Under ``ticketArticles`` and
``linkArticleToTicket``'s link it sees every link, internal ones too, and the
article each points to, as staff does, and under ``ticketContext`` (for company A)
what company A's admin reads, its catalogue's secrets included (:data:`READS_AS`);
anywhere else an article only staff may read is a leak to it. Staff reads every
published canary (the walk checks it reaches them) but no draft, scheduled,
expired or protected page; media no article uses nobody reaches (no field lists
media).

A marker the caller gave as an argument along the path and gets back is no leak.
Every request must be run as sent: one the endpoint refuses (a document that does
not parse or validate, over its bounds, a token it no longer takes) fails the
walk, as it walked less than it thinks. Mutations run in a savepoint rolled back
after each request. A 500 or an error coded ``INTERNAL_SERVER_ERROR``/``INTERNAL``
fails the test too, with the exception the API logged.
"""

from __future__ import annotations

import json
import logging
import re
import textwrap
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from graphql import build_client_schema, get_introspection_query, is_interface_type

from accounts.models import PortalToken, ServiceToken
from cms.api.errors import GRAPHQL_RESPONSE
from tests.cms.canaries import CALLERS, Canary, Garden, plant_garden
from tests.cms.schema_walk import (
    ArgumentPolicy,
    Call,
    Cost,
    Planner,
    arguments_text,
    calls_of_path,
    cost,
    depth,
    field_path,
    labels,
    pack,
    reachable_fields,
    render_selection,
    split,
    strings_with_paths,
)

INTERNAL_CODES = {"INTERNAL_SERVER_ERROR", "INTERNAL"}
# The endpoint did not run the request as sent: the walk did not walk what it
# thinks it did. (Codes an argument value earns, BAD_USER_INPUT, NOT_FOUND,
# FORBIDDEN, UNAUTHENTICATED, are answers like any other.)
REFUSED_CODES = {
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
}
MAX_DEPTH = 5  # levels of objects below a root field
MUTATION_DEPTH = 3  # a mutation's payload, what it holds, and that one's fields

# Where a caller reads as another (caller, path of fields -> whose rule applies):
# staff and the ticketing system see every link of a ticket, internal ones too,
# and the article each points to (the links are the ticketing system's, for
# Aplicit's engineers). Anywhere else the service token reads as a client company.
READS_AS = {
    ("service", ("ticketArticles", "items", "article")): "staff",
    ("service", ("linkArticleToTicket", "link", "article")): "staff",
    # A ticket's context is for the engineer on a ticket of company A: A's
    # catalogue with its secrets (as A's admin reads it), and only what A reads.
    ("service", ("ticketContext",)): "admin_a",
}
# Subjects a caller never names in an argument: the service token acts for company
# A's tickets (acting for B it reads what B reads).
NEVER_NAMES = {"service": frozenset({"company B"})}
# What each caller must meet somewhere in the walk (what it may read), or the walk
# does not reach where the canaries are. Media no article uses have no path left
# at all (the schema lists no media): nobody must meet them.
REACHES = {
    "member_a": {"company A catalogue", "non-public download page", "clients article"},
    "admin_a": {"company A catalogue", "non-public download page", "clients article"},
    "service": {
        "non-public download page",
        "clients article",
        "internal link of a ticket of A",
        "internal article",  # through the internal link
        "companies article (B)",  # through company B's ticket link
        "company A catalogue",  # through ticketContext, acting for A
    },
    "staff": {
        "internal article",
        "companies article (B)",
        "product owners article (B's product)",
        "company B catalogue",
        "non-public download page",
        "clients article",
        "internal link of a ticket of A",
    },
}


@dataclass(frozen=True)
class Finding:
    caller: str
    labels: tuple[str, ...]
    what: str  # the canary, or the error

    def line(self) -> str:
        return f"[{self.caller}] {'.'.join(self.labels) or '(request)'}: {self.what}"


@dataclass
class CallerRun:
    caller: str
    requests: int = 0
    aliases: int = 0  # the most in one request
    seconds: float = 0.0
    walked: set[str] = field(default_factory=set)  # field paths
    type_fields: set[tuple[str, str]] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # subjects found, allowed or not


class LogRecords(logging.Handler):
    """The exceptions the API logged (it answers a generic message)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = [
            f"{r.exc_info[0].__name__}: {r.exc_info[1]}"[:160] if r.exc_info else r.msg
            for r in self.records
        ]
        self.records.clear()
        return found


class CanaryWalk:
    """The walk of the served schema (introspected as staff) as each caller, with
    what it found: leaks, unexpected errors, queries the endpoint refused."""

    def __init__(
        self,
        gql,
        garden: Garden,
        staff_token: str,
        logged: LogRecords,
        answers_kept: bool = False,
    ):
        self.garden = garden
        # With the API's kept answers on, one root field per operation (an operation
        # is kept only if all its root fields may be) and the same texts for every
        # caller: a key that forgot who asks would hand one caller's answer to the
        # next.
        self.answers_kept = answers_kept
        self.logged = logged
        # The suite's client, posting raw: a 500 is recorded, not raised.
        self.http = gql.http
        self.http.raise_request_exception = False
        self.leaks: set[Finding] = set()
        self.errors: set[Finding] = set()
        self.invalid: set[Finding] = set()
        self.pattern = re.compile(
            "|".join(re.escape(k) for k in sorted(garden.canaries, key=len)[::-1]),
            re.IGNORECASE,
        )
        introspection = self.post(get_introspection_query(), staff_token)
        self.schema = build_client_schema(introspection["data"])
        self.policy = ArgumentPolicy(
            self.schema, garden, max_page_size=settings.GRAPHQL_MAX_PAGE_SIZE
        )
        margin = 20
        self.budget = Cost(
            settings.GRAPHQL_MAX_FIELDS - margin,
            settings.GRAPHQL_MAX_ALIASES,
            settings.GRAPHQL_MAX_QUERY_LENGTH - 20 * margin,
        )

    def post(self, query: str, token: str | None, kind: str = "query") -> dict:
        """The response to ``query``, as the portal gets it (the GraphQL response
        media type: a response without data is HTTP 400). A mutation's effects (a
        logout, a new link) are rolled back after its own request."""
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        with transaction.atomic():
            response = self.http.post(
                "/graphql/",
                json.dumps({"query": query}),
                content_type="application/json",
                HTTP_ACCEPT=GRAPHQL_RESPONSE,
                **headers,
            )
            transaction.set_rollback(kind == "mutation")
        try:
            body = response.json()
        except ValueError:
            body = {"errors": [{"message": response.content[:200].decode()}]}
        body["status"] = response.status_code
        return body

    def operations(self, calls: list[Call]) -> list[list[Call]]:
        pieces = [piece for call in calls for piece in split(call, self.budget)]
        for piece in pieces:  # a depth cannot be split: the walk's own bound is off
            assert depth(piece) <= settings.GRAPHQL_MAX_DEPTH, piece.label
        if self.answers_kept:
            return [[piece] for piece in pieces]
        return pack(pieces, self.budget)

    def run(self, caller: str, token: str | None) -> CallerRun:
        run = CallerRun(caller)
        started = time.perf_counter()
        planner = Planner(
            self.schema,
            self.policy,
            caller,
            never_names=NEVER_NAMES.get(caller, frozenset()),
            max_depth=MAX_DEPTH,
        )
        for operation in self.operations(planner.root_calls(self.schema.query_type)):
            self.send(run, "query", operation, token)
        mutations = planner.root_calls(
            self.schema.mutation_type, MUTATION_DEPTH, all_deep=True
        )
        for operation in self.operations(mutations):
            self.send(run, "mutation", operation, token)
        run.seconds = time.perf_counter() - started
        return run

    def send(self, run: CallerRun, kind: str, calls: list[Call], token) -> None:
        query = f"{kind} {{ {render_selection(calls)} }}"
        body = self.post(query, token, kind)
        run.requests += 1
        run.aliases = max(run.aliases, sum(cost(c).aliases for c in calls))
        errors = body.get("errors") or []
        refused = [
            e
            for e in errors
            if (e.get("extensions") or {}).get("code") in REFUSED_CODES
        ]
        if refused or "data" not in body:
            # Nothing of it was walked (a document the endpoint does not take, or
            # a request it refused whole): a defect of the walk, never a skip.
            for error in refused or errors or [{"message": f"HTTP {body['status']}"}]:
                extensions = error.get("extensions") or {}
                what = extensions.get("detail") or error.get("message", "")
                code = extensions.get("code", body["status"])
                self.invalid.add(Finding(run.caller, (kind,), f"{code}: {what[:300]}"))
            return
        self.record_walked(run, calls, kind.capitalize())
        if body["status"] >= 500:
            self.errors.add(Finding(run.caller, (), f"HTTP {body['status']}"))
        logged = iter(self.logged.take())  # in the order the errors were formatted
        for error in errors:
            chain = calls_of_path(error.get("path"), calls)
            code = (error.get("extensions") or {}).get("code")
            if code in INTERNAL_CODES:
                what = next(logged, error["message"])
                self.errors.add(Finding(run.caller, labels(chain), what))
            # an error without a path may quote any argument of the request
            given = arguments_text(chain) if chain else query.lower()
            self.scan(run, chain, error.get("message", ""), given)
        data = body.get("data") or {}
        for chain, text in strings_with_paths(data, calls):
            self.scan(run, chain, text, arguments_text(chain))
        # An error nulls the erring field and, up to the nearest nullable one, its
        # parents (a block whose ``rawValue`` fails, or the whole answer): what it
        # took down is asked again without the erring fields, so one broken field
        # hides nothing else.
        paths = [e["path"] for e in errors if e.get("path")]
        taken_down = {
            p[0] for p in paths if len(p) > 1 and value_at(data, p[:-1]) is None
        }
        pruned = calls
        for path in paths:
            pruned = prune(pruned, path)
        if body.get("data") is None and len(calls) > 1:
            again = pruned
        else:
            again = [c for c in pruned if c.key in taken_down]
        if again:
            self.send(run, kind, again, token)

    def scan(self, run: CallerRun, chain, text: str, given: str) -> None:
        """Record the canaries in ``text``, found at ``chain``; ``given``: the
        caller's own arguments there (a marker it gave and gets back is no leak)."""
        for match in self.pattern.finditer(text):
            marker = match.group(0).lower()
            if marker in given:
                continue
            canary: Canary = self.garden.canaries[marker]
            run.seen.add(canary.subject)
            if reader_at(run.caller, chain) not in canary.hidden_from:
                continue
            what = f"{canary.subject} ({canary.place})"
            self.leaks.add(Finding(run.caller, labels(chain), what))

    def record_walked(self, run: CallerRun, calls: list[Call], parent: str) -> None:
        def walk(calls, prefix, parent):
            for call in calls:
                owner = call.type_cond or parent
                run.type_fields.add((owner, call.field))
                owner_type = self.schema.get_type(owner)
                if is_interface_type(owner_type):  # run by each type's resolver
                    for possible in self.schema.get_possible_types(owner_type):
                        run.type_fields.add((possible.name, call.field))
                path = f"{prefix}.{call.field}" if prefix else call.field
                run.walked.add(path)
                if call.node is not None:
                    walk(call.node.calls, path, call.node.type_name)

        walk(calls, "", parent)


def reader_at(caller: str, chain: tuple[Call, ...]) -> str:
    """Whose read rule applies to ``caller`` at ``chain`` (:data:`READS_AS`)."""
    fields = tuple(call.field for call in chain)
    for (who, prefix), reader in READS_AS.items():
        if who == caller and fields[: len(prefix)] == prefix:
            return reader
    return caller


def value_at(data, path: list):
    """The value at an error's path in ``data`` (None if a step is missing)."""
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def prune(calls: list[Call], path: list) -> list[Call]:
    """``calls`` without the field at an error's path (every ``... on`` of it)."""
    keys = [step for step in path if not isinstance(step, int)]
    head, rest = keys[0], keys[1:]
    kept = []
    for call in calls:
        if call.key != head:
            kept.append(call)
        elif rest and call.node is not None:
            kept.append(call.with_calls(prune(call.node.calls, rest)))
    return kept


def summarise(findings: set[Finding]) -> list[str]:
    """One entry per object path (``redirects.page``): the fields that gave a
    canary away, which canary to which callers, and one call that did it."""
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted(findings, key=str):
        by_path[field_path(f.labels[:-1])].append(f)
    lines = []
    for path, found in sorted(by_path.items()):
        fields = sorted({field_path(f.labels[-1:]) for f in found})
        lines.append(f"{path or '(root)'} {{{', '.join(fields)}}}")
        lines += _who(found)
    return lines


def summarise_errors(findings: set[Finding]) -> list[str]:
    """One entry per error, with the paths it happened at."""
    by_error: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted(findings, key=str):
        by_error[f.what].append(f)
    lines = []
    for what, found in sorted(by_error.items()):
        paths = sorted({field_path(f.labels) or "(request)" for f in found})
        shown = ", ".join(paths[:6]) + (
            f" (+{len(paths) - 6})" if len(paths) > 6 else ""
        )
        callers = [c for c in CALLERS if c in {f.caller for f in found}]
        lines.append(f"{what}\n    at {shown}\n    for {', '.join(callers)}")
        lines.append(f"    e.g. [{found[0].caller}] {'.'.join(found[0].labels)}")
    return lines


def _who(found: list[Finding]) -> list[str]:
    who: dict[str, set[str]] = defaultdict(set)
    for f in found:
        who[f.what].add(f.caller)
    lines = [
        f"    {', '.join(c for c in CALLERS if c in callers)}: {what}"
        for what, callers in sorted(who.items())
    ]
    lines.append(f"    e.g. [{found[0].caller}] {'.'.join(found[0].labels)}")
    return lines


def walked(runs: list[CallerRun]) -> list[str]:
    """The fields (``Type.field``) each caller's walk selected."""
    common = set.intersection(*(r.type_fields for r in runs))
    names = sorted(f"{t}.{f}" for t, f in common)
    lines = [f"Fields walked by every caller ({len(names)}):"]
    lines += textwrap.wrap(
        ", ".join(names), 100, initial_indent="    ", subsequent_indent="    "
    )
    for r in runs:
        own = sorted(f"{t}.{f}" for t, f in r.type_fields - common)
        if own:
            lines.append(f"Also walked by {r.caller}: {', '.join(own)}")
    return lines


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    cache.clear()  # the walk's failed logins must not lock anyone out later


@pytest.fixture
def garden(media_root, company_a, company_b, member_a, admin_a, member_b, staff):
    return plant_garden(
        company_a=company_a,
        company_b=company_b,
        member_a=member_a,
        admin_a=admin_a,
        member_b=member_b,
        staff=staff,
    )


@pytest.fixture
def tokens(member_a, admin_a, staff):
    return {
        "anonymous": None,
        "member_a": PortalToken.generate(user=member_a)[1],
        "admin_a": PortalToken.generate(user=admin_a)[1],
        "service": ServiceToken.generate(name="GLPI", scopes=["tickets"])[1],
        "staff": PortalToken.generate(user=staff)[1],
    }


@pytest.fixture
def logged():
    """The API's logged exceptions, kept here (the failure lists them) rather than
    printed: the walk provokes many."""
    handler = LogRecords()
    logger = logging.getLogger("cms.api")
    logger.addHandler(handler)
    logger.propagate = False
    yield handler
    logger.propagate = True
    logger.removeHandler(handler)


@pytest.fixture(params=[False, True], ids=["computed", "kept"])
def answers(request, settings):
    """The walk twice: every answer computed, then with the API's kept answers on
    (cms.api.response_cache), where an answer kept for one caller must never reach
    another."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 60 if request.param else 0
    caches["api"].clear()
    yield request.param
    caches["api"].clear()


def test_no_read_path_gives_a_canary_to_a_caller_who_may_not_read_it(
    gql, garden, tokens, logged, request, answers
):
    walk = CanaryWalk(gql, garden, tokens["staff"], logged, answers_kept=answers)
    # Kept answers: the caller who reads most first, so that any answer served to
    # the wrong caller carries canaries.
    order = sorted(CALLERS, key=lambda c: c != "staff") if answers else CALLERS
    runs = [walk.run(caller, tokens[caller]) for caller in order]

    unreached = {
        r.caller: sorted(REACHES.get(r.caller, set()) - r.seen)
        for r in runs
        if REACHES.get(r.caller, set()) - r.seen
    }
    schema_fields = reachable_fields(walk.schema)
    unwalked = schema_fields - set.union(*(r.type_fields for r in runs))
    summary = [
        f"{r.caller}: {r.requests} requests (at most {r.aliases} aliases in one), "
        f"{len(r.type_fields & schema_fields)} of {len(schema_fields)} fields, "
        f"{len(r.walked)} field paths, {r.seconds:.1f} s"
        for r in runs
    ]
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    if reporter is not None and request.config.option.verbose > 0:  # -v: the summary
        with plugins.get_plugin("capturemanager").global_and_fixture_disabled():
            reporter.write_line("")
            for line in summary:
                reporter.write_line(f"canary walk: {line}")

    problems = []
    if walk.invalid:
        problems.append("The walk sent queries the endpoint refused (a walk defect):")
        problems += [f.line() for f in sorted(walk.invalid, key=str)[:20]]
    if unreached:
        problems.append(
            f"The walk never reached what these callers may read: {unreached}"
        )
    if unwalked:  # e.g. an argument the policy cannot fill: teach it the type
        names = ", ".join(sorted(f"{t}.{f}" for t, f in unwalked))
        problems.append(f"Fields the walk did not reach (a walk defect): {names}")
    if walk.leaks:
        problems.append(
            f"Canaries leaked ({len(walk.leaks)} caller, path and canary findings):"
        )
        problems += summarise(walk.leaks)
    if walk.errors:
        problems.append(f"{len(walk.errors)} unexpected errors (500 / INTERNAL):")
        problems += summarise_errors(walk.errors)
    if problems:
        pytest.fail("\n".join([*summary, *problems, *walked(runs)]), pytrace=False)
