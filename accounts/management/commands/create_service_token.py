from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import ServiceToken
from accounts.services import service_token_create


class Command(BaseCommand):
    help = (
        "Create a token for a machine client (e.g. the ticketing system); printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who uses it, e.g. 'ticketing'.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            required=True,
            choices=ServiceToken.Scope.values,
            help="A scope to grant; repeat for several.",
        )

    def handle(self, *args, name, scopes, **options):
        try:
            token, raw = service_token_create(name=name, scopes=scopes)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Service token '{token.name}' created, scopes: {', '.join(token.scopes)}."
            " Store it now: it is not shown again."
        )
        self.stdout.write(raw)
