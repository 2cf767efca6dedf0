"""A rejected or returned application can be corrected: prefilled, resubmitted, linked, checked again."""

import pytest

from accounts.models import ApplicantProfile, Role
from accounts.services import user_create_with_role
from applications.models import Application
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from tests.conftest import CLEAN_PERSON, application_document, everyone_verified, trusted_channel
from workflow.models import OutboxMessage
from workflow.services import check_run

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _rejected_for(user) -> Application:
    serializer = ApplicationInputSerializer(data=application_document(name="深圳市色情文化有限公司"))
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, applicant=user, presence_attested_by=trusted_channel()
    ).application
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    assert application.status == "rejected"
    return application


@pytest.fixture
def founder(client):
    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    ApplicantProfile.objects.create(user=user, **CLEAN_PERSON)
    client.login(username="founder", password=PASSWORD)
    return user


def test_the_form_is_prefilled_from_the_rejected_application(client, founder, libraries, citizens):
    old = _rejected_for(founder)

    page = client.get(f"/apply/?from={old.id}").content.decode()

    assert "深圳市色情文化有限公司" in page
    assert f'name="corrects" value="{old.id}"' in page


def test_the_corrected_application_is_linked_and_checked_again(client, founder, libraries, citizens):
    old = _rejected_for(founder)
    OutboxMessage.objects.all().delete()
    post = {
        "corrects": str(old.id),
        "company.name": "深圳市澄明文化有限公司",
        "company.address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        "company.business_scope": "文化活动策划",
        "company.registered_capital": "1000000.00",
        "legal_representative.name": CLEAN_PERSON["name"],
        "legal_representative.id_number": CLEAN_PERSON["id_number"],
        "legal_representative.phone": CLEAN_PERSON["phone"],
        "shareholders.0.name": CLEAN_PERSON["name"],
        "shareholders.0.id_number": CLEAN_PERSON["id_number"],
        "shareholders.0.contribution": "1000000.00",
        "shareholder_count": "1",
        "departments": ["market_regulation", "tax"],
    }

    response = client.post("/apply/", post)

    assert response.status_code == 302
    new = Application.objects.exclude(pk=old.pk).get()
    assert new.corrects == old
    # The applicant verifies in the same flow, on their own verification page; then it is checked.
    assert response["Location"].startswith("/verify/")
    assert new.status == "awaiting_verification"
    assert not OutboxMessage.objects.filter(task="workflow.run_checks").exists()
    everyone_verified(new)
    new.refresh_from_db()
    assert new.status == "checking"
    assert OutboxMessage.objects.filter(task="workflow.run_checks", kwargs={"application_id": str(new.pk)}).count() == 1


def test_someone_elses_or_an_unfinished_application_cannot_be_corrected(client, founder, libraries, citizens):
    other = user_create_with_role(username="other", password=PASSWORD, role=Role.APPLICANT)
    theirs = _rejected_for(other)
    assert client.get(f"/apply/?from={theirs.id}").status_code == 404
    assert client.get("/apply/?from=not-a-uuid").status_code == 404
