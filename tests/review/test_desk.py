"""The minimal review desk: reviewers only, a reason required, approval continues the pipeline."""

import pytest

from accounts.models import Role
from accounts.services import user_create_with_role
from intake.api.serializers import ApplicationInputSerializer
from intake.models import Application
from intake.services import application_submit
from tests.conftest import DISHONEST_PERSON, application_document
from workflow.models import OutboxMessage
from workflow.services import check_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(libraries, citizens) -> Application:
    serializer = ApplicationInputSerializer(data=application_document(person=DISHONEST_PERSON))
    serializer.is_valid(raise_exception=True)
    application = application_submit(document=serializer.validated_data).application
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    assert application.status == "manual_review"
    return application


def _login(client, role: Role) -> None:
    user_create_with_role(username=role.value, password="a-long-test-password", role=role)
    client.login(username=role.value, password="a-long-test-password")


def test_only_reviewers_reach_the_desk(client, in_review):
    _login(client, Role.APPLICANT)
    assert client.get("/review/").status_code == 403
    assert client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": "x"}).status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == "manual_review"


def test_the_queue_lists_the_case_with_its_findings(client, in_review):
    _login(client, Role.REVIEWER)
    page = client.get("/review/").content.decode()
    assert in_review.reference in page
    case = client.get(f"/review/{in_review.id}/").content.decode()
    assert "dishonest" in case
    assert DISHONEST_PERSON["id_number"] not in case


def test_a_decision_needs_a_reason(client, in_review):
    _login(client, Role.REVIEWER)
    response = client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": " "})
    assert response.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == "manual_review"


def test_approval_continues_to_the_departments_and_rejection_ends_it(client, in_review):
    _login(client, Role.REVIEWER)
    response = client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": "债务已履行完毕"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.outcome) == ("dispatching", "approve")
    assert OutboxMessage.objects.filter(task="workflow.call_department", queue="dept.market_regulation").exists()
    # A second decision on the same case is refused.
    again = client.post(f"/review/{in_review.id}/", {"decision": "reject", "reason": "改主意"})
    assert again.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == "dispatching"
