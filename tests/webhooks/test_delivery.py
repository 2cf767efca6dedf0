"""Signed webhooks delivered to a real HTTP receiver: signatures, retries, 410, failing endpoints."""

import json
import re
from collections import defaultdict

import pytest
from django.db import transaction
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.conftest import CLEAN_PERSON, application_document
from tests.workflow.driver import run_scheduled, submit
from webhooks.events import EventType, mask_name, verification_required_record
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import delivery_attempt, delivery_resend, retry_delay_seconds

pytestmark = pytest.mark.django_db

ALL_EVENTS = list(EventType.values)


def _completed_application(integrator, name: str):
    application = submit(application_document(name=name), api_client=integrator.client)
    run_scheduled()
    application.refresh_from_db()
    assert application.status == "completed"
    return application


def test_every_event_of_a_completed_application_arrives_signed_and_without_personal_data(
    libraries, citizens, integrator, receiver
):
    endpoint = integrator.register(receiver.url, ALL_EVENTS)

    application = _completed_application(integrator, "深圳市澄澈科技有限公司")

    verifier = Webhook(endpoint["secret"])
    events = [verifier.verify(r.body, r.headers) for r in receiver.requests]
    types = [event["type"] for event in events]
    assert types.count("department.done") == 6
    assert types.count("application.completed") == 1
    changes = [e["data"]["status"] for e in events if e["type"] == "application.status_changed"]
    assert changes == ["checking", "dispatching", "completed"]
    completed = next(e for e in events if e["type"] == "application.completed")
    assert completed["data"] == {
        "application_id": str(application.id),
        "status": "completed",
        "previous_status": "dispatching",
        "credit_code": application.credit_code,
        "licence_number": application.work_items.get(department="market_regulation").result["license_number"],
    }
    assert re.fullmatch(r"\d{15}", completed["data"]["licence_number"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", completed["timestamp"])
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == len(receiver.requests)
    everything = b"".join(r.body for r in receiver.requests).decode()
    assert CLEAN_PERSON["id_number"] not in everything
    assert CLEAN_PERSON["phone"] not in everything
    assert CLEAN_PERSON["name"] not in everything


def test_a_tampered_body_or_another_secret_does_not_verify(libraries, citizens, integrator, receiver):
    endpoint = integrator.register(receiver.url, ["application.completed"])
    _completed_application(integrator, "深圳市明镜科技有限公司")
    (request,) = receiver.requests

    tampered = request.body.replace(b'"completed"', b'"rejected"', 1)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(tampered, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY").verify(request.body, request.headers)


def test_a_receiver_failing_three_times_then_succeeding_gets_each_event_once_under_one_webhook_id(
    libraries, citizens, integrator, receiver
):
    endpoint = integrator.register(receiver.url, ["application.completed", "department.done"])
    receiver.answers = [500, 503, 502]

    _completed_application(integrator, "深圳市坚韧科技有限公司")

    answers: dict[str, list[int]] = defaultdict(list)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for request in receiver.requests:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)
        answers[request.headers["webhook-id"]].append(int(request.headers["x-answered"]))
        bodies[request.headers["webhook-id"]].add(request.body)
    # Six departments and the completion: each accepted exactly once, after its failed tries,
    # every try of one event under one webhook-id with the same body.
    assert len(answers) == 7
    assert all(codes[-1] == 200 and codes.count(200) == 1 for codes in answers.values())
    assert sum(len(codes) for codes in answers.values()) == 7 + 3
    assert all(len(versions) == 1 for versions in bodies.values())
    assert len(receiver.accepted()) == 7

    log = integrator.api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()
    assert {d["webhook_id"]: [a["status_code"] for a in d["attempt_log"]] for d in log} == answers
    assert {d["status"] for d in log} == {"succeeded"}
    assert WebhookEndpoint.objects.get(pk=endpoint["id"]).consecutive_failures == 0


def test_410_gone_disables_the_endpoint_and_nothing_more_is_sent(libraries, citizens, integrator, receiver):
    endpoint = integrator.register(receiver.url, ["department.done"])
    receiver.answers = [410]

    _completed_application(integrator, "深圳市告别科技有限公司")

    assert len(receiver.requests) == 1
    stored = WebhookEndpoint.objects.get(pk=endpoint["id"])
    assert not stored.is_enabled
    assert "410" in stored.disabled_reason
    listed = integrator.api.get("/api/v1/webhooks/").json()
    assert listed[0]["enabled"] is False
    # The deliveries recorded before it was disabled are cancelled, not sent.
    assert WebhookDelivery.objects.filter(endpoint_id=endpoint["id"], status=DeliveryStatus.PENDING).count() == 0


def test_an_endpoint_that_keeps_failing_is_disabled_and_flagged(libraries, citizens, integrator, receiver, settings):
    settings.WEBHOOKS_DISABLE_AFTER_HOURS = 0
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    endpoint = integrator.register(receiver.url, ["application.completed"])
    receiver.answers = [500] * 10

    _completed_application(integrator, "深圳市屡败科技有限公司")

    assert len(receiver.requests) == 3
    stored = WebhookEndpoint.objects.get(pk=endpoint["id"])
    assert (stored.is_enabled, stored.is_failing, stored.consecutive_failures) == (False, True, 3)
    assert "3 consecutive failed attempts" in stored.disabled_reason
    delivery = WebhookDelivery.objects.get(endpoint_id=endpoint["id"])
    assert delivery.status == DeliveryStatus.FAILED


def test_an_address_that_became_private_is_refused_before_any_request(
    libraries, citizens, integrator, receiver, settings
):
    integrator.register(receiver.url, ["application.completed"])
    settings.WEBHOOKS_ALLOW_LOOPBACK = False

    _completed_application(integrator, "深圳市界线科技有限公司")

    assert receiver.requests == []
    stored = WebhookEndpoint.objects.get()
    assert not stored.is_enabled
    assert "loopback" in stored.disabled_reason


def test_a_rotated_secret_signs_with_both_secrets_for_a_while(libraries, citizens, integrator, receiver):
    endpoint = integrator.register(receiver.url, ["application.completed"])
    rotated = integrator.api.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != endpoint["secret"]

    _completed_application(integrator, "深圳市更新科技有限公司")

    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (endpoint["secret"], rotated["secret"]):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "application.completed"


def test_an_incomplete_application_and_its_failed_department_are_announced(
    libraries, citizens, integrator, receiver, settings
):
    from tests.workflow.driver import department_configure

    settings.WORKFLOW_MAX_ATTEMPTS = 1
    integrator.register(receiver.url, ["application.incomplete", "department.failed"])
    department_configure("bank", failure_rate=1.0)
    application = submit(application_document(name="深圳市缺角科技有限公司"), api_client=integrator.client)
    run_scheduled()

    events = [r.event for r in receiver.requests]
    assert [e["type"] for e in events] == ["department.failed", "application.incomplete"]
    assert events[0]["data"]["department"] == "bank"
    assert events[0]["data"]["failure"] == "unavailable"
    assert events[1]["data"] == {
        "application_id": str(application.id),
        "status": "incomplete",
        "previous_status": "dispatching",
        "failed_departments": ["bank"],
    }


def test_events_are_recorded_with_the_status_change_and_roll_back_with_it(libraries, integrator, receiver):
    integrator.register(receiver.url, ALL_EVENTS)

    with pytest.raises(RuntimeError), transaction.atomic():
        submit(application_document(name="深圳市回滚科技有限公司"), api_client=integrator.client)
        assert WebhookDelivery.objects.count() == 1  # submitted → checking
        raise RuntimeError("the submission fails after the status change")

    assert WebhookDelivery.objects.count() == 0


def test_an_operators_resend_uses_the_same_webhook_id(libraries, citizens, integrator, receiver):
    integrator.register(receiver.url, ["application.completed"])
    _completed_application(integrator, "深圳市重发科技有限公司")
    delivery = WebhookDelivery.objects.get()

    assert delivery_resend(delivery_id=delivery.pk, actor="user:operator")
    delivery_attempt(delivery_id=delivery.pk)

    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.message_id] * 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)


