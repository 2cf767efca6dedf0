"""The audit log in the admin: sealed events in chain order, then those awaiting sealing."""

import pytest

from audit.models import AuditEvent
from audit.services import audit_record, audit_seal

pytestmark = pytest.mark.django_db


def test_the_admin_lists_sealed_and_unsealed_events(admin_client):
    audit_record(action="application.submitted")
    audit_seal()
    audit_record(action="review.viewed")
    sealed, unsealed = AuditEvent.objects.all()

    response = admin_client.get("/admin/audit/auditevent/")
    page = response.content.decode()

    assert response.status_code == 200
    assert f"{sealed.hash[:12]}…" in page
    assert page.index("application.submitted") < page.index("review.viewed")
    assert admin_client.get(f"/admin/audit/auditevent/{unsealed.pk}/change/").status_code == 200
