"""One-time codes: 6 digits, a keyed hash only, 5 minutes, 5 tries, resend limits, brute force
(OWASP ASVS 4.0.3 §2.7, §2.2.1), and never a code in a log, a task, an audit event or an error."""

import logging
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from identity.models import CodeSend, Verification
from identity.services import Client, VerificationRefused, verification_check_code, verification_send_code
from tests.conftest import CLEAN_PERSON, api_submit, application_document
from tests.identity.conftest import latest_code, link_token
from workflow.models import OutboxMessage

pytestmark = pytest.mark.django_db

API = "/api/v1/verifications/"
HERE = Client(address="198.51.100.7")


@pytest.fixture
def verification(untrusted, libraries, registry_with_photos) -> Verification:
    api_submit(untrusted, application_document())
    return Verification.objects.get()


def _send(verification: Verification, client: Client = HERE) -> str:
    verification_send_code(verification_id=verification.id, phone=None, client=client)
    return latest_code(CLEAN_PERSON["phone"])


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_is_six_digits_stored_only_as_a_keyed_hash(verification):
    code = _send(verification)
    verification.refresh_from_db()

    assert len(code) == 6 and code.isdigit()
    assert code not in verification.code_hash and len(verification.code_hash) == 64
    assert verification.code_expires_at - verification.code_sent_at == timedelta(minutes=5)


def test_an_expired_code_is_refused_and_must_be_requested_again(verification):
    code = _send(verification)
    Verification.objects.filter(pk=verification.pk).update(code_expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(VerificationRefused) as refused:
        verification_check_code(verification_id=verification.id, code=code)

    assert refused.value.reason == "code_expired"
    verification.refresh_from_db()
    assert verification.code_verified_at is None and verification.code_hash == ""


def test_five_wrong_tries_lock_the_code_even_against_the_right_one(verification):
    code = _send(verification)
    reasons = []
    for _ in range(5):
        with pytest.raises(VerificationRefused) as refused:
            verification_check_code(verification_id=verification.id, code=_wrong(code))
        reasons.append(refused.value.reason)

    assert reasons == ["code_wrong"] * 4 + ["code_locked"]
    with pytest.raises(VerificationRefused) as refused:
        verification_check_code(verification_id=verification.id, code=code)
    assert refused.value.reason == "code_locked"
    # A new code (after the resend wait) works again.
    Verification.objects.filter(pk=verification.pk).update(code_sent_at=timezone.now() - timedelta(seconds=61))
    verification_check_code(verification_id=verification.id, code=_send(verification))
    verification.refresh_from_db()
    assert verification.code_verified_at is not None


def test_a_code_is_resent_at_most_once_a_minute(verification):
    _send(verification)
    with pytest.raises(VerificationRefused) as refused:
        _send(verification)
    assert refused.value.reason == "resend_too_soon" and 0 < refused.value.retry_after <= 60
    assert CodeSend.objects.count() == 1
    Verification.objects.filter(pk=verification.pk).update(code_sent_at=timezone.now() - timedelta(seconds=61))
    _send(verification)
    assert CodeSend.objects.count() == 2


def test_the_api_answers_a_resend_too_soon_with_retry_after(untrusted, anonymous, libraries, registry_with_photos):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])
    assert anonymous.post(f"{API}{token}/send-code/", {}, format="json").status_code == 202

    again = anonymous.post(f"{API}{token}/send-code/", {}, format="json")

    assert again.status_code == 400 and again.json()["reason"] == "resend_too_soon"
    assert 0 < int(again["Retry-After"]) <= 60


def test_a_phone_gets_at_most_ten_codes_a_day(verification):
    from privacy.crypto import keyed_digest

    phone_index = keyed_digest(f"phone:{CLEAN_PERSON['phone']}")
    CodeSend.objects.bulk_create(CodeSend(phone_index=phone_index, address_index=f"elsewhere-{i}") for i in range(10))

    with pytest.raises(VerificationRefused) as refused:
        _send(verification)
    assert refused.value.reason == "phone_daily_limit"
    CodeSend.objects.update(sent_at=timezone.now() - timedelta(days=1, minutes=1))
    _send(verification)


@override_settings(VERIFICATION_CODES_PER_ADDRESS_PER_HOUR=2, VERIFICATION_RESEND_SECONDS=0)
def test_one_client_address_gets_a_limited_number_of_codes(verification):
    _send(verification)
    _send(verification)
    with pytest.raises(VerificationRefused) as refused:
        _send(verification)
    assert refused.value.reason == "address_limit"
    _send(verification, Client(address="203.0.113.9"))


def test_the_verification_endpoints_are_throttled_per_address(untrusted, anonymous, libraries, registry_with_photos):
    body = api_submit(untrusted, application_document())
    token = link_token(body["verifications"][0]["link"])
    rates = {"api_client": "6000/min", "api_anonymous": "600/min", "verification_address": "3/hour"}
    from django.conf import settings

    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        answers = [anonymous.get(f"{API}{token}/").status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]


def test_a_brute_force_gets_five_guesses_per_code_and_fails_the_verification(verification):
    """10,000 guesses through the service: each code takes 5 wrong tries, then a new code must
    wait a minute; after 3 lockouts the verification fails, naming the one-time code."""
    counted = 0
    for lockout in range(3):
        if lockout:
            Verification.objects.filter(pk=verification.pk).update(code_sent_at=timezone.now() - timedelta(seconds=61))
        code = _send(verification)
        for guess in range(10_000):
            candidate = f"{guess:06d}"
            if candidate == code:
                continue
            try:
                verification_check_code(verification_id=verification.id, code=candidate)
            except VerificationRefused as refused:
                if refused.reason == "code_wrong":
                    counted += 1
                    continue
                if refused.reason == "code_locked" and counted % 5 == 4:
                    counted += 1
                break
    verification.refresh_from_db()
    assert counted == 15
    assert verification.status == "failed" and verification.failed_proof == "code"
    with pytest.raises(VerificationRefused) as refused:
        verification_check_code(verification_id=verification.id, code="000000")
    assert refused.value.reason == "failed"
    assert verification.application.__class__.objects.get(pk=verification.application_id).status == "checking"


def test_no_code_reaches_a_log_a_task_an_audit_event_or_an_error(verification, caplog, anonymous):
    caplog.set_level(logging.DEBUG)
    code = _send(verification)
    with pytest.raises(VerificationRefused) as refused:
        verification_check_code(verification_id=verification.id, code=_wrong(code))
    verification_check_code(verification_id=verification.id, code=code)

    assert code not in caplog.text
    assert code not in str(refused.value) and _wrong(code) not in str(refused.value)
    for event in AuditEvent.objects.all():
        assert code not in str(event.data)
    for message in OutboxMessage.objects.all():
        assert code not in str(message.kwargs)
