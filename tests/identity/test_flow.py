"""The whole proof of presence through the API, against the simulated carrier and public security."""

import pytest

from applications.models import Application
from audit.models import AuditEvent
from identity.models import PresenceStage, Verification
from identity.services import presence_lapse_overdue, verification_link_send
from tests.conftest import CLEAN_PERSON, SECOND_PERSON, api_submit, application_document
from tests.identity.conftest import latest_code, link_token, two_person_document
from workflow.models import OutboxMessage
from workflow.services import check_run

pytestmark = pytest.mark.django_db

API = "/api/v1/verifications/"


def _verify(anonymous, token: str, phone: str, image: bytes) -> dict:
    assert anonymous.post(f"{API}{token}/send-code/", {}, format="json").status_code == 202
    body = anonymous.post(f"{API}{token}/code/", {"code": latest_code(phone)}, format="json").json()
    assert body["steps"]["code"]["confirmed"] is True
    face = anonymous.post(f"{API}{token}/face/", {"image": _upload(image)}, format="multipart")
    assert face.status_code == 200, face.json()
    assert face.json()["outcome"] == "match"
    consent = anonymous.post(f"{API}{token}/consent/", {"consent": True}, format="json")
    assert consent.status_code == 200
    return consent.json()


def _upload(data: bytes, name: str = "selfie.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_a_new_application_waits_for_each_natural_person_once(untrusted, libraries, registry_with_photos):
    body = api_submit(untrusted, two_person_document())

    assert body["status"] == "awaiting_verification"
    assert body["checks"] == [] and body["departments"] == []
    people = body["verifications"]
    # The legal representative who is also a shareholder verifies once, for both roles.
    assert [(v["role"], v["roles"]) for v in people] == [
        ("legal_representative", ["legal_representative", "shareholder"]),
        ("shareholder", ["shareholder"]),
    ]
    assert {v["status"] for v in people} == {"pending"}
    assert people[0]["name"] == CLEAN_PERSON["name"][0] + "*" * (len(CLEAN_PERSON["name"]) - 1)
    assert all(v["link"].startswith("/verify/") and len(link_token(v["link"])) >= 43 for v in people)
    # Only a hash of each token is stored.
    for verification, entry in zip(Verification.objects.order_by("created_at", "position"), people, strict=True):
        assert link_token(entry["link"]) not in verification.token_hash
    # Each person's link goes out by SMS, from a task that carries the verification's id only.
    messages = OutboxMessage.objects.filter(task="identity.send_link")
    assert messages.count() == 2
    assert all(set(m.kwargs) == {"verification_id"} for m in messages)


def test_the_link_arrives_by_sms_and_the_whole_flow_starts_the_checks(
    untrusted, anonymous, libraries, registry_with_photos, own_face, other_face
):
    from exchange.presence import sms_inbox

    body = api_submit(untrusted, two_person_document())
    for verification in Verification.objects.all():
        verification_link_send(verification_id=str(verification.id))
    inbox = sms_inbox(phone=SECOND_PERSON["phone"])
    second_link = body["verifications"][1]["link"]
    assert any(second_link in message.text for message in inbox)

    first = link_token(body["verifications"][0]["link"])
    state = anonymous.get(f"{API}{first}/").json()
    assert state["next_step"] == "send_code"
    assert state["application"]["company"]["name"] == "深圳市云帆科技有限公司"
    assert [(r["role"], r["contribution"]) for r in state["roles"]] == [
        ("legal_representative", None),
        ("shareholder", "600000.00"),
    ]
    assert CLEAN_PERSON["id_number"] not in str(state) and CLEAN_PERSON["phone"] not in str(state)

    done = _verify(anonymous, first, CLEAN_PERSON["phone"], own_face)
    assert done["status"] == "verified"
    application = Application.objects.get()
    assert application.status == "awaiting_verification"
    status = untrusted.get(f"/api/v1/applications/{application.id}/").json()
    assert [v["status"] for v in status["verifications"]] == ["verified", "pending"]

    # The second shareholder's phone came with the document; their face is Grace Hopper's.
    _verify(anonymous, link_token(second_link), SECOND_PERSON["phone"], other_face)
    application.refresh_from_db()
    assert application.status == "checking"
    assert application.checks.count() == 4
    identity = application.checks.get(library="identity")
    check_run(check_id=identity.id)
    identity.refresh_from_db()
    assert identity.outcome == "pass"
    assert [f["rule"] for f in identity.findings] == ["presence_verified"]
    actions = set(AuditEvent.objects.filter(application_id=application.id).values_list("action", flat=True))
    assert {
        "presence.required",
        "verification.code_sent",
        "verification.face_compared",
        "presence.completed",
    } <= actions


def test_another_face_fails_three_times_and_the_identity_check_names_the_face(
    untrusted, anonymous, libraries, registry_with_photos, other_face
):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])
    anonymous.post(f"{API}{token}/send-code/", {}, format="json")
    anonymous.post(f"{API}{token}/code/", {"code": latest_code(CLEAN_PERSON["phone"])}, format="json")

    for tries_left in (2, 1, 0):
        answer = anonymous.post(f"{API}{token}/face/", {"image": _upload(other_face)}, format="multipart")
        assert answer.status_code == 400
        assert answer.json()["outcome"] == "no_match"
        assert answer.json()["errors"]["image"]
        assert (f"{tries_left} tries left" in answer.json()["message"]) == (tries_left > 0)

    verification = Verification.objects.get()
    assert verification.status == "failed" and verification.failed_proof == "face"
    assert verification.selfie == ""
    application = Application.objects.get()
    assert application.status == "checking"
    identity = application.checks.get(library="identity")
    check_run(check_id=identity.id)
    identity.refresh_from_db()
    assert identity.outcome == "reject"
    failed = [f for f in identity.findings if f["rule"] == "presence_failed"]
    assert failed and failed[0]["evidence"]["proof"] == "face"
    assert "人脸比对" in failed[0]["message"]


