import sys

from django.core.management.base import BaseCommand, CommandParser

from audit.services import audit_seal_backlog, audit_verify


class Command(BaseCommand):
    help = (
        "Walks the hash-chained audit log and reports the events awaiting sealing; exits 1 and "
        "names the first broken link if any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seal", action="store_true", help="seal the events awaiting sealing first, so all of them are checked"
        )

    def handle(self, *args: object, seal: bool = False, **options: object) -> None:
        if seal:
            self.stdout.write(f"sealed {audit_seal_backlog()} events")
        report = audit_verify()
        self.stdout.write(str(report))
        if not report.intact:
            # A non-zero status, so scripts and monitoring notice; not a CommandError traceback.
            sys.exit(1)
