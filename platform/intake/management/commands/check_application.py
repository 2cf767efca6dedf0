import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.ports import HttpCitizenLookup
from intake.api.serializers import ApplicationInputSerializer
from intake.forms import flatten_errors
from rules import engine


class Command(BaseCommand):
    help = "Runs every active rule library on one application document (CONTRACT §3). Stores nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an application document in JSON (CONTRACT §4)")

    def handle(self, *args: object, file: str, **options: object) -> None:
        try:
            document = json.loads(Path(file).read_text(encoding="utf-8-sig"))
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{file}: line {error.lineno}: invalid JSON: {error.msg}") from error
        serializer = ApplicationInputSerializer(data=document)
        if not serializer.is_valid():
            problems = "; ".join(
                f"{path}: {' '.join(msgs)}" for path, msgs in flatten_errors(serializer.errors).items()
            )
            raise CommandError(f"{file}: invalid application: {problems}")
        subject = engine.Subject.from_document(serializer.validated_data)
        # The identity library here checks the registry match and the ID number only: a file
        # carries no proof of presence (SMS code, face).
        outcome, results = engine.check_all(subject, ports=engine.Ports(citizens=HttpCitizenLookup(record=False)))
        output = {"outcome": outcome, "checks": [result.to_dict() for result in results]}
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2, default=str))
