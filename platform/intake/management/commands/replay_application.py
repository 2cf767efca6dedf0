import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from applications.models import Application
from exchange.ports import HttpCitizenLookup
from rules import engine
from workflow.services import subject_for_application


class Command(BaseCommand):
    help = (
        "Re-runs an application's checks as of its decision, with the library versions in effect then, "
        "and compares them with the recorded findings. Stores nothing. Exit 1 when they differ."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("application_id")

    def handle(self, *args: object, application_id: str, **options: object) -> None:
        application = Application.objects.filter(pk=application_id).prefetch_related("checks", "persons").first()
        if application is None:
            raise CommandError(f"no application {application_id}")
        if application.decided_at is None:
            raise CommandError("the application has not been decided yet")
        _, results = engine.check_all(
            subject_for_application(application=application),
            ports=engine.Ports(citizens=HttpCitizenLookup(record=False)),
            as_of=application.decided_at,
        )
        recorded = {c.library: _summary(c.outcome, c.findings) for c in application.checks.all()}
        replayed = {r.library: _summary(r.outcome, [f.to_dict() for f in r.findings]) for r in results}
        same = all(replayed.get(library) == summary for library, summary in recorded.items())
        self.stdout.write(
            json.dumps(
                {
                    "application": str(application.id),
                    "as_of": application.decided_at.isoformat(),
                    "same": same,
                    "recorded": recorded,
                    "replayed": replayed,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        if not same:
            raise CommandError("the replay differs from the recorded findings")


def _summary(outcome: str | None, findings: list[dict]) -> dict:
    return {"outcome": outcome, "rules": sorted(f"{f['rule']}:{f['outcome']}" for f in findings)}
