from datetime import datetime, timedelta

from django.db.models import QuerySet

from intake.models import Application, ApplicationStatus

# Finished without a company: the personal data has no further use once the period is over.
FINISHED_WITHOUT_COMPANY = (ApplicationStatus.REJECTED, ApplicationStatus.RETURNED)
# Still open, but nobody has touched them for the whole period: abandoned.
OPEN_BEFORE_DISPATCH = (ApplicationStatus.SUBMITTED, ApplicationStatus.CHECKING, ApplicationStatus.MANUAL_REVIEW)
ERASABLE_STATUSES = (*FINISHED_WITHOUT_COMPANY, *OPEN_BEFORE_DISPATCH)


def retention_cutoff(*, now: datetime, retention_days: int) -> datetime:
    return now - timedelta(days=retention_days)


def applications_due_for_erasure(*, cutoff: datetime) -> QuerySet[Application]:
    """Rejected, returned or abandoned applications untouched since ``cutoff``, not yet erased.

    Completed and dispatching applications keep their data: a company exists, or is being set up.
    """
    return Application.objects.filter(
        status__in=ERASABLE_STATUSES, updated_at__lt=cutoff, personal_data_erased_at__isnull=True
    ).order_by("updated_at")
