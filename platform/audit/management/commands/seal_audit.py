from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import audit_seal, audit_seal_backlog


class Command(BaseCommand):
    help = (
        "Seals the audit events awaiting sealing into the hash chain, batch by batch (what the "
        "audit.seal beat task does), and prints how many it sealed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, help="seal one batch of at most this many events")

    def handle(self, *args: object, limit: int | None = None, **options: object) -> None:
        if limit is not None and limit < 1:
            raise CommandError(f"--limit must be at least 1, not {limit}")
        sealed = audit_seal(limit=limit) if limit else audit_seal_backlog()
        self.stdout.write(f"sealed {sealed} events")
