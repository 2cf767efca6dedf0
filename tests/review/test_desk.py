"""The review desk: reviewers only, claims, one decision per case, a reason, and the three outcomes."""

import threading

import pytest
from django.db import connections

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import Application
from audit.models import AuditEvent
from intake.api.serializers import ApplicationInputSerializer
from intake.services import application_submit
from review.models import ReviewCase
from review.services import ReviewRefused, case_claim, case_decide
from tests.conftest import DISHONEST_PERSON, application_document, trusted_channel
from workflow.models import OutboxMessage
from workflow.services import check_run

PASSWORD = "a-long-test-password"


def _in_review() -> Application:
    # Approved cases go on to the departments, possibly after the test: a name of their own.
    serializer = ApplicationInputSerializer(
        data=application_document(name="深圳市长林咨询有限公司", person=DISHONEST_PERSON)
    )
    serializer.is_valid(raise_exception=True)
    application = application_submit(
        document=serializer.validated_data, presence_attested_by=trusted_channel()
    ).application
    for check in application.checks.all():
        check_run(check_id=check.id)
    application.refresh_from_db()
    assert application.status == "manual_review"
    return application


@pytest.fixture
def in_review(libraries, citizens) -> Application:
    return _in_review()


def _reviewer(username: str = "reviewer"):
    return user_create_with_role(username=username, password=PASSWORD, role=Role.REVIEWER)


def _login(client, role: Role) -> None:
    user_create_with_role(username=role.value, password=PASSWORD, role=role)
    client.login(username=role.value, password=PASSWORD)


@pytest.mark.django_db
def test_only_reviewers_reach_the_desk(client, in_review):
    _login(client, Role.APPLICANT)
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{in_review.id}/").status_code == 403
    assert client.post(f"/review/{in_review.id}/claim/").status_code == 403
    assert client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": "x"}).status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == "manual_review"
    assert not ReviewCase.objects.exists()


@pytest.mark.django_db
def test_the_queue_lists_the_case_with_its_findings_and_filters(client, in_review):
    _login(client, Role.REVIEWER)
    page = client.get("/review/").content.decode()
    assert in_review.reference in page
    assert in_review.reference in client.get("/review/?library=dishonest").content.decode()
    assert in_review.reference not in client.get("/review/?library=names").content.decode()
    assert in_review.reference not in client.get("/review/?older_than_hours=48").content.decode()


@pytest.mark.django_db
def test_the_case_page_shows_unmasked_data_and_records_each_view(client, in_review):
    _login(client, Role.REVIEWER)
    page = client.get(f"/review/{in_review.id}/").content.decode()
    client.get(f"/review/{in_review.id}/")

    assert DISHONEST_PERSON["id_number"] in page
    assert AuditEvent.objects.filter(application_id=in_review.id, action="review.viewed").count() == 2
    # Only the case page: the queue shows no personal data.
    assert DISHONEST_PERSON["id_number"] not in client.get("/review/").content.decode()


@pytest.mark.django_db
def test_a_decision_needs_a_claim_and_a_reason(client, in_review):
    _login(client, Role.REVIEWER)
    unclaimed = client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": "ok"})
    assert unclaimed.status_code == 400
    client.post(f"/review/{in_review.id}/claim/")
    no_reason = client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": " "})
    assert no_reason.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == "manual_review"


@pytest.mark.django_db
def test_another_reviewers_claim_blocks_the_case(in_review):
    first, second = _reviewer("first"), _reviewer("second")
    case_claim(application_id=in_review.id, reviewer=first)
    with pytest.raises(ReviewRefused):
        case_claim(application_id=in_review.id, reviewer=second)
    with pytest.raises(ReviewRefused):
        case_decide(application_id=in_review.id, reviewer=second, decision="reject", reason="no")


@pytest.mark.django_db
def test_approval_continues_to_the_departments_and_a_second_decision_is_refused(client, in_review):
    _login(client, Role.REVIEWER)
    client.post(f"/review/{in_review.id}/claim/")
    response = client.post(f"/review/{in_review.id}/", {"decision": "approve", "reason": "债务已履行完毕"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.outcome) == ("dispatching", "approve")
    assert OutboxMessage.objects.filter(task="workflow.call_department", queue="dept.market_regulation").exists()
    again = client.post(f"/review/{in_review.id}/", {"decision": "reject", "reason": "改主意"})
    assert again.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == "dispatching"


@pytest.mark.django_db
def test_return_for_correction_ends_this_application_as_returned(in_review):
    reviewer = _reviewer()
    case_claim(application_id=in_review.id, reviewer=reviewer)
    case_decide(application_id=in_review.id, reviewer=reviewer, decision="return", reason="请补充股东信息")
    in_review.refresh_from_db()
    assert in_review.status == "returned"
    assert in_review.review_case.reason == "请补充股东信息"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_reviewer", [True, False])
def test_two_concurrent_decisions_never_both_land(libraries, citizens, same_reviewer):
    application = _in_review()
    reviewers = [_reviewer("first"), _reviewer("first" if same_reviewer else "second")]
    case_claim(application_id=application.id, reviewer=reviewers[0])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(reviewer, decision: str) -> None:
        try:
            barrier.wait()
            case_decide(application_id=application.id, reviewer=reviewer, decision=decision, reason="并发测试")
            outcomes.append(decision)
        except ReviewRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    # Reject and return: neither leaves work for the session's workers after the test.
    threads = [
        threading.Thread(target=decide, args=(reviewers[0], "reject")),
        threading.Thread(target=decide, args=(reviewers[1], "return")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("refused") == 1
    decided = next(o for o in outcomes if o != "refused")
    application.refresh_from_db()
    assert application.status == ("rejected" if decided == "reject" else "returned")
    assert AuditEvent.objects.filter(application_id=application.id, action="review.decided").count() == 1
