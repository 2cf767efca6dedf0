"""Retention: rejected, returned and abandoned applications lose their personal data after the
configured period; statistics stay."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from applications.models import Application, ApplicationStatus, Check, CheckOutcome, CheckStatus, Person, WorkItem
from applications.retention import ERASED_NAME, retention_sweep
from applications.tasks import retention_sweep_task
from audit.models import AuditEvent
from intake.selectors import applications_of_person
from intake.services import application_submit
from tests.conftest import CLEAN_PERSON, DISHONEST_PERSON, SECOND_PERSON, application_document, trusted_channel

pytestmark = pytest.mark.django_db

FINDING = {
    "rule": "dishonest_person",
    "outcome": "review",
    "message": f"法定代表人{DISHONEST_PERSON['name']}列入失信被执行人名单，转人工审核。",
    "message_en": f"The legal representative {DISHONEST_PERSON['name']} is on the list of dishonest judgment debtors.",
    "evidence": {"name": DISHONEST_PERSON["name"], "id_number": "110101********123X", "court": "深圳市南山区人民法院"},
}


def _application(person: dict, *, name: str, status: str, days_ago: float) -> Application:
    document = application_document(name=name, person=person)
    document["departments"] = ["market_regulation", "tax"]
    application = application_submit(document=document, presence_attested_by=trusted_channel()).application
    Application.objects.filter(pk=application.pk).update(
        status=status, outcome="reject", updated_at=timezone.now() - timedelta(days=days_ago)
    )
    return Application.objects.get(pk=application.pk)


def test_old_rejected_returned_and_abandoned_applications_are_erased_and_the_rest_kept():
    rejected = _application(DISHONEST_PERSON, name="深圳市远峰贸易有限公司", status="rejected", days_ago=31)
    returned = _application(SECOND_PERSON, name="深圳市青禾科技有限公司", status="returned", days_ago=40)
    abandoned = _application(CLEAN_PERSON, name="深圳市星河科技有限公司", status="manual_review", days_ago=45)
    recent = _application(CLEAN_PERSON, name="深圳市云帆科技有限公司", status="rejected", days_ago=29)
    completed = _application(CLEAN_PERSON, name="深圳市海岸科技有限公司", status="completed", days_ago=400)
    dispatching = _application(CLEAN_PERSON, name="深圳市鹏程科技有限公司", status="dispatching", days_ago=60)
    Check.objects.filter(application=rejected, library="dishonest").update(
        status=CheckStatus.DONE, outcome=CheckOutcome.REVIEW, findings=[FINDING]
    )

    result = retention_sweep()

    assert result.erased == 3
    for application in (rejected, returned, abandoned):
        application.refresh_from_db()
        assert application.personal_data_erased_at is not None
        for person in application.persons.all():
            assert (person.name, person.id_number, person.id_number_index, person.phone) == (ERASED_NAME, "", "", "")
    for application in (recent, completed, dispatching):
        application.refresh_from_db()
        assert application.personal_data_erased_at is None
        assert application.persons.filter(name=CLEAN_PERSON["name"]).exists()
        assert application.persons.get(role="legal_representative").id_number == CLEAN_PERSON["id_number"]

    # Kept for statistics: status, outcome, timestamps, company facts, checks and work items.
    rejected.refresh_from_db()
    assert (rejected.status, rejected.outcome, rejected.company_name) == (
        "rejected",
        "reject",
        "深圳市远峰贸易有限公司",
    )
    assert rejected.checks.count() == 4 and rejected.work_items.count() == 2
    assert rejected.updated_at < timezone.now() - timedelta(days=30), "the last-worked-on time is kept"
    finding = Check.objects.get(application=rejected, library="dishonest").findings[0]
    assert finding["rule"] == "dishonest_person" and finding["outcome"] == "review"
    assert DISHONEST_PERSON["name"] not in str(finding) and ERASED_NAME in finding["message"]
    assert finding["evidence"]["id_number"] == "110101********123X"
    assert AuditEvent.objects.filter(action="application.personal_data_erased").count() == 3

    # Nothing of the erased people is left to find, in the clear or through the index.
    assert not applications_of_person(id_number=DISHONEST_PERSON["id_number"]).exists()
    assert not applications_of_person(id_number=SECOND_PERSON["id_number"]).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM intake_person WHERE application_id IN (%s, %s, %s) AND "
            "(id_number <> '' OR phone <> '' OR id_number_index <> '')",
            [rejected.pk.hex, returned.pk.hex, abandoned.pk.hex]
            if connection.vendor == "sqlite"
            else [rejected.pk, returned.pk, abandoned.pk],
        )
        assert cursor.fetchone()[0] == 0


def test_the_sweep_is_idempotent_and_respects_the_configured_period():
    _application(DISHONEST_PERSON, name="深圳市远峰贸易有限公司", status="rejected", days_ago=10)

    assert retention_sweep().erased == 0
    with override_settings(PII_RETENTION_DAYS=7):
        assert retention_sweep().erased == 1
        first = Application.objects.get().personal_data_erased_at
        assert retention_sweep().erased == 0
    assert Application.objects.get().personal_data_erased_at == first
    assert AuditEvent.objects.filter(action="application.personal_data_erased").count() == 1


def test_an_application_that_moved_on_is_not_erased():
    application = _application(CLEAN_PERSON, name="深圳市远峰贸易有限公司", status="manual_review", days_ago=31)
    # A reviewer decided between the selection and the erasure: the application was touched.
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.DISPATCHING)

    assert retention_sweep().erased == 0
    assert Person.objects.filter(application=application, name=CLEAN_PERSON["name"]).exists()


def test_the_periodic_task_runs_the_sweep():
    _application(SECOND_PERSON, name="深圳市青禾科技有限公司", status="rejected", days_ago=31)

    assert retention_sweep_task.name == "privacy.retention_sweep"
    assert retention_sweep_task.apply().get() == 1
    assert WorkItem.objects.count() == 2