def test_verification_required_names_the_people_masked(libraries, integrator, receiver):
    integrator.register(receiver.url, ["verification.required"])
    application = submit(application_document(name="深圳市核验科技有限公司"), api_client=integrator.client)

    verification_required_record(application=application, people=application.persons.all())
    run_scheduled()

    (request,) = [r for r in receiver.requests if r.event["type"] == "verification.required"]
    people = request.event["data"]["people"]
    assert {p["name"] for p in people} == {mask_name(CLEAN_PERSON["name"])} == {"张*"}
    assert CLEAN_PERSON["name"] not in request.body.decode()


def test_the_backoff_grows_exponentially_with_jitter_and_is_capped(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 5.0
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 3600.0
    for attempt, ceiling in [(1, 5.0), (2, 10.0), (5, 80.0), (20, 3600.0)]:
        delays = [retry_delay_seconds(attempt=attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter: not the same wait every time


def test_the_delivery_log_carries_the_exact_body_sent(libraries, citizens, integrator, receiver):
    integrator.register(receiver.url, ["application.completed"])
    _completed_application(integrator, "深圳市原样科技有限公司")
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests[0].body.decode() == delivery.body
    assert json.loads(delivery.body)["type"] == "application.completed"


def test_the_admin_flags_failing_endpoints_and_resends_a_delivery(
    libraries, citizens, integrator, receiver, django_user_model
):
    from django.test import Client

    endpoint = integrator.register(receiver.url, ["application.completed"])
    receiver.answers = [410]
    _completed_application(integrator, "深圳市后台科技有限公司")
    admin = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    client = Client()
    client.force_login(admin)

    flagged = client.get("/admin/webhooks/webhookendpoint/?flagged=disabled").content.decode()
    assert receiver.url in flagged
    client.post(
        "/admin/webhooks/webhookendpoint/", {"action": "enable", "_selected_action": [endpoint["id"]], "index": 0}
    )
    delivery = WebhookDelivery.objects.get()
    response = client.post(
        "/admin/webhooks/webhookdelivery/", {"action": "resend", "_selected_action": [delivery.pk], "index": 0}
    )
    assert response.status_code == 302
    run_scheduled()

    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.message_id] * 2
    assert receiver.requests[-1].headers["x-answered"] == "200"
    page = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "410" in page and "200" in page
