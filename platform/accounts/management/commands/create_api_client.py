from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import ApiClient
from accounts.services import api_client_create


class Command(BaseCommand):
    help = "Creates an API client for an integrator and prints its key as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: object, name: str, **options: object) -> None:
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client named {name!r} already exists.")
        client, key = api_client_create(name=name)
        self.stdout.write(f"Created API client {client.name!r}. Keep this key; it is shown only once:")
        self.stdout.write(key)
