"""EXPLAIN of every hot-path query, against a database with history (see `seed_history`).

    DATABASE_URL=postgres://… .venv/bin/python manage.py seed_history --count 1000000
    DATABASE_URL=postgres://… .venv/bin/python bench/explain.py

Prints each query's plan (EXPLAIN ANALYZE) and ends with the list of queries that read a table
of the aggregate by sequential scan; the cost of an application must not grow with history, so
that list should be empty.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT / "platform"), str(REPO_ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application, ApplicationStatus, Check, CheckStatus, WorkItem  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from exchange.models import ExchangeRecord  # noqa: E402
from intake.selectors import application_progress_etag  # noqa: E402
from workflow.models import OutboxMessage  # noqa: E402

AGGREGATE_TABLES = ("intake_application", "intake_person", "workflow_check", "workflow_workitem")


def hot_path_queries(sample: Application) -> dict[str, QuerySet]:
    deadline = timezone.now() - timedelta(seconds=20)
    return {
        "claim a check (FOR UPDATE OF, with its application)": Check.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(pk=sample.checks.first().pk),
        "fan-in: the application's check statuses": Check.objects.filter(application=sample).values_list(
            "status", "outcome"
        ),
        "dispatch: the application's work items": WorkItem.objects.filter(application=sample),
        "document: the application's persons": sample.persons.all(),
        "idempotency key of a client": Application.objects.filter(api_client=sample.api_client, idempotency_key="k"),
        "a client's recent applications": Application.objects.filter(api_client=sample.api_client).order_by(
            "-created_at"
        )[:100],
        "exchange log of an application": ExchangeRecord.objects.filter(application_id=sample.id),
        "sweeper: stuck checks": Check.objects.filter(
            status__in=(CheckStatus.PENDING, CheckStatus.RUNNING),
            updated_at__lt=deadline,
            application__status=ApplicationStatus.CHECKING,
        ),
        "sweeper: stuck applications": Application.objects.filter(
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKING, ApplicationStatus.DISPATCHING),
            updated_at__lt=deadline,
        ).order_by("updated_at")[:500],
        "outbox relay: due messages": OutboxMessage.objects.filter(
            published_at__isnull=True, available_at__lte=timezone.now()
        ).order_by("available_at", "id")[:500],
        "audit sequencer: unsealed events": AuditEvent.objects.filter(sequence__isnull=True).order_by("id")[:5000],
    }


def main() -> None:
    sample = Application.objects.filter(checks__isnull=False, api_client__isnull=False).first()
    sample = sample or Application.objects.filter(checks__isnull=False).first()
    if sample is None:
        sys.exit("no application with checks: run `manage.py seed_history` (and some real applications) first")
    print(f"{Application.objects.count():,} applications in {connection.vendor}")
    scans: list[str] = []
    for label, queryset in hot_path_queries(sample).items():
        with transaction.atomic():  # FOR UPDATE needs one; nothing is written
            plan = queryset.explain(analyze=connection.vendor == "postgresql")
        print(f"\n-- {label}\n{plan}")
        if any(f"Seq Scan on {table}" in plan for table in AGGREGATE_TABLES):
            scans.append(label)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + _etag_sql(sample))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"\n-- status ETag (one query)\n{plan}")
    if any(f"Seq Scan on {table}" in plan for table in AGGREGATE_TABLES):
        scans.append("status ETag")
    print("\nsequential scans of the aggregate on the hot path:", ", ".join(scans) or "none")


def _etag_sql(sample: Application) -> str:
    # The ETag statement as application_progress_etag runs it, with its parameters inlined.
    captured: list[str] = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: (
            captured.append(cursor_sql(sql, params)) or execute(sql, params, many, context)
        )
    ):
        application_progress_etag(queryset=Application.objects.all(), application_id=sample.id)
    return captured[0]


def cursor_sql(sql: str, params: object) -> str:
    # The backend's own quoting: with server-side binding the cursor has no mogrify of its own,
    # and formatting the parameters in by hand would leave a UUID unquoted.
    return connection.ops.compose_sql(sql, params)


if __name__ == "__main__":
    main()
