"""Events the audit log records for other apps: library publications arrive by signal."""

import pytest

from audit.models import AuditEvent
from audit.services import audit_seal_backlog, audit_verify

# The rules app announces publications with this signal from its own release on.
version_published = pytest.importorskip("rules.signals").version_published

pytestmark = pytest.mark.django_db

WORDS_CSV = "word,level,reason\n赌博,prohibited,违反公序良俗\n"


@pytest.mark.parametrize(("published_by", "actor"), [("deptadmin", "user:deptadmin"), ("", "system"), (None, "system")])
def test_a_published_library_version_is_recorded(published_by, actor):
    version_published.send(sender=None, kind="name_words", number=3, published_by=published_by)

    event = AuditEvent.objects.get(action="library.published")
    assert (event.actor, event.data) == (actor, {"kind": "name_words", "number": 3})
    assert audit_seal_backlog() == 1
    assert audit_verify().count == 1


def test_publishing_through_the_rules_service_is_recorded(django_capture_on_commit_callbacks):
    from rules.services import list_import

    with django_capture_on_commit_callbacks(execute=True):
        summary = list_import(kind="name_words", text=WORDS_CSV, publish=True, source="test")

    event = AuditEvent.objects.get(action="library.published")
    assert event.data == {"kind": "name_words", "number": summary.version}
    audit_seal_backlog()
    report = audit_verify()
    assert (report.intact, report.unsealed) == (True, 0)
    assert AuditEvent.objects.get(action="library.published").is_sealed