def test_no_face_and_two_faces_are_clear_errors_that_store_nothing(
    untrusted, anonymous, libraries, registry_with_photos, no_face, two_faces
):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])
    anonymous.post(f"{API}{token}/send-code/", {}, format="json")
    anonymous.post(f"{API}{token}/code/", {"code": latest_code(CLEAN_PERSON["phone"])}, format="json")

    empty = anonymous.post(f"{API}{token}/face/", {"image": _upload(no_face)}, format="multipart")
    assert empty.status_code == 400 and empty.json()["outcome"] == "no_face"
    assert "no face" in empty.json()["errors"]["image"][0]
    crowd = anonymous.post(f"{API}{token}/face/", {"image": _upload(two_faces)}, format="multipart")
    assert crowd.status_code == 400 and crowd.json()["outcome"] == "multiple_faces"
    verification = Verification.objects.get()
    assert (verification.face_attempts, verification.face_outcome, verification.selfie) == (0, "", "")


def test_a_non_image_and_a_20_mb_image_are_refused_with_field_errors(
    untrusted, anonymous, libraries, registry_with_photos
):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])
    anonymous.post(f"{API}{token}/send-code/", {}, format="json")
    anonymous.post(f"{API}{token}/code/", {"code": latest_code(CLEAN_PERSON["phone"])}, format="json")

    text = anonymous.post(f"{API}{token}/face/", {"image": _upload(b"%PDF-1.4 not a picture")}, format="multipart")
    assert text.status_code == 400 and text.json()["reason"] == "image_invalid"
    huge = anonymous.post(
        f"{API}{token}/face/", {"image": _upload(b"\xff\xd8" + b"0" * (20 * 1024 * 1024))}, format="multipart"
    )
    assert huge.status_code == 400 and huge.json()["reason"] == "image_too_large"
    assert "MB" in huge.json()["errors"]["image"][0]
    missing = anonymous.post(f"{API}{token}/face/", {}, format="multipart")
    assert missing.status_code == 400 and "image" in missing.json()["errors"]
    assert Verification.objects.get().face_attempts == 0


def test_a_phone_registered_to_someone_else_is_refused_without_repeating_personal_data(
    untrusted, anonymous, libraries, registry_with_photos
):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])

    answer = anonymous.post(f"{API}{token}/send-code/", {"phone": SECOND_PERSON["phone"]}, format="json")

    assert answer.status_code == 400
    assert answer.json()["reason"].startswith("carrier_")
    assert "phone" in answer.json()["errors"]
    text = str(answer.json())
    for value in (SECOND_PERSON["phone"], CLEAN_PERSON["phone"], CLEAN_PERSON["id_number"], CLEAN_PERSON["name"]):
        assert value not in text
    verification = Verification.objects.get()
    assert (verification.carrier_failures, verification.code_hash) == (1, "")


