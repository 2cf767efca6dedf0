"""Appends audit events from an OS process of its own, the way a Celery worker process does.

Usage: python tests/audit/append_worker.py LABEL COUNT
Prints "ready" once Django is set up, then waits for a line on stdin, so that a test can start
several of these at the same moment. Each event is appended in a transaction of its own.
"""

import os
import sys

import django


def main() -> None:
    label, count = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import transaction

    from audit.services import audit_record

    print("ready", flush=True)
    sys.stdin.readline()
    for step in range(count):
        with transaction.atomic():
            audit_record(action="work_item.done", worker=label, step=step)
    print("done", flush=True)


if __name__ == "__main__":
    main()
