"""Recovery of failed department filings: incomplete applications, an operator's resend, 409s."""

import json

import httpx
import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import user_create_with_role
from applications.models import Application, ApplicationStatus, WorkItem, WorkItemStatus
from audit.models import AuditEvent
from departments.models import MarketEnterprise, MarketRegulationRequest
from exchange import client as exchange_client
from exchange.models import ExchangeRecord, SentRequest, SharingPolicy
from tests.conftest import application_document
from tests.workflow.driver import department_configure, run_scheduled, submit
from workflow.resend import ResendRefused, work_item_resend
from workflow.services import UPSTREAM_FAILED

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
DEPENDANTS = {"tax", "public_security", "social_security", "housing_fund", "bank"}


@pytest.fixture(autouse=True)
def _one_attempt(settings):
    # The automatic retries run out at once: each failure is final, as after a day of retries.
    settings.WORKFLOW_MAX_ATTEMPTS = 1
    settings.DEPARTMENT_LATENCY_MS = "0"
    settings.DEPARTMENT_FAILURE_RATE = 0.0


@pytest.fixture
def operator(db: None):
    return user_create_with_role(username="operator", password=PASSWORD, role=Role.OPERATOR)


def _operator_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _statuses(application: Application) -> dict[str, str]:
    return dict(application.work_items.values_list("department", "status"))


def _incomplete_with_market_regulation_down(name: str) -> Application:
    department_configure("market_regulation", failure_rate=1.0)
    application = submit(application_document(name=name))
    run_scheduled()
    application.refresh_from_db()
    department_configure("market_regulation", failure_rate=0.0)
    return application


def test_a_failed_upstream_department_fails_its_dependants_and_the_application_is_incomplete(
    libraries, citizens, api_client_for
):
    application = _incomplete_with_market_regulation_down("深圳市晨曦科技有限公司")

    assert application.status == ApplicationStatus.INCOMPLETE
    items = {item.department: item for item in application.work_items.all()}
    assert items["market_regulation"].status == WorkItemStatus.FAILED
    assert items["market_regulation"].error.startswith("gave up after 1 attempts")
    assert {d for d, item in items.items() if item.error == UPSTREAM_FAILED} == DEPENDANTS
    assert all(items[d].status == WorkItemStatus.FAILED for d in DEPENDANTS)
    event = AuditEvent.objects.filter(application_id=application.id, action="application.status_changed").last()
    assert event.data["to"] == "incomplete"
    assert event.data["failed"] == sorted(items)


