import time

import httpx
from django.core.management.base import BaseCommand, CommandParser

from intake.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Waits for the web server, prints the URL and the demo logins, then stays up (make run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: object, port: int, **options: object) -> None:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(120):
            try:
                if httpx.get(url, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        lines = [
            "",
            "=" * 64,
            f"OneWindow is running at {url}",
            f"Demo logins (password: {DEMO_PASSWORD}):",
            *[f"  {username:<10} {label}" for username, _, label in DEMO_USERS],
            f"Review desk {url}review/  ·  admin {url}admin/  ·  API docs {url}api/docs/",
            "Press Ctrl-C to stop everything.",
            "=" * 64,
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
        # honcho stops every process when one exits, so the banner stays up.
        while True:
            time.sleep(3600)
