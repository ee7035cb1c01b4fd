from django.core.management.base import BaseCommand, CommandError

from intake import services
from intake.models import ApiClient


class Command(BaseCommand):
    help = "Revoke an organisation API client's key, by id or by the key's first 12 characters."

    def add_arguments(self, parser):
        parser.add_argument("client", help="Client id or key prefix (the first 12 characters of the key)")

    def handle(self, *args, client, **options):
        found = ApiClient.objects.filter(key_prefix=client[:12]).first()
        if found is None and client.isdecimal():
            found = ApiClient.objects.filter(pk=int(client)).first()
        if found is None:
            raise CommandError(f"No API client {client!r}.")
        services.api_client_revoke(client=found)
        self.stdout.write(f"Revoked API client {found.pk} ({found.name}).")
