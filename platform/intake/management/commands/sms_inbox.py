"""``sms_inbox PHONE``: the simulated phone's latest messages, newest first, one per line (CONTRACT §7).

The messages live in the mobile carrier simulator's own store; they are read over signed HTTP,
like any other call to it. Printed on stdout only: the command logs nothing.
"""

import re

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from exchange.presence import sms_inbox
from exchange.services import DepartmentRequestRefused, DepartmentUnavailable

MOBILE = re.compile(r"1[3-9]\d{9}")


class Command(BaseCommand):
    help = "Prints the simulated phone's latest SMS messages (mobile carrier simulator), newest first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("phone", help="an 11-digit mainland mobile number")
        parser.add_argument("--limit", type=int, default=20, help="how many messages (1-100, default 20)")

    def handle(self, *args: object, phone: str, limit: int, **options: object) -> None:
        phone = phone.strip()
        if not MOBILE.fullmatch(phone):
            # The value is not repeated: it may be someone's number, mistyped.
            raise CommandError("PHONE must be an 11-digit mainland mobile number / 手机号码应为11位大陆手机号")
        if not 1 <= limit <= 100:
            raise CommandError("--limit must be between 1 and 100")
        try:
            messages = sms_inbox(phone=phone, limit=limit)
        except DepartmentUnavailable as error:
            raise CommandError(f"the carrier could not be reached: {error}") from error
        except DepartmentRequestRefused as error:
            raise CommandError(f"the carrier refused the request: {error}") from error
        for message in messages:
            sent = timezone.localtime(message.sent_at).isoformat(timespec="seconds")
            text = " ".join(message.text.split())  # one message, one line
            self.stdout.write(f"{sent}  {text}")
