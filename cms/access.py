"""Who is asking: one :class:`Caller`, and nothing else decides it.

A caller is built once per request (:func:`caller_of`), or by a command or task
(:meth:`Caller.of_user`, :meth:`Caller.of_service`, :data:`ANONYMOUS`), and every
selector takes it. It is one of:

- **anonymous**: nobody signed in — and also a person whose account or company is
  deactivated, or who belongs to no client company: they read what anonymous callers
  read, everywhere;
- **client**: a person of an active client company, its admin or a member;
- **staff**: an active Aplicit person (``is_staff``): reads everything published;
- **service**: a machine client (the ticketing system) with a service token and its
  scopes; when it acts for a ticket it reads as that ticket's company
  (:meth:`Caller.acting_for`), otherwise as any client company. With the ``tickets``
  scope and acting for a ticket, it also sees that company's catalogue (serials
  included): the engineer on the ticket needs it.

What each kind may read is the selectors' business; this module only says who is
asking, with the few predicates the selectors share (:meth:`Caller.sees_company`,
:meth:`Caller.sees_secrets_of`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, TypeVar

T = TypeVar("T")

# The service scope of the ticketing system (accounts.ServiceToken.Scope.TICKETS).
TICKETS_SCOPE = "tickets"


class CallerKind(enum.StrEnum):
    ANONYMOUS = "anonymous"
    CLIENT = "client"
    STAFF = "staff"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking. ``person`` is who acts (votes, downloads, tokens) and may be
    set on an anonymous caller (a person of a deactivated company): access is
    decided by ``kind`` and ``company_id`` only."""

    kind: CallerKind = CallerKind.ANONYMOUS
    person: Any = None
    company_id: int | None = None
    is_company_admin: bool = False
    scopes: frozenset[str] = frozenset()
    service_token: Any = None

    # --- construction ------------------------------------------------------------

    @classmethod
    def of_user(cls, user) -> Caller:
        """The caller a person is: staff, a client of an active company, or
        anonymous (nobody, deactivated, or without a client company)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return ANONYMOUS
        if not user.is_active:
            return cls(person=user)
        if user.is_staff:
            return cls(CallerKind.STAFF, person=user)
        company = user.company if user.company_id is not None else None
        if company is None or not company.is_active:
            return cls(person=user)
        return cls(
            CallerKind.CLIENT,
            person=user,
            company_id=company.pk,
            is_company_admin=bool(user.is_company_admin),
        )

    @classmethod
    def of_service(cls, token) -> Caller:
        """A machine client; it reads as any client company until it acts for a
        ticket's (:meth:`acting_for`)."""
        return cls(
            CallerKind.SERVICE,
            scopes=frozenset(token.scopes or ()),
            service_token=token,
        )

    @classmethod
    def member_of(cls, company_id: int) -> Caller:
        """Any member of ``company_id``, nobody in particular: what that company's
        people read (to check a ticket link, or a notification's audience)."""
        return cls(CallerKind.CLIENT, company_id=company_id)

    def acting_for(self, company_id: int | None) -> Caller:
        """A service acting for a ticket of ``company_id`` reads as that company
        (a member, not an admin). Other callers are unchanged: staff read
        everything, a client stays with its own company."""
        if self.kind is not CallerKind.SERVICE:
            return self
        return replace(self, company_id=company_id, is_company_admin=False)

    def for_ticket_of(self, company_id: int) -> Caller:
        """Whoever works on a ticket of ``company_id`` (staff, or the ticketing
        system), reading for it: the ticketing system acting for that company. It
        reads the articles and downloads that company reads, not what staff read,
        and sees the company's catalogue (:meth:`sees_company`). Only for callers
        who :attr:`works_tickets`."""
        if not self.works_tickets:
            raise ValueError("Only staff and the ticketing system work on tickets.")
        if self.is_service:
            return self.acting_for(company_id)
        return Caller(
            CallerKind.SERVICE,
            person=self.person,
            company_id=company_id,
            scopes=frozenset({TICKETS_SCOPE}),
        )

    # --- who ---------------------------------------------------------------------

    @property
    def is_anonymous(self) -> bool:
        return self.kind is CallerKind.ANONYMOUS

    @property
    def is_client(self) -> bool:
        return self.kind is CallerKind.CLIENT

    @property
    def is_staff(self) -> bool:
        return self.kind is CallerKind.STAFF

    @property
    def is_service(self) -> bool:
        return self.kind is CallerKind.SERVICE

    @property
    def is_signed_in(self) -> bool:
        """A client, staff or a service: not anonymous."""
        return self.kind is not CallerKind.ANONYMOUS

    @property
    def reads_as_client(self) -> bool:
        """Reads what client companies read (a client, or a service)."""
        return self.kind in (CallerKind.CLIENT, CallerKind.SERVICE)

    def has_scope(self, scope: str) -> bool:
        return self.is_service and scope in self.scopes

    @property
    def works_tickets(self) -> bool:
        """Staff, and machine clients with the ``tickets`` scope."""
        return self.is_staff or self.has_scope(TICKETS_SCOPE)

    # --- shared predicates -------------------------------------------------------

    def sees_company(self, company_id: int | None) -> bool:
        """May read ``company_id``'s own data (catalogue, downloads, contract):
        staff, that company's people, and the ticketing system acting for one of
        its tickets."""
        if company_id is None:
            return False
        if self.is_staff:
            return True
        if self.is_client or self.has_scope(TICKETS_SCOPE):
            return self.company_id == company_id
        return False

    def sees_secrets_of(self, company_id: int | None) -> bool:
        """Serial numbers and product keys: staff, that company's admins, and the
        ticketing system acting for one of its tickets."""
        return self.is_staff or (
            self.sees_company(company_id) and (self.is_company_admin or self.is_service)
        )


