"""Proof of presence: who must verify, the steps of each verification, and when the checks start.

The steps of one verification, in order (each refused until the one before is done):
1. the carrier confirms that the phone is registered to the person's name and ID number, and
   a 6-digit one-time code is sent to it by SMS;
2. the person enters the code;
3. a selfie is compared with the registry photo by public security;
4. the person consents to the application.

The application waits in `awaiting_verification` until every verification is `verified`, then
the checks start (`workflow.services.pipeline_start`, as an application without this stage
starts them at submit). A verification that fails for good (carrier, code, face) starts them
at once: the identity library then rejects, naming the proof that failed. An application whose
principals have not all verified by the deadline lapses.

HTTP calls (carrier, SMS, face) never run inside a transaction, and nothing personal (a phone
number, an ID number, a code, an image) goes into a log, a task argument, an audit event or an
error message.
"""

from __future__ import annotations

import base64
import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiClient
from applications.models import Application, ApplicationStatus, Person, PersonRole
from applications.retention import ERASED_NAME
from applications.transitions import Change, transition
from audit.services import audit_record
from config.bulk import rows_insert
from identity import ports
from identity.models import CodeSend, FaceOutcome, PresenceStage, Proof, Verification, VerificationStatus
from identity.tokens import code_digest, code_generate, code_matches, token_digest, verification_token
from privacy.crypto import keyed_digest
from rules.identifiers import canonical_id_number, is_mobile_number
from webhooks.events import verification_required_record
from workflow.outbox import TaskMessage, outbox_enqueue_many
from workflow.services import pipeline_start

logger = logging.getLogger(__name__)

SEND_LINK_TASK = "identity.send_link"
# The first role a person holds names their verification; every role is listed with it.
ROLE_ORDER = (PersonRole.LEGAL_REPRESENTATIVE, PersonRole.HANDLER, PersonRole.SHAREHOLDER)
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")


