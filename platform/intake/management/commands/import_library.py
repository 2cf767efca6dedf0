"""``import_library KIND FILE [--scope CODE] [--publish]`` (CONTRACT §2).

It lives here, with the other data-loading command (load_demo), rather than in the workflow
app: importing reference data is not part of the pipeline. (An app earlier in INSTALLED_APPS
wins a command name, so this one also stands in for the old copy under workflow.)
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange.services import DepartmentUnavailable, RegistryImportFailed, citizens_import
from rules.jurisdictions import NATIONAL, ScopeInvalid, scope_validate
from rules.models import ImportJob
from rules.services import list_kinds
from rules.services.import_jobs import ImportAlreadyRunning, import_job_create, import_job_run

CITIZENS = "citizens"


class Command(BaseCommand):
    help = (
        "Imports a UTF-8 CSV into a new draft version of a rule list, in the national layer or a "
        "region's (CONTRACT §2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join([*list_kinds(), CITIZENS])}")
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="make the new version the active one")
        parser.add_argument(
            "--scope",
            default=NATIONAL,
            help="the layer: 'national' (default) or a region code: province 440000, city 440300, district 440305",
        )

    def handle(self, *args: object, kind: str, file: str, publish: bool, scope: str, **options: object) -> None:
        kinds = [*list_kinds(), CITIZENS]
        if kind not in kinds:
            raise CommandError(f"unknown kind {kind!r}; expected one of: {', '.join(kinds)}")
        try:
            scope = scope_validate(scope)
        except ScopeInvalid as error:
            raise CommandError(f"--scope: {error}") from error
        if kind == CITIZENS and scope != NATIONAL:
            raise CommandError("--scope: the citizen registry is national; it has no local layers")
        try:
            data = Path(file).read_bytes()
            text = data.decode("utf-8-sig")
        except FileNotFoundError as error:
            raise CommandError(f"{file}: no such file") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file}: not UTF-8 text ({error.reason} at byte {error.start})") from error
        if kind == CITIZENS:
            self._citizens(file=file, text=text)
            return
        try:
            job = import_job_create(
                kind=kind, scope=scope, filename=Path(file).name, data=data, publish=publish, requested_by=""
            )
        except ImportAlreadyRunning as error:
            raise CommandError(str(error)) from error
        job = self._run(job)
        if job.status != ImportJob.Status.DONE:
            for line, reason in job.errors:
                self.stderr.write(f"{file}:{line}: {reason}")
            raise CommandError(f"{len(job.errors)} bad row(s); nothing was imported")
        self.stdout.write(job.summary)

    def _run(self, job: ImportJob) -> ImportJob:
        """Run the job here, with a progress bar (rows/s, time left) when stdout is a terminal."""
        from tqdm import tqdm

        out = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(
            total=None, unit="rows", unit_scale=True, file=out, disable=not self.stdout.isatty(), leave=False
        ) as bar:

            def advance(done: int, total: int) -> None:
                if bar.total != total:
                    bar.total = total
                bar.update(done - bar.n)

            finished = import_job_run(job_id=job.pk, on_progress=advance)
        return finished if finished is not None else ImportJob.objects.get(pk=job.pk)

    def _citizens(self, *, file: str, text: str) -> None:
        try:
            # Registry photos (the optional photo column) are paths relative to the CSV's folder.
            count = citizens_import(csv_text=text, photo_dir=Path(file).resolve().parent)
        except RegistryImportFailed as failure:
            for line, reason in failure.errors:
                self.stderr.write(f"{file}:{line}: {reason}")
            raise CommandError(f"{len(failure.errors)} bad row(s); nothing was imported") from failure
        except DepartmentUnavailable as error:
            raise CommandError(f"the citizen registry could not be reached: {error}") from error
        self.stdout.write(
            f"citizens: {count} entries loaded into the public_security registry (phones registered with the carrier)"
        )