def test_the_steps_run_in_order_and_consent_must_be_given(
    untrusted, anonymous, libraries, registry_with_photos, own_face
):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])

    assert (
        anonymous.post(f"{API}{token}/face/", {"image": _upload(own_face)}, format="multipart").json()["reason"]
        == "code_first"
    )
    assert anonymous.post(f"{API}{token}/consent/", {"consent": True}, format="json").json()["reason"] == "face_first"
    assert anonymous.post(f"{API}{token}/code/", {"code": "12"}, format="json").status_code == 400
    anonymous.post(f"{API}{token}/send-code/", {}, format="json")
    anonymous.post(f"{API}{token}/code/", {"code": latest_code(CLEAN_PERSON["phone"])}, format="json")
    anonymous.post(f"{API}{token}/face/", {"image": _upload(own_face)}, format="multipart")
    refused = anonymous.post(f"{API}{token}/consent/", {"consent": False}, format="json")
    assert refused.status_code == 400 and "consent" in refused.json()["errors"]
    assert Verification.objects.get().status == "pending"


def test_an_unknown_link_is_404_and_an_expired_one_says_so(untrusted, anonymous, libraries, registry_with_photos):
    assert anonymous.get(f"{API}{'x' * 43}/").status_code == 404
    assert anonymous.get("/verify/not-a-token/").status_code == 404
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])
    PresenceStage.objects.update(deadline="2000-01-01T00:00:00Z")

    assert presence_lapse_overdue() == 1

    application = Application.objects.get()
    assert application.status == "lapsed"
    assert Verification.objects.get().status == "expired"
    state = anonymous.get(f"{API}{token}/").json()
    assert state["status"] == "expired" and state["next_step"] == "closed"
    refused = anonymous.post(f"{API}{token}/send-code/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["reason"] == "expired"
    assert untrusted.get(f"/api/v1/applications/{application.id}/").json()["verifications"][0]["status"] == "expired"
    assert AuditEvent.objects.filter(application_id=application.id, action="application.status_changed").exists()


def test_a_trusted_channel_attests_presence_and_the_findings_name_it(api_client_for, libraries, registry_with_photos):
    hall = api_client_for("bank-branch", attests_presence=True)

    body = api_submit(hall, application_document())

    assert body["status"] == "checking"
    assert body["verifications"] == []
    application = Application.objects.get()
    event = AuditEvent.objects.get(application_id=application.id, action="presence.attested")
    assert event.data["attested_by"] == "bank-branch"
    identity = application.checks.get(library="identity")
    check_run(check_id=identity.id)
    identity.refresh_from_db()
    assert identity.outcome == "pass"
    assert identity.findings[0]["rule"] == "presence_attested"
    assert identity.findings[0]["evidence"]["attested_by"] == "bank-branch"


def test_clients_are_not_trusted_by_default(db):
    from accounts.services import api_client_create

    client, _ = api_client_create(name="anyone")
    assert client.attests_presence is False


def test_the_create_api_client_command_marks_a_trusted_channel(db):
    import io

    from django.core.management import call_command

    from accounts.models import ApiClient

    out = io.StringIO()
    call_command("create_api_client", "service-hall", "--attests-presence", stdout=out)
    call_command("create_api_client", "plain", stdout=io.StringIO())
    assert ApiClient.objects.get(name="service-hall").attests_presence is True
    assert ApiClient.objects.get(name="plain").attests_presence is False
    assert len(out.getvalue().strip().splitlines()[-1]) >= 40


def test_verification_required_goes_to_the_integrator_with_masked_names(untrusted, libraries, registry_with_photos):
    from webhooks.models import WebhookDelivery

    created = untrusted.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hook", "events": ["verification.required"]}, format="json"
    )
    assert created.status_code == 201, created.json()

    api_submit(untrusted, two_person_document())

    delivery = WebhookDelivery.objects.get(event_type="verification.required")
    assert CLEAN_PERSON["name"] not in delivery.body and SECOND_PERSON["id_number"] not in delivery.body
    assert '"people"' in delivery.body and "awaiting_verification" in delivery.body


def test_retention_erases_a_lapsed_applications_verification_data(untrusted, libraries, registry_with_photos):
    from datetime import timedelta

    from django.utils import timezone

    from applications.retention import personal_data_erase, retention_cutoff

    body = api_submit(untrusted, application_document())
    PresenceStage.objects.update(deadline="2000-01-01T00:00:00Z")
    presence_lapse_overdue()
    Application.objects.filter(pk=body["id"]).update(updated_at=timezone.now() - timedelta(days=40))

    assert personal_data_erase(
        application_id=body["id"], cutoff=retention_cutoff(now=timezone.now(), retention_days=30)
    )
    verification = Verification.objects.get()
    assert (verification.phone, verification.selfie, verification.code_hash) == ("", "", "")