class VerificationRefused(Exception):
    """A step refused: `field` names the input at fault (or "non_field_errors"), `message` says
    why in Chinese and English, `reason` is a stable code for programs. Never personal data."""

    def __init__(self, *, field: str, message: str, reason: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.reason = reason
        self.retry_after = retry_after


class VerificationUnavailable(Exception):
    """The carrier or public security could not be reached; nothing was stored, try again."""


# --- Opening the stage (in the submit transaction) ---------------------------------------------


def presence_begin(
    *,
    application: Application,
    departments: list[str],
    attested_by: ApiClient | None = None,
    agent: object | None = None,
    filer_id_number: str = "",
    actor: str,
) -> None:
    """Opens the proof-of-presence stage of a new application; runs in the submit transaction.

    A channel trusted to attest presence (`ApiClient.attests_presence`) skips the SMS and face
    steps: the checks start at once, and the audit log and the findings record who attested.
    Otherwise one verification per natural person in a signing role is created, the application
    waits in `awaiting_verification`, and each person but the filer (`filer_id_number`, who
    verifies in the same flow) gets their link by SMS.
    """
    if attested_by is not None and not attested_by.attests_presence:
        raise ValueError("only a client marked attests_presence can attest presence")
    attested = attested_by is not None
    now = timezone.now()
    stage = PresenceStage(
        application=application,
        departments=list(departments),
        attested_by=attested_by,
        agent=agent,
        checks_started_at=now if attested else None,
        summary={"attested_by": attested_by.name, "people": []} if attested else None,
        deadline=None if attested else now + timedelta(days=settings.VERIFICATION_DEADLINE_DAYS),
    )
    rows_insert([stage])
    if attested:
        audit_record(
            action="presence.attested", actor=actor, application_id=application.id, attested_by=attested_by.name
        )
        pipeline_start(application=application, departments=stage.departments)
        return
    verifications = _verifications_create(application=application)
    transition(application, ApplicationStatus.AWAITING_VERIFICATION, actor=actor)
    filer = canonical_id_number(filer_id_number)
    outbox_enqueue_many(
        [
            TaskMessage(task=SEND_LINK_TASK, queue="pipeline", kwargs={"verification_id": str(v.id)})
            for v in verifications
            if v.phone and canonical_id_number(v.person.id_number) != filer
        ]
    )
    audit_record(
        action="presence.required",
        actor=actor,
        application_id=application.id,
        verifications=[{"id": str(v.id), "roles": v.roles} for v in verifications],
        deadline=stage.deadline.isoformat(),
    )
    verification_required_record(application=application, people=[v.person for v in verifications])


def _verifications_create(*, application: Application) -> list[Verification]:
    persons = sorted(
        Person.objects.filter(application=application),
        key=lambda p: (ROLE_ORDER.index(p.role), p.position),
    )
    grouped: dict[str, list[Person]] = {}
    for person in persons:
        grouped.setdefault(canonical_id_number(person.id_number) or f"row:{person.pk}", []).append(person)
    verifications = []
    for people in grouped.values():
        first = people[0]
        verification_id = uuid.uuid4()
        verifications.append(
            Verification(
                id=verification_id,
                application=application,
                person=first,
                role=first.role,
                position=first.position,
                roles=[{"role": p.role, "position": p.position} for p in people],
                token_hash=token_digest(verification_token(verification_id)),
                phone=next((p.phone for p in people if p.phone), ""),
            )
        )
    Verification.objects.bulk_create(verifications)
    return verifications


# --- The link by SMS (task) ---------------------------------------------------------------------


def verification_link_send(*, verification_id: str) -> None:
    """Sends the person their link; idempotent (a sent link is not sent again)."""
    verification = Verification.objects.select_related("application").filter(pk=verification_id).first()
    if verification is None or verification.link_sent_at or not verification.phone:
        return
    if verification.status != VerificationStatus.PENDING or not _is_waiting(verification.application):
        return
    url = settings.ONEWINDOW_PUBLIC_URL.rstrip("/") + f"/verify/{verification_token(verification.id)}/"
    text = (
        f"【一窗通】{verification.application.company_name}的设立登记需要您本人实名核验并确认，"
        f"请在{settings.VERIFICATION_DEADLINE_DAYS}天内打开：{url}"
    )
    ports.sms_send(
        phone=verification.phone, text=text, application_id=verification.application_id
    )  # raises DepartmentUnavailable: the task retries
    Verification.objects.filter(pk=verification.pk, link_sent_at__isnull=True).update(link_sent_at=timezone.now())
    audit_record(
        action="verification.link_sent", application_id=verification.application_id, verification=str(verification.pk)
    )


# --- The steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """Who is calling a step: the hashed client address, for the per-address limits."""

    address: str

    @property
    def index(self) -> str:
        return keyed_digest(f"address:{self.address}")


def _is_waiting(application: Application) -> bool:
    return application.status == ApplicationStatus.AWAITING_VERIFICATION


def _require_open(verification: Verification) -> None:
    application = verification.application
    if verification.status == VerificationStatus.VERIFIED:
        raise VerificationRefused(
            field="non_field_errors", reason="already_verified", message="您已完成核验 / you have already verified"
        )
    if verification.status == VerificationStatus.EXPIRED or application.status == ApplicationStatus.LAPSED:
        raise VerificationRefused(
            field="non_field_errors",
            reason="expired",
            message="核验链接已过期，申请已失效 / this link has expired and the application has lapsed",
        )
    if verification.status == VerificationStatus.FAILED:
        raise VerificationRefused(
            field="non_field_errors", reason="failed", message="本次核验未通过，不能继续 / this verification has failed"
        )
    if not _is_waiting(application):
        raise VerificationRefused(
            field="non_field_errors",
            reason="closed",
            message="该申请已不再等待实名核验 / the application no longer waits for verification",
        )


def _locked(verification_id: uuid.UUID) -> Verification:
    return Verification.objects.select_for_update().select_related("application", "person").get(pk=verification_id)


def _touch(application_id: uuid.UUID) -> None:
    # The status page's ETag reads the application's timestamp: a step done shows at once.
    Application.objects.filter(pk=application_id).update(updated_at=timezone.now())


def _phone_of(verification: Verification, phone: str | None) -> str:
    value = (phone or "").strip() or verification.phone
    if not value:
        raise VerificationRefused(
            field="phone", reason="phone_required", message="请填写本人实名登记的手机号码 / enter your mobile number"
        )
    if not is_mobile_number(value):
        raise VerificationRefused(
            field="phone", reason="phone_invalid", message="手机号码应为11位 / a mobile number has 11 digits"
        )
    return value


def _send_limits(*, verification: Verification, phone_index: str, client: Client) -> None:
    now = timezone.now()
    if verification.code_sent_at and now - verification.code_sent_at < timedelta(
        seconds=settings.VERIFICATION_RESEND_SECONDS
    ):
        wait = settings.VERIFICATION_RESEND_SECONDS - int((now - verification.code_sent_at).total_seconds())
        raise VerificationRefused(
            field="non_field_errors",
            reason="resend_too_soon",
            message=f"验证码发送过于频繁，请{wait}秒后再试 / wait {wait} s before asking for another code",
            retry_after=wait,
        )
    day = CodeSend.objects.filter(phone_index=phone_index, sent_at__gte=now - timedelta(days=1)).count()
    if day >= settings.VERIFICATION_CODES_PER_PHONE_PER_DAY:
        raise VerificationRefused(
            field="phone",
            reason="phone_daily_limit",
            message="该手机号今日获取验证码次数已达上限，请明天再试 / this phone has had today's codes; try tomorrow",
            retry_after=86_400,
        )
    hour = CodeSend.objects.filter(address_index=client.index, sent_at__gte=now - timedelta(hours=1)).count()
    if hour >= settings.VERIFICATION_CODES_PER_ADDRESS_PER_HOUR:
        raise VerificationRefused(
            field="non_field_errors",
            reason="address_limit",
            message="本网络获取验证码过于频繁，请稍后再试 / too many codes from this network; try later",
            retry_after=3600,
        )


def verification_send_code(*, verification_id: uuid.UUID, phone: str | None, client: Client) -> Verification:
    """The carrier's three-factor check, then a fresh one-time code by SMS.

    Raises VerificationRefused (a reason for the person) or VerificationUnavailable.
    """
    verification = Verification.objects.select_related("application", "person").get(pk=verification_id)
    _require_open(verification)
    if verification.code_verified_at:
        raise VerificationRefused(
            field="non_field_errors", reason="code_done", message="验证码已核验 / the code is already confirmed"
        )
    number = _phone_of(verification, phone)
    phone_index = keyed_digest(f"phone:{number}")
    _send_limits(verification=verification, phone_index=phone_index, client=client)
    try:
        verdict = ports.carrier_verify(
            phone=number, id_number=verification.person.id_number, name=verification.person.name
        )
    except ports.DepartmentUnavailable:
        raise VerificationUnavailable(
            "运营商核验暂不可用，请稍后再试 / the carrier check is unavailable; try again"
        ) from None
    if not verdict.matches:
        _carrier_refused(verification_id=verification.id, reason=verdict.reason or "mismatch")
    code = code_generate()
    with transaction.atomic():
        verification = _locked(verification_id)
        _require_open(verification)
        # Checked again under the lock: two requests at once send one code.
        _send_limits(verification=verification, phone_index=phone_index, client=client)
        now = timezone.now()
        verification.phone = number
        verification.carrier_checked_at = now
        verification.code_hash = code_digest(verification_id=verification.id, code=code)
        verification.code_sent_at = now
        verification.code_expires_at = now + timedelta(seconds=settings.VERIFICATION_CODE_TTL_SECONDS)
        verification.code_attempts = 0
        verification.save()
        CodeSend.objects.create(phone_index=phone_index, address_index=client.index)
        audit_record(
            action="verification.code_sent",
            application_id=verification.application_id,
            verification=str(verification.pk),
        )
    minutes = settings.VERIFICATION_CODE_TTL_SECONDS // 60
    try:
        ports.sms_send(
            phone=number,
            text=f"【一窗通】您的实名核验验证码为{code}，{minutes}分钟内有效。请勿告诉他人。",
            application_id=verification.application_id,
        )
    except ports.DepartmentUnavailable:
        # The code never arrived: it must not work either.
        Verification.objects.filter(pk=verification.pk).update(code_hash="", code_expires_at=None)
        raise VerificationUnavailable("短信发送失败，请稍后再试 / the SMS could not be sent; try again") from None
    _touch(verification.application_id)
    return verification


_CARRIER_MESSAGES = {
    "not_registered": "该手机号码未登记在您名下 / this phone number is not registered to you",
    "name_mismatch": "该手机号码的实名登记与您的姓名不符 / this phone number is registered under another name",
    "id_mismatch": "该手机号码的实名登记与您的身份证号码不符 / this phone number is registered to another ID number",
}


def _carrier_refused(*, verification_id: uuid.UUID, reason: str) -> None:
    with transaction.atomic():
        verification = _locked(verification_id)
        verification.carrier_failures += 1
        verification.save(update_fields=["carrier_failures", "updated_at"])
        audit_record(
            action="verification.carrier_refused",
            application_id=verification.application_id,
            verification=str(verification.pk),
            reason=reason,
        )
        final = verification.carrier_failures >= settings.VERIFICATION_CARRIER_MAX_FAILURES
        if final:
            _fail(verification, proof=Proof.CARRIER)
    if final:
        presence_advance(application_id=verification.application_id)
    message = _CARRIER_MESSAGES.get(reason, "手机号实名核验未通过 / the carrier check failed")
    if final:
        message += "；核验次数已用尽，本次核验未通过 / no tries are left: the verification failed"
    raise VerificationRefused(field="phone", reason=f"carrier_{reason}", message=message)


def verification_check_code(*, verification_id: uuid.UUID, code: str) -> Verification:
    """Checks the one-time code; 5 wrong tries lock it until a new one is requested."""
    refusal: VerificationRefused | None = None
    with transaction.atomic():
        verification = _locked(verification_id)
        _require_open(verification)
        now = timezone.now()
        if verification.code_verified_at:
            refusal = VerificationRefused(
                field="code", reason="code_done", message="验证码已核验 / the code is already confirmed"
            )
        elif not verification.code_hash:
            locked = verification.code_attempts >= settings.VERIFICATION_CODE_MAX_ATTEMPTS
            refusal = VerificationRefused(
                field="code",
                reason="code_locked" if locked else "code_not_sent",
                message=(
                    "错误次数过多，验证码已失效，请重新获取 / too many wrong tries: request a new code"
                    if locked
                    else "请先获取验证码 / request a code first"
                ),
            )
        elif verification.code_expires_at is None or now >= verification.code_expires_at:
            verification.code_hash = ""
            verification.save(update_fields=["code_hash", "updated_at"])
            refusal = VerificationRefused(
                field="code",
                reason="code_expired",
                message="验证码已过期，请重新获取 / the code has expired: request a new one",
            )
        elif not (
            len(code) == 6
            and code.isdigit()
            and code_matches(verification_id=verification.id, code=code, digest=verification.code_hash)
        ):
            verification.code_attempts += 1
            left = settings.VERIFICATION_CODE_MAX_ATTEMPTS - verification.code_attempts
            if left <= 0:
                verification.code_hash = ""
                verification.code_lockouts += 1
            verification.save(update_fields=["code_attempts", "code_hash", "code_lockouts", "updated_at"])
            audit_record(
                action="verification.code_wrong",
                application_id=verification.application_id,
                verification=str(verification.pk),
            )
            if verification.code_lockouts >= settings.VERIFICATION_CODE_MAX_LOCKOUTS:
                _fail(verification, proof=Proof.CODE)
            refusal = VerificationRefused(
                field="code",
                reason="code_wrong" if left > 0 else "code_locked",
                message=(
                    f"验证码不正确，还可尝试{left}次 / wrong code; {left} tries left"
                    if left > 0
                    else "错误次数过多，验证码已失效，请重新获取 / too many wrong tries: request a new code"
                ),
            )
        else:
            verification.code_hash = ""
            verification.code_verified_at = now
            verification.save(update_fields=["code_hash", "code_verified_at", "updated_at"])
            audit_record(
                action="verification.code_confirmed",
                application_id=verification.application_id,
                verification=str(verification.pk),
            )
    if verification.status == VerificationStatus.FAILED:
        presence_advance(application_id=verification.application_id)
    if refusal:
        raise refusal
    _touch(verification.application_id)
    return verification


def image_validate(image: bytes) -> None:
    """A JPEG, PNG or WebP picture of a sensible size, or VerificationRefused on the `image` field."""
    from PIL import Image, UnidentifiedImageError

    limit_mb = settings.FACE_IMAGE_MAX_BYTES // (1024 * 1024)
    if not image:
        raise VerificationRefused(field="image", reason="image_missing", message="请上传照片 / upload a photo")
    if len(image) > settings.FACE_IMAGE_MAX_BYTES:
        raise VerificationRefused(
            field="image",
            reason="image_too_large",
            message=f"照片不能大于 {limit_mb} MB / the photo must not exceed {limit_mb} MB",
        )
    try:
        with Image.open(io.BytesIO(image)) as picture:
            kind = picture.format
            width, height = picture.size
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind, width, height = None, 0, 0
    if kind not in IMAGE_FORMATS:
        raise VerificationRefused(
            field="image", reason="image_invalid", message="请上传 JPEG 或 PNG 格式的照片 / upload a JPEG or PNG photo"
        )
    if width * height > settings.VERIFICATION_MAX_IMAGE_PIXELS or min(width, height) < 64:
        raise VerificationRefused(
            field="image",
            reason="image_size",
            message=(
                "照片尺寸不合适（至少 64×64，至多约 2000 万像素） / "
                "the photo must be at least 64×64 and at most 20 megapixels"
            ),
        )


_FACE_REFUSALS = {
    "no_face": (
        "照片中未检测到人脸，请正对镜头、光线充足后重拍 / "
        "no face was found: face the camera in good light and try again"
    ),
    "multiple_faces": (
        "照片中有多张人脸，请确保只有您本人入镜 / more than one face: make sure only you are in the picture"
    ),
    "no_photo": (
        "公民身份信息库中没有您的登记照片，请到政务服务窗口现场核验 / "
        "the registry holds no photo of you: verify in person at a service hall"
    ),
}


def face_outcome_of(verdict: ports.FaceVerdict) -> str:
    """Public security's answer as the verification records it: a match near the threshold
    (from `review_from` up to the threshold, documented in departments/faces.py) goes to a
    reviewer, who compares the two pictures."""
    if verdict.outcome == "match":
        return FaceOutcome.REVIEW if verdict.near_threshold else FaceOutcome.MATCH
    return FaceOutcome.NO_MATCH


def verification_submit_face(*, verification_id: uuid.UUID, image: bytes) -> Verification:
    """Compares a selfie with the registry photo; only the outcome and the distance are kept.

    The selfie is kept (encrypted) only when a reviewer must compare the faces, and erased
    when the review is decided.
    """
    verification = Verification.objects.select_related("application", "person").get(pk=verification_id)
    _require_open(verification)
    if not verification.code_verified_at:
        raise VerificationRefused(
            field="image", reason="code_first", message="请先完成短信验证码核验 / confirm the SMS code first"
        )
    if verification.face_outcome in (FaceOutcome.MATCH, FaceOutcome.REVIEW):
        raise VerificationRefused(
            field="image", reason="face_done", message="人脸比对已完成 / the face comparison is done"
        )
    image_validate(image)
    try:
        verdict = ports.face_compare(
            id_number=verification.person.id_number, image=image, application_id=verification.application_id
        )
    except ports.FaceImageInvalid as invalid:
        raise VerificationRefused(field="image", reason="image_invalid", message=str(invalid)) from None
    except ports.DepartmentUnavailable:
        raise VerificationUnavailable(
            "人脸比对暂不可用，请稍后再试 / face comparison is unavailable; try again"
        ) from None
    if verdict.outcome in _FACE_REFUSALS:
        raise VerificationRefused(field="image", reason=verdict.outcome, message=_FACE_REFUSALS[verdict.outcome])
    distance = float(verdict.distance if verdict.distance is not None else 1.0)
    outcome = face_outcome_of(verdict)
    refusal: VerificationRefused | None = None
    with transaction.atomic():
        verification = _locked(verification_id)
        _require_open(verification)
        verification.face_attempts += 1
        verification.face_distance = distance
        verification.face_threshold = verdict.threshold
        verification.face_checked_at = timezone.now()
        if outcome == FaceOutcome.NO_MATCH:
            left = settings.VERIFICATION_FACE_MAX_ATTEMPTS - verification.face_attempts
            verification.face_outcome = FaceOutcome.NO_MATCH
            verification.save()
            if left <= 0:
                _fail(verification, proof=Proof.FACE)
            refusal = VerificationRefused(
                field="image",
                reason="no_match",
                message=(
                    f"人脸与登记照片不一致，还可尝试{left}次 / "
                    f"the face does not match the registry photo; {left} tries left"
                    if left > 0
                    else "人脸与登记照片不一致，核验次数已用尽，本次核验未通过 / "
                    "the face does not match: the verification failed"
                ),
            )
        else:
            verification.face_outcome = outcome
            if outcome == FaceOutcome.REVIEW:
                verification.selfie = base64.b64encode(image).decode()
            verification.save()
        audit_record(
            action="verification.face_compared",
            application_id=verification.application_id,
            verification=str(verification.pk),
            outcome=outcome,
            distance=round(distance, 4),
            threshold=verdict.threshold,
        )
    _touch(verification.application_id)
    if verification.status == VerificationStatus.FAILED:
        presence_advance(application_id=verification.application_id)
    if refusal:
        raise refusal
    return verification


def verification_consent(*, verification_id: uuid.UUID, consent: bool) -> Verification:
    """The person's consent to the application, the last step: the verification is then verified."""
    if consent is not True:
        raise VerificationRefused(
            field="consent",
            reason="consent_required",
            message="请阅读并勾选同意 / read the application and tick to consent",
        )
    with transaction.atomic():
        verification = _locked(verification_id)
        _require_open(verification)
        if verification.face_outcome not in (FaceOutcome.MATCH, FaceOutcome.REVIEW):
            raise VerificationRefused(
                field="consent", reason="face_first", message="请先完成人脸比对 / complete the face comparison first"
            )
        now = timezone.now()
        verification.consented_at = now
        verification.verified_at = now
        verification.status = VerificationStatus.VERIFIED
        verification.save()
        audit_record(
            action="verification.verified",
            application_id=verification.application_id,
            verification=str(verification.pk),
            face=verification.face_outcome,
        )
    presence_advance(application_id=verification.application_id)
    return verification


def _fail(verification: Verification, *, proof: str) -> None:
    """Inside the caller's transaction; the caller then calls presence_advance, which starts
    the checks (the identity library rejects, naming the proof)."""
    verification.status = VerificationStatus.FAILED
    verification.failed_proof = proof
    verification.selfie = ""
    verification.code_hash = ""
    verification.save()
    audit_record(
        action="verification.failed",
        application_id=verification.application_id,
        verification=str(verification.pk),
        proof=proof,
    )


# --- Moving the application on ------------------------------------------------------------------


def presence_advance(*, application_id: uuid.UUID) -> bool:
    """Starts the checks once every verification is verified, or one has failed for good.

    Idempotent: the status guard under the application lock lets exactly one caller start them.
    """
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application_id)
        if not _is_waiting(application):
            return False
        statuses = list(application.verifications.values_list("status", flat=True))
        failed = VerificationStatus.FAILED in statuses
        if not failed and any(status != VerificationStatus.VERIFIED for status in statuses):
            _touch(application.id)
            return False
        stage = PresenceStage.objects.get(application=application)
        stage.checks_started_at = timezone.now()
        stage.summary = presence_summary(application=application)
        stage.save(update_fields=["checks_started_at", "summary"])
        audit_record(
            action="presence.completed",
            application_id=application.id,
            verified=statuses.count(VerificationStatus.VERIFIED),
            failed=statuses.count(VerificationStatus.FAILED),
        )
        pipeline_start(application=application, departments=stage.departments)
    return True


