"""GraphQL wiring of the ticket context."""

from __future__ import annotations

from wagtail import hooks

from .graphql import TicketQuery


@hooks.register("register_schema_query")
def register_ticket_query(query_mixins):
    query_mixins.append(TicketQuery)
