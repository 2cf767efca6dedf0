from intake.models import Application
from intake.selectors import application_document
from rules import engine


def recent_subjects(limit: int) -> list[tuple[str, engine.Subject, str | None]]:
    """The last decided applications as rule subjects, for a draft library's impact preview."""
    applications = (
        Application.objects.filter(auto_outcome__isnull=False, personal_data_erased_at__isnull=True)
        .prefetch_related("persons", "work_items")
        .order_by("-decided_at")[:limit]
    )
    return [
        (
            application.reference,
            engine.Subject.from_document(application_document(application=application)),
            application.auto_outcome,
        )
        for application in applications
    ]
