"""The desk's edges: hostile queue filters are a 400, and the case page (full personal data) opens
only for applications that are or were in manual review."""

import pytest

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import Application
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from review.services import case_claim, case_decide
from tests.conftest import CLEAN_PERSON, application_document, trusted_channel
from tests.review.test_desk import PASSWORD, _in_review
from workflow.services import check_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client):
    user_create_with_role(username="reviewer", password=PASSWORD, role=Role.REVIEWER)
    client.login(username="reviewer", password=PASSWORD)
    return client


@pytest.mark.parametrize("hours", ["inf", "nan", "-inf", "1e20", "-1", "abc", "9" * 400])
def test_a_hostile_age_filter_is_a_400_with_a_message(reviewer_client, hours):
    response = reviewer_client.get("/review/", {"older_than_hours": hours})
    assert response.status_code == 400
    assert 'data-error-for="older_than_hours"' in response.content.decode()


def test_a_sensible_age_filter_works(reviewer_client, libraries, citizens):
    application = _in_review()
    assert application.reference in reviewer_client.get("/review/", {"older_than_hours": "0"}).content.decode()
    assert application.reference not in reviewer_client.get("/review/", {"older_than_hours": "2.5"}).content.decode()


def _submitted(name: str) -> Application:
    serializer = ApplicationInputSerializer(data=application_document(name=name, person=CLEAN_PERSON))
    serializer.is_valid(raise_exception=True)
    return application_submit(document=serializer.validated_data, presence_attested_by=trusted_channel()).application


def _checked(name: str) -> Application:
    application = _submitted(name)
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    return application


def test_the_case_page_of_an_application_that_never_went_to_review_is_404(reviewer_client, libraries, citizens):
    submitted = _submitted("深圳市朗润科技有限公司")
    approved = _checked("深圳市青禾科技有限公司")
    rejected = _checked("深圳市赌博科技有限公司")
    assert (submitted.status, approved.auto_outcome, rejected.status) == ("checking", "approve", "rejected")
    for application in (submitted, approved, rejected):
        response = reviewer_client.get(f"/review/{application.id}/")
        assert response.status_code == 404, application.status
        assert CLEAN_PERSON["id_number"] not in response.content.decode()
        assert reviewer_client.post(f"/review/{application.id}/claim/").status_code in (302, 404)
        assert not hasattr(Application.objects.get(pk=application.pk), "review_case")


def test_the_case_page_stays_open_for_a_case_in_review_and_after_its_decision(reviewer_client, libraries, citizens):
    application = _in_review()
    assert reviewer_client.get(f"/review/{application.id}/").status_code == 200
    reviewer = user_create_with_role(username="second", password=PASSWORD, role=Role.REVIEWER)
    case_claim(application_id=application.id, reviewer=reviewer)
    case_decide(application_id=application.id, reviewer=reviewer, decision="reject", reason="名单在册")
    assert Application.objects.get(pk=application.pk).status == "rejected"
    assert reviewer_client.get(f"/review/{application.id}/").status_code == 200
