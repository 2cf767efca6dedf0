import sys

from django.core.management.base import BaseCommand

from audit.services import audit_verify


class Command(BaseCommand):
    help = "Walks the hash-chained audit log; exits 1 and names the first broken link if any."

    def handle(self, *args: object, **options: object) -> None:
        report = audit_verify()
        if report.intact:
            self.stdout.write(str(report))
            return
        self.stdout.write(str(report))
        # A non-zero status, so scripts and monitoring notice; not a CommandError traceback.
        sys.exit(1)