ANONYMOUS = Caller()


def caller_of(request) -> Caller:
    """The request's caller, built once (the bearer-token middleware has set
    ``request.service_token`` or ``request.user``)."""
    if request is None:
        return ANONYMOUS
    caller = getattr(request, "_caller", None)
    if caller is None:
        token = getattr(request, "service_token", None)
        if token is not None:
            caller = Caller.of_service(token)
        else:
            caller = Caller.of_user(getattr(request, "user", None))
        request._caller = caller
    return caller


# The caller of the API request being answered, for code that Wagtail calls without
# a request (rich-text link handlers). None outside the API: Wagtail's own behaviour.
_answering: ContextVar[Caller | None] = ContextVar("answering", default=None)


def answering_caller() -> Caller | None:
    return _answering.get()


# What was built for the caller being answered, for this request only (see
# :func:`per_request`).
_memo: ContextVar[dict | None] = ContextVar("answering_memo", default=None)


@contextmanager
def answering(caller: Caller):
    """While the API answers ``caller`` (cms.api.views)."""
    token = _answering.set(caller)
    memo_token = _memo.set({})
    try:
        yield caller
    finally:
        _memo.reset(memo_token)
        _answering.reset(token)


def per_request(caller: Caller, key: str, build: Callable[[], T]) -> T:
    """``build()``, built once while the API answers ``caller``: what one request
    reads twice (the audience rule, the caller's holdings) is built once, and
    forgotten with the request. Outside a request, or for any other caller (a
    service acting for a ticket's company is another :class:`Caller`), built on
    every call: a long-lived caller (:data:`ANONYMOUS`, a command's) keeps nothing,
    so a publish, an expiry or a holdings change is seen by the next request."""
    memo = _memo.get()
    if memo is None or _answering.get() is not caller:
        return build()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = build()
        return value


def per_answer(key: str, build: Callable[[], T]) -> T:
    """``build()``, built once while the API answers a request, whoever asks: for
    what does not depend on the caller (the view restrictions), read by several
    selectors of one request. Outside a request, built on every call."""
    memo = _memo.get()
    if memo is None:
        return build()
    key = f"any:{key}"
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = build()
        return value
