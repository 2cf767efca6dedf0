from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from applications.models import Application, ApplicationStatus, Outcome


@dataclass(frozen=True)
class QueueRow:
    application: Application
    age: timedelta
    findings: list[dict]
    claimed_by: str


def review_queue(*, library: str = "", rule: str = "", older_than_hours: float | None = None) -> list[QueueRow]:
    """The manual-review backlog, oldest first, with the findings that sent each case here."""
    applications = (
        Application.objects.filter(status=ApplicationStatus.MANUAL_REVIEW)
        .select_related("review_case__claimed_by")
        .prefetch_related("checks")
        .order_by("decided_at")
    )
    if older_than_hours is not None:
        applications = applications.filter(decided_at__lte=timezone.now() - timedelta(hours=older_than_hours))
    now = timezone.now()
    rows = []
    for application in applications:
        findings = [
            finding
            for check in application.checks.all()
            if not library or check.library == library
            for finding in check.findings
            if finding.get("outcome") != "pass"
        ]
        if (library or rule) and not any(not rule or f.get("rule") == rule for f in findings):
            continue
        case = getattr(application, "review_case", None)
        rows.append(
            QueueRow(
                application=application,
                age=now - (application.decided_at or application.created_at),
                findings=findings,
                claimed_by=case.claimed_by.get_username() if case and case.claimed_by else "",
            )
        )
    return rows


def review_queue_filters() -> dict[str, list[str]]:
    """The libraries and rules present in the backlog, for the filter menus."""
    libraries: set[str] = set()
    rules: set[str] = set()
    for row in review_queue():
        for finding in row.findings:
            libraries.add(finding.get("library", ""))
            rules.add(finding.get("rule", ""))
    return {"libraries": sorted(libraries - {""}), "rules": sorted(rules - {""})}


def review_case(*, application_id: object) -> Application | None:
    """The application behind a case page, or None when the desk has no business with it.

    The case page shows full ID and phone numbers, so it opens only for applications that are
    or were in manual review: waiting there now, sent there by the checks, or decided at the
    desk. Any other application, however well its id is guessed, does not exist for a reviewer.
    """
    return (
        Application.objects.select_related("review_case__claimed_by", "corrects")
        .prefetch_related("checks", "persons", "work_items")
        .filter(id=application_id)
        .filter(
            Q(status=ApplicationStatus.MANUAL_REVIEW)
            | Q(auto_outcome=Outcome.REVIEW)
            | Q(review_case__decision__isnull=False)
        )
        .first()
    )
