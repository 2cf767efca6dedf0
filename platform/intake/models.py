import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from privacy.fields import BlindIndexField, EncryptedTextField
from rules.privacy import mask_id_number, mask_phone


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    CHECKING = "checking", "自动审查中"
    MANUAL_REVIEW = "manual_review", "人工审批中"
    REJECTED = "rejected", "未通过"
    DISPATCHING = "dispatching", "并联办理中"
    COMPLETED = "completed", "已办结"
    # An extension of CONTRACT §5: a reviewer sent it back; the applicant resubmits a corrected
    # application that points at this one. Terminal for this application.
    RETURNED = "returned", "退回修改"


class Outcome(models.TextChoices):
    APPROVE = "approve", "通过"
    REVIEW = "review", "转人工审批"
    REJECT = "reject", "驳回"


class Application(models.Model):
    """One business-startup application: the one form (一表填报)."""

    TERMINAL = (ApplicationStatus.REJECTED, ApplicationStatus.COMPLETED, ApplicationStatus.RETURNED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    # The current decision: null until the checks finish, "review" while a human decides,
    # then approve or reject. The automatic decision is kept apart for statistics.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, null=True, blank=True)
    auto_outcome = models.CharField(max_length=10, choices=Outcome.choices, null=True, blank=True)
    company_name = models.CharField(max_length=100)
    address = models.CharField(max_length=200)
    business_scope = models.TextField()
    registered_capital = models.DecimalField(max_digits=16, decimal_places=2)
    employees = models.PositiveIntegerField(default=0)
    credit_code = models.CharField(max_length=18, null=True, blank=True, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    api_client = models.ForeignKey(
        "accounts.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # A corrected resubmission points at the application it replaces (returned or rejected).
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections")
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention sweep erased the persons' data; the application stays for statistics.
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"),
            models.CheckConstraint(
                condition=Q(outcome__isnull=True) | Q(outcome__in=Outcome.values), name="application_outcome_valid"
            ),
            models.UniqueConstraint(
                fields=["api_client", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="application_idempotency_key_unique_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.company_name}"

    @property
    def reference(self) -> str:
        """A short number people can read out on the phone."""
        return self.id.hex[:10].upper()

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class PersonRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
    HANDLER = "handler", "经办人"
    SHAREHOLDER = "shareholder", "股东"


class Person(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=30, choices=PersonRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=50)
    # Encrypted at rest; decrypted only in memory. Exact lookups go through the blind index.
    id_number = EncryptedTextField(blind_index="id_number_index")
    id_number_index = BlindIndexField(source="id_number", db_index=True)
    phone = EncryptedTextField(blank=True)
    contribution = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["role", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=PersonRole.values), name="person_role_valid"),
            models.UniqueConstraint(fields=["application", "role", "position"], name="person_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    # What pages, admin lists and anyone but the owner may see.
    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)