def presence_summary(*, application: Application) -> dict:
    """The facts the identity library judges (rules.engine.PresenceFacts.from_document)."""
    return {
        "attested_by": "",
        "people": [
            {
                "roles": [slot["role"] for slot in v.roles],
                "name": v.person.name,
                "status": v.status,
                "failed_proof": v.failed_proof,
                "face": v.face_outcome if v.status == VerificationStatus.VERIFIED else "",
                "face_distance": v.face_distance,
                "face_threshold": v.face_threshold,
            }
            for v in verifications_of(application)
        ],
    }


def presence_document(application: Application) -> dict:
    """The `presence` section of the application document, once the checks have started."""
    summary = PresenceStage.objects.filter(application_id=application.pk).values_list("summary", flat=True).first()
    return {"presence": summary} if summary else {}


def presence_lapse_overdue(*, now: object | None = None, limit: int = 500) -> int:
    """Lapses the applications whose principals did not all verify by the deadline."""
    now = now or timezone.now()
    due = list(
        PresenceStage.objects.filter(checks_started_at__isnull=True, deadline__lt=now)
        .values_list("application_id", flat=True)
        .order_by("deadline")[:limit]
    )
    lapsed = 0
    for application_id in due:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(pk=application_id)
            stage = PresenceStage.objects.get(application=application)
            if not _is_waiting(application):
                stage.checks_started_at = stage.checks_started_at or now
                stage.save(update_fields=["checks_started_at"])
                continue
            missing = list(
                application.verifications.exclude(status=VerificationStatus.VERIFIED).values_list("id", flat=True)
            )
            application.verifications.filter(status=VerificationStatus.PENDING).update(
                status=VerificationStatus.EXPIRED, code_hash="", selfie="", updated_at=now
            )
            stage.checks_started_at = now  # the stage is over; nothing will start the checks
            stage.save(update_fields=["checks_started_at"])
            transition(application, ApplicationStatus.LAPSED, missing=[str(v) for v in missing])
            lapsed += 1
    return lapsed


