"""The verification page, the demo phone's inbox, the status panel, the reviewer's face page."""

import logging

import pytest
from django.test import Client as WebClient

from accounts.models import ApplicantProfile, Role
from accounts.services import user_create_with_role
from audit.models import AuditEvent
from identity.logging import RedactVerificationTokens
from identity.models import Verification
from identity.services import verification_link_send
from tests.conftest import CLEAN_PERSON, api_submit, application_document
from tests.identity.conftest import link_token, two_person_document

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def test_the_page_shows_what_the_person_consents_to_masked_with_no_inline_script(
    untrusted, libraries, registry_with_photos
):
    body = api_submit(untrusted, two_person_document())
    page = WebClient().get(body["verifications"][0]["link"])

    html = page.content.decode()
    assert page.status_code == 200
    assert "深圳市云帆科技有限公司" in html and "600000.00" in html and "法定代表人" in html
    assert CLEAN_PERSON["id_number"] not in html and CLEAN_PERSON["phone"] not in html
    assert "onewindow/verify.js" in html and "<script>" not in html.replace('<script id="verification-state"', "")
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]


def test_the_page_speaks_english_on_request(untrusted, libraries, registry_with_photos):
    body = api_submit(untrusted, application_document())
    html = WebClient().get(body["verifications"][0]["link"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SMS code" in html and "Face comparison" in html


def test_the_demo_inbox_shows_the_logged_in_users_phone(untrusted, libraries, registry_with_photos):
    body = api_submit(untrusted, two_person_document())
    for verification in Verification.objects.all():
        verification_link_send(verification_id=str(verification.id))
    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    ApplicantProfile.objects.create(user=user, **CLEAN_PERSON)
    client = WebClient()
    assert client.get("/demo/sms/").status_code == 302  # login first
    client.force_login(user)

    html = client.get("/demo/sms/").content.decode()

    assert body["verifications"][0]["link"] in html
    assert CLEAN_PERSON["phone"] not in html  # shown masked


def test_the_status_page_lists_who_is_missing(libraries, registry_with_photos):
    from intake.api.serializers import ApplicationInputSerializer
    from intake.services import application_submit

    user = user_create_with_role(username="founder", password=PASSWORD, role=Role.APPLICANT)
    serializer = ApplicationInputSerializer(data=two_person_document())
    serializer.is_valid(raise_exception=True)
    application = application_submit(document=serializer.validated_data, applicant=user).application
    client = WebClient()
    client.force_login(user)

    html = client.get(f"/applications/{application.id}/").content.decode()

    assert 'id="verifications-card"' in html and "onewindow/verifications.js" in html
    assert html.count('data-status="pending"') == 2
    assert "尚未完成核验的人员" in html


def test_link_tokens_never_reach_a_log_line():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Bad Request: %s",
        ("/api/v1/verifications/" + "a" * 43 + "/code/",),
        None,
    )
    RedactVerificationTokens().filter(record)
    assert record.getMessage() == "Bad Request: /api/v1/verifications/<token>/code/"


def test_the_reviewer_sees_both_pictures_side_by_side_and_the_view_is_audited(
    untrusted, anonymous, libraries, registry_with_photos, own_face
):
    import base64

    from applications.models import Application

    body = api_submit(untrusted, application_document())
    verification = Verification.objects.get()
    # A face distance near the threshold: what the face step records for a review.
    Verification.objects.filter(pk=verification.pk).update(
        face_outcome="review", face_distance=0.55, face_threshold=0.6, selfie=base64.b64encode(own_face).decode()
    )
    Application.objects.filter(pk=body["id"]).update(status="manual_review")
    reviewer = user_create_with_role(username="checker", password=PASSWORD, role=Role.REVIEWER)
    client = WebClient()
    client.force_login(reviewer)

    html = client.get(f"/review/{body['id']}/faces/").content.decode()

    assert f'id="selfie-{verification.id}"' in html and f'id="registry-{verification.id}"' in html
    assert "0.550" in html
    assert AuditEvent.objects.filter(application_id=body["id"], action="review.faces_viewed").exists()
    applicant = user_create_with_role(username="nosy", password=PASSWORD, role=Role.APPLICANT)
    client.force_login(applicant)
    assert client.get(f"/review/{body['id']}/faces/").status_code == 403


def test_a_decided_review_erases_the_kept_selfie(untrusted, libraries, registry_with_photos, own_face):
    import base64

    from applications.models import Application
    from workflow.services import review_decide

    body = api_submit(untrusted, application_document())
    Verification.objects.update(face_outcome="review", selfie=base64.b64encode(own_face).decode())
    Application.objects.filter(pk=body["id"]).update(status="manual_review", outcome="review")

    review_decide(
        application=Application.objects.get(pk=body["id"]), decision="reject", reason="不是本人", actor="user:r"
    )

    assert Verification.objects.get().selfie == ""
    assert AuditEvent.objects.filter(application_id=body["id"], action="verification.selfies_erased").exists()
    assert link_token(body["verifications"][0]["link"])
