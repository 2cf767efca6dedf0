"""Proof of presence (实名认证): who must verify an application, and how far each has come.

One `PresenceStage` per application records how presence is proven: by the principals
themselves (one `Verification` each) or attested by a trusted channel. A verification is one
natural person in one or more signing roles; a person holding several roles (the legal
representative who is also the handler and a shareholder) verifies once, for all of them.

Nothing here stores a one-time code, a link token or an image in the clear: codes and tokens
as keyed hashes, the phone number and a selfie kept for review encrypted (privacy.fields).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from privacy.fields import EncryptedTextField


class PresenceStage(models.Model):
    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, primary_key=True, related_name="presence"
    )
    # The departments asked for, kept until the checks start (they create the work items).
    departments = models.JSONField(default=list)
    # A channel trusted to verify in person (accounts.ApiClient.attests_presence) when it filed.
    attested_by = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The intermediary (代办机构) that filed, if one did.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="agent_filings"
    )
    deadline = models.DateTimeField(null=True, blank=True)
    checks_started_at = models.DateTimeField(null=True, blank=True)
    # What the identity library reads (rules.engine.PresenceFacts), fixed when the checks start,
    # so that a replay sees what the decision saw.
    summary = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The lapse sweep reads only stages still waiting.
            models.Index(fields=["deadline"], condition=Q(checks_started_at__isnull=True), name="presence_waiting_idx")
        ]

    def __str__(self) -> str:
        return f"presence of {self.application_id}"


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "待核验"
    VERIFIED = "verified", "已核验"
    FAILED = "failed", "核验未通过"
    EXPIRED = "expired", "已过期"


class Proof(models.TextChoices):
    """Which proof failed: what the identity findings name."""

    REGISTRY = "registry", "公民身份信息库 / citizen registry"
    CARRIER = "carrier", "手机号实名核验 / carrier check"
    CODE = "code", "短信验证码 / one-time code"
    FACE = "face", "人脸比对 / face comparison"


class FaceOutcome(models.TextChoices):
    MATCH = "match", "人脸一致"
    REVIEW = "review", "待人工复核"
    NO_MATCH = "no_match", "人脸不一致"


class Verification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE, related_name="verifications")
    # The person's first role (legal representative, handler, shareholder) and every role held.
    person = models.ForeignKey("applications.Person", on_delete=models.CASCADE, related_name="verifications")
    role = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField(default=0)
    roles = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING)
    # SHA-256 of the link token; the token itself is derived with a server key (identity.tokens).
    token_hash = models.CharField(max_length=64, unique=True)
    phone = EncryptedTextField(blank=True)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    carrier_checked_at = models.DateTimeField(null=True, blank=True)
    carrier_failures = models.PositiveSmallIntegerField(default=0)
    # The current one-time code: its keyed hash, when it stops working, the wrong tries so far.
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    code_lockouts = models.PositiveSmallIntegerField(default=0)
    code_verified_at = models.DateTimeField(null=True, blank=True)
    face_outcome = models.CharField(max_length=10, choices=FaceOutcome.choices, blank=True)
    face_distance = models.FloatField(null=True, blank=True)
    face_threshold = models.FloatField(null=True, blank=True)
    face_attempts = models.PositiveSmallIntegerField(default=0)
    face_checked_at = models.DateTimeField(null=True, blank=True)
    # Only while a reviewer must compare the faces: the selfie, base64, encrypted.
    selfie = EncryptedTextField(blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    failed_proof = models.CharField(max_length=10, choices=Proof.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "created_at", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VerificationStatus.values), name="verification_status_valid"),
            models.UniqueConstraint(fields=["application", "person"], name="verification_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.status}"


class CodeSend(models.Model):
    """One SMS code sent: counted per phone and per client address (both as keyed hashes)."""

    phone_index = models.CharField(max_length=64)
    address_index = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone_index", "sent_at"], name="code_send_phone_idx"),
            models.Index(fields=["address_index", "sent_at"], name="code_send_address_idx"),
        ]

    def __str__(self) -> str:
        return f"code sent at {self.sent_at:%Y-%m-%d %H:%M:%S}"


class AgentAccount(models.Model):
    """A registered intermediary (代办机构): its login files applications as the handler."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_account")
    organisation = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.organisation
