from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """A ticket's context for the engineer: above the catalogue, the knowledge
    base, the downloads and the search, which it puts side by side."""

    name = "tickets"
    verbose_name = "Tickets"
