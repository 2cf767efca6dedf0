from django.db.models import QuerySet

from intake.models import Application, ApplicationStatus


def review_queue() -> QuerySet[Application]:
    return (
        Application.objects.filter(status=ApplicationStatus.MANUAL_REVIEW)
        .prefetch_related("checks")
        .order_by("decided_at")
    )


def review_case(*, application_id: object) -> Application | None:
    return Application.objects.prefetch_related("checks", "persons", "work_items").filter(id=application_id).first()
