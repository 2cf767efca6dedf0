"""Seeds the public-security simulator's citizen registry with demo people (Faker zh_CN)."""

from django.core.management.base import BaseCommand, CommandParser

from departments.demo import citizens_csv, demo_citizens
from departments.services import citizens_import


class Command(BaseCommand):
    help = "Loads the demo citizen registry into the public_security simulator (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--count", type=int, default=300)

    def handle(self, *args: object, seed: int, count: int, **options: object) -> None:
        imported = citizens_import(csv_text=citizens_csv(demo_citizens(seed=seed, count=count)))
        self.stdout.write(f"citizens: {imported} demo people in the public_security registry")
