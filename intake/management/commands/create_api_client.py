from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from intake import services
from intake.choices import ApiClientKind


class Command(BaseCommand):
    help = "Create an organisation API client (cluster or TTO). Prints the key once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=ApiClientKind.values)
        parser.add_argument("--scopes", required=True, help="Comma-separated, e.g. catalogue:read,intake:write")

    def handle(self, *args, name, kind, scopes, **options):
        try:
            client, key = services.api_client_create(
                name=name, kind=kind, scopes=[scope.strip() for scope in scopes.split(",") if scope.strip()]
            )
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created API client {client.pk} ({client.name}, {client.kind}, scopes {client.scopes}).")
        self.stdout.write("Store this key now; it cannot be shown again:")
        self.stdout.write(key)
