from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.services import DepartmentUnavailable, RegistryImportFailed, citizens_import
from rules.services import ImportFailed, list_import, list_kinds

CITIZENS = "citizens"


class Command(BaseCommand):
    help = "Imports a UTF-8 CSV into a new draft version of a rule list (CONTRACT §2)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join([*list_kinds(), CITIZENS])}")
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="make the new version the active one")

    def handle(self, *args: object, kind: str, file: str, publish: bool, **options: object) -> None:
        kinds = [*list_kinds(), CITIZENS]
        if kind not in kinds:
            raise CommandError(f"unknown kind {kind!r}; expected one of: {', '.join(kinds)}")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file}: not UTF-8 text ({error.reason} at byte {error.start})") from error
        try:
            if kind == CITIZENS:
                count = citizens_import(csv_text=text)
                self.stdout.write(f"citizens: {count} entries loaded into the public_security registry")
                return
            summary = list_import(kind=kind, text=text, publish=publish, source=Path(file).name)
        except (ImportFailed, RegistryImportFailed) as failure:
            for line, reason in failure.errors:
                self.stderr.write(f"{file}:{line}: {reason}")
            raise CommandError(f"{len(failure.errors)} bad row(s); nothing was imported") from failure
        except DepartmentUnavailable as error:
            raise CommandError(f"the citizen registry could not be reached: {error}") from error
        self.stdout.write(summary.line())