def test_the_applicant_sees_which_department_failed_why_and_what_happens_next(libraries, citizens, django_user_model):
    applicant = user_create_with_role(username="applicant", password=PASSWORD, role=Role.APPLICANT)
    department_configure("market_regulation", failure_rate=1.0)
    application = submit(application_document(name="深圳市晨光科技有限公司"), applicant=applicant)
    run_scheduled()

    client = Client()
    client.force_login(applicant)
    body = client.get(f"/applications/{application.id}/status.json").json()

    assert body["status"] == "incomplete"
    failures = {d["department"]: d["failure"] for d in body["departments"]}
    assert failures["market_regulation"] == "unavailable"
    assert {failures[d] for d in DEPENDANTS} == {"upstream"}
    page = client.get(f"/applications/{application.id}/").content.decode()
    assert 'id="incomplete-box"' in page
    # The words the page's script shows, in the page's labels.
    labels = json.loads(page.split('<script id="labels" type="application/json">')[1].split("</script>")[0])
    assert labels["status"]["incomplete"] == "部分部门办理失败"
    assert "重新报送" in labels["text"]["failure_unavailable"]
    assert "自动继续" in labels["text"]["failure_upstream"]
    english = client.get(f"/applications/{application.id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    labels = json.loads(english.split('<script id="labels" type="application/json">')[1].split("</script>")[0])
    assert labels["text"]["failure_upstream"].startswith("Market regulation failed")


def test_resending_the_upstream_department_re_dispatches_its_dependants_and_completes(libraries, citizens, operator):
    application = _incomplete_with_market_regulation_down("深圳市朝阳科技有限公司")
    market = application.work_items.get(department="market_regulation")

    response = _operator_client(operator).post(
        f"/dashboard/work-items/{market.pk}/resend/", {"reason": "市场监管系统已恢复"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DISPATCHING
    assert set(_statuses(application).values()) == {WorkItemStatus.PENDING}
    resent = AuditEvent.objects.filter(application_id=application.id, action="work_item.resent")
    assert sorted(e.data["department"] for e in resent) == sorted({"market_regulation", *DEPENDANTS})
    assert {e.actor for e in resent} == {"user:operator"}
    assert {e.data["reason"] for e in resent} == {"市场监管系统已恢复"}
    reopened = AuditEvent.objects.filter(application_id=application.id, action="application.status_changed").last()
    assert (reopened.data["from"], reopened.data["to"], reopened.actor) == (
        "incomplete",
        "dispatching",
        "user:operator",
    )

    run_scheduled()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    assert set(_statuses(application).values()) == {WorkItemStatus.DONE}
    assert application.credit_code == MarketEnterprise.objects.get(name="深圳市朝阳科技有限公司").credit_code


class AnswerLost(httpx.BaseTransport):
    """A network that delivers a request to the department and loses its answer, once."""

    def __init__(self, inner: httpx.BaseTransport, *, path: str) -> None:
        self.inner, self.path, self.lost = inner, path, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not self.lost and request.url.path.endswith(self.path):
            self.lost = True
            response.read()
            raise httpx.ReadError("connection reset after the request was delivered", request=request)
        return response


def test_a_resend_after_a_sharing_policy_change_sends_the_first_body_and_is_no_conflicting_repeat(
    libraries, citizens, operator, monkeypatch
):
    lossy = AnswerLost(exchange_client._in_process_transport(), path="/market_regulation/requests/")
    monkeypatch.setattr(
        "exchange.services.department_client",
        lambda: httpx.Client(base_url=exchange_client._IN_PROCESS_BASE_URL, transport=lossy),
    )
    application = submit(application_document(name="深圳市远航科技有限公司"))
    run_scheduled()
    application.refresh_from_db()
    market = application.work_items.get(department="market_regulation")
    # The department registered the company; the platform never heard, and gave up.
    assert application.status == ApplicationStatus.INCOMPLETE
    assert market.status == WorkItemStatus.FAILED
    registered = MarketEnterprise.objects.get(name="深圳市远航科技有限公司")

    # Meanwhile market regulation stops receiving the number of employees.
    policy = SharingPolicy.objects.get(department="market_regulation")
    policy.fields = [path for path in policy.fields if path != "company.employees"]
    policy.save()
    work_item_resend(work_item_id=market.pk, reason="网络中断，重新报送", actor="user:operator")
    run_scheduled()

    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED
    # The department's original answer, not a second registration.
    assert application.credit_code == registered.credit_code
    assert MarketEnterprise.objects.filter(name="深圳市远航科技有限公司").count() == 1
    sent = json.loads(SentRequest.objects.get(idempotency_key=market.idempotency_key).payload)
    assert sent["company"]["employees"] == 5
    assert MarketRegulationRequest.objects.get(idempotency_key=market.idempotency_key).request_body == sent
    codes = list(
        ExchangeRecord.objects.filter(application_id=application.id, department="market_regulation")
        .order_by("id")
        .values_list("status_code", flat=True)
    )
    assert codes == [None, 201]  # the lost answer, then the replayed one: never a 409


def test_a_409_for_a_repeated_key_is_reconciled_with_the_stored_answer(libraries, citizens):
    from exchange.client import DepartmentAuth, department_client
    from exchange.policy import payload_filter

    application = submit(application_document(name="深圳市恒星科技有限公司"))
    market = application.work_items.get(department="market_regulation")
    # Another body under the same key, as an earlier release sent it: it rebuilt the body on
    # every attempt, and the number of employees had been corrected in between.
    from applications.selectors import application_document as document_of

    earlier = payload_filter(
        document=document_of(application=application),
        paths=SharingPolicy.objects.get(department="market_regulation").fields,
    )
    earlier["company"]["employees"] = 4
    first = department_client().post(
        "market_regulation/requests/",
        json=earlier,
        headers={"Idempotency-Key": market.idempotency_key},
        auth=DepartmentAuth("market_regulation"),
    )
    assert first.status_code == 201

    run_scheduled()

    application.refresh_from_db()
    market.refresh_from_db()
    assert market.status == WorkItemStatus.DONE
    assert market.result == first.json()["result"]
    assert application.status == ApplicationStatus.COMPLETED
    record = ExchangeRecord.objects.filter(application_id=application.id, department="market_regulation").get()
    assert (record.status_code, record.outcome) == (409, "ok")


def test_a_resend_needs_a_reason_a_failed_item_and_a_done_upstream(libraries, citizens):
    application = _incomplete_with_market_regulation_down("深圳市天穹科技有限公司")
    market = application.work_items.get(department="market_regulation")
    tax = application.work_items.get(department="tax")

    with pytest.raises(ResendRefused, match="reason"):
        work_item_resend(work_item_id=market.pk, reason="  ", actor="user:operator")
    with pytest.raises(ResendRefused, match="upstream"):
        work_item_resend(work_item_id=tax.pk, reason="重试", actor="user:operator")
    work_item_resend(work_item_id=market.pk, reason="重试", actor="user:operator")
    with pytest.raises(ResendRefused, match="only a failed"):
        work_item_resend(work_item_id=market.pk, reason="再试", actor="user:operator")

    assert AuditEvent.objects.filter(action="work_item.resent").count() == 1 + len(DEPENDANTS)


def test_only_operators_resend_from_the_dashboard_and_they_see_the_failed_items(libraries, citizens, operator):
    application = _incomplete_with_market_regulation_down("深圳市银河科技有限公司")
    market = application.work_items.get(department="market_regulation")
    reviewer = user_create_with_role(username="reviewer", password=PASSWORD, role=Role.REVIEWER)

    refused = _operator_client(reviewer).post(f"/dashboard/work-items/{market.pk}/resend/", {"reason": "试试"})
    assert refused.status_code == 403
    page = _operator_client(operator).get("/dashboard/").content.decode()
    assert f'data-work-item="{market.pk}"' in page
    assert f'action="/dashboard/work-items/{market.pk}/resend/"' in page

    no_reason = _operator_client(operator).post(
        f"/dashboard/work-items/{market.pk}/resend/", {"reason": ""}, follow=True
    )
    assert "reason for the resend is required" in no_reason.content.decode()
    market.refresh_from_db()
    assert market.status == WorkItemStatus.FAILED


def test_the_admin_action_resends_with_the_reason_given(libraries, citizens, django_user_model):
    application = _incomplete_with_market_regulation_down("深圳市星辰科技有限公司")
    market = application.work_items.get(department="market_regulation")
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(admin)

    response = client.post(
        "/admin/applications/workitem/",
        {"action": "resend_failed", "_selected_action": [market.pk], "reason": "部门通知已恢复", "index": 0},
        follow=True,
    )

    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="work_item.resent", data__department="market_regulation").get()
    assert (event.actor, event.data["reason"]) == ("user:root", "部门通知已恢复")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DISPATCHING
    run_scheduled()
    assert WorkItem.objects.filter(application=application, status=WorkItemStatus.DONE).count() == 6
