from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import ApiClient
from accounts.services import api_client_create


class Command(BaseCommand):
    help = "Creates an API client for an integrator and prints its key as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--attests-presence",
            action="store_true",
            help="a channel that verifies people in person: its applications skip the SMS and face steps",
        )

    def handle(self, *args: object, name: str, attests_presence: bool = False, **options: object) -> None:
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client named {name!r} already exists.")
        client, key = api_client_create(name=name, attests_presence=attests_presence)
        trust = " It attests presence (in-person verification)." if client.attests_presence else ""
        self.stdout.write(f"Created API client {client.name!r}.{trust} Keep this key; it is shown only once:")
        self.stdout.write(key)
