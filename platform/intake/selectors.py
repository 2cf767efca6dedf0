import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import QuerySet

from accounts.models import ApiClient
from applications.models import Application, ApplicationStatus, Check, WorkItem
from applications.progress import ProgressWaiter, progress_subscription
from exchange.models import ExchangeRecord
from privacy.crypto import blind_index


def applications_for_client(*, client: ApiClient) -> QuerySet[Application]:
    return Application.objects.filter(api_client=client)


def applications_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Application]:
    if not user.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(applicant=user)


def application_with_progress(*, queryset: QuerySet[Application], application_id: object) -> Application | None:
    """One application with its checks, work items and presence stage, or None when the caller
    may not see it."""
    return (
        queryset.select_related("presence").prefetch_related("checks", "work_items").filter(id=application_id).first()
    )


def applications_of_person(*, id_number: str) -> QuerySet[Application]:
    """Every application naming this person in any role, found through the blind index: the
    stored ID numbers are encrypted and cannot be compared."""
    index = blind_index(id_number)
    if not index:
        return Application.objects.none()
    return Application.objects.filter(persons__id_number_index=index).distinct()


def application_progress_etag(*, queryset: QuerySet[Application], application_id: object) -> str | None:
    """A validator that changes whenever anything the status document shows changes.

    One indexed query: the application's own timestamp and status, and the newest change among
    its checks, work items and exchange records. None when the caller may not see it.

    Long polls run it on every wake-up, so it is one hand-written statement around the
    caller's scope (compiled from a plain filter, which costs far less than the ORM's
    subquery annotations).
    """
    return _progress_probe(queryset=queryset, application_id=application_id)()[0]


def _progress_probe(
    *, queryset: QuerySet[Application], application_id: object
) -> Callable[[], tuple[str | None, str | None]]:
    """A reader of the ETag and the application's status, one statement each call ((None, None)
    when the caller may not see it). The caller's scope is compiled once: a long poll re-reads
    on every wake-up, and compiling the scope cost more CPU than running the statement."""
    scope_sql, scope_params = queryset.filter(id=application_id).values("id").query.sql_with_params()
    sql = _PROGRESS_ETAG_SQL.format(scope=scope_sql)

    def probe() -> tuple[str | None, str | None]:
        with connection.cursor() as cursor:
            cursor.execute(sql, scope_params)
            row = cursor.fetchone()
        if row is None:
            return None, None
        return '"' + hashlib.sha256(repr(row).encode()).hexdigest()[:32] + '"', row[0]

    return probe


_PROGRESS_ETAG_SQL = (
    "SELECT a.status, a.updated_at,"
    f" (SELECT MAX(c.updated_at) FROM {Check._meta.db_table} c WHERE c.application_id = a.id),"
    f" (SELECT MAX(w.updated_at) FROM {WorkItem._meta.db_table} w WHERE w.application_id = a.id),"
    f" (SELECT MAX(e.id) FROM {ExchangeRecord._meta.db_table} e WHERE e.application_id = a.id)"
    f" FROM {Application._meta.db_table} a WHERE a.id IN ({{scope}})"
)


def application_progress_wait(
    *, queryset: QuerySet[Application], application_id: object, etag: str, timeout: float
) -> str | None:
    """Waits until the application's ETag differs from `etag` or `timeout` passes; the newest ETag.

    The request sleeps on the application's change notices and re-reads its one indexed row only
    when woken (or every PROGRESS_RECHECK_SECONDS, in case a notice was lost).
    """
    deadline = time.monotonic() + timeout
    probe = _progress_probe(queryset=queryset, application_id=application_id)
    with progress_subscription(application_id=application_id) as waiter:
        current, status = probe()
        while current == etag and (left := deadline - time.monotonic()) > 0:
            woken = waiter.wait(min(left, settings.PROGRESS_RECHECK_SECONDS))
            current, now = probe()
            if woken and current != etag and now == status:
                # A check or department moved: they come in bursts (the departments answer
                # within moments of each other), so one answer for the burst, not one per change.
                settled = min(deadline, time.monotonic() + settings.PROGRESS_SETTLE_SECONDS)
                current = _burst_end(waiter, probe, status=status, until=settled)
            status = now
    return current


def _burst_end(
    waiter: ProgressWaiter, probe: Callable[[], tuple[str | None, str | None]], *, status: str | None, until: float
) -> str | None:
    """The ETag once a burst of progress has settled (at `until`), or as soon as the application
    stops where its client waits (completed, rejected, to a reviewer…), even in mid-burst. A step
    on the way (decided, dispatching) waits with the burst: under load, answering each one at
    once cost a tenth more status requests per application."""
    while (left := until - time.monotonic()) > 0:
        if waiter.wait(left):
            current, now = probe()
            if now != status and now in PIPELINE_STOPS:
                return current
    return probe()[0]


# Where the pipeline stops on its own: an end, or a wait for a person (verification, a reviewer,
# an operator's resend of a failed department).
PIPELINE_STOPS = frozenset(
    {
        *Application.TERMINAL,
        ApplicationStatus.AWAITING_VERIFICATION,
        ApplicationStatus.MANUAL_REVIEW,
        ApplicationStatus.INCOMPLETE,
    }
)