def presence_personal_data_erase(application_id: uuid.UUID, names: list[str]) -> None:
    """Retention (applications.retention): the verifications' phones, selfies and codes, and the
    names in the presence summary, in the caller's transaction."""
    Verification.objects.filter(application_id=application_id).update(phone="", selfie="", code_hash="")
    stage = PresenceStage.objects.filter(application_id=application_id).first()
    if stage is not None and stage.summary:
        for person in stage.summary.get("people", []):
            if person.get("name") in names:
                person["name"] = ERASED_NAME
        stage.save(update_fields=["summary"])


def selfies_erase_on_decision(changes: list[Change]) -> None:
    """Transition listener: a decided face review erases the selfies kept for it."""
    for row, source, _target in changes:
        if isinstance(row, Application) and source == ApplicationStatus.MANUAL_REVIEW:
            # An encrypted field cannot be compared in SQL: a kept selfie is one awaiting a face review.
            erased = Verification.objects.filter(application_id=row.pk, face_outcome=FaceOutcome.REVIEW).update(
                selfie=""
            )
            if erased:
                audit_record(action="verification.selfies_erased", application_id=row.pk, count=erased)


def verifications_of(application: Application) -> Iterable[Verification]:
    return application.verifications.select_related("person").order_by("created_at", "position")
