import uuid

from audit.models import AuditEvent

SYSTEM = "system"


def audit_record(
    *, action: str, actor: str = SYSTEM, application_id: uuid.UUID | None = None, **data: object
) -> AuditEvent:
    """Appends an event. Callers pass IDs, states and reasons; never personal data."""
    return AuditEvent.objects.create(action=action, actor=actor, application_id=application_id, data=data)
