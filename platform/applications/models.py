"""The application aggregate: an application, its persons, its checks and its work items.

The tables keep the names they had when the models lived in `intake` and `workflow`
(`db_table`), so moving the aggregate to the bottom layer moved no data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.states import APPLICATION, CHECK, WORK_ITEM, ApplicationStatus, CheckStatus, WorkItemStatus
from privacy.fields import BlindIndexField, EncryptedTextField
from rules.privacy import mask_id_number, mask_phone

# Statuses the sweeper and the status page treat as "still moving".
ACTIVE_APPLICATION_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CHECKING,
    ApplicationStatus.DISPATCHING,
)


class Outcome(models.TextChoices):
    APPROVE = "approve", "通过"
    REVIEW = "review", "转人工审批"
    REJECT = "reject", "驳回"


class Application(models.Model):
    """One business-startup application: the one form (一表填报)."""

    lifecycle = APPLICATION
    TERMINAL = tuple(APPLICATION.terminal)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED)
    # The current decision: null until the checks finish, "review" while a human decides,
    # then approve or reject. The automatic decision is kept apart for statistics.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, null=True, blank=True)
    auto_outcome = models.CharField(max_length=10, choices=Outcome.choices, null=True, blank=True)
    company_name = models.CharField(max_length=100)
    address = models.CharField(max_length=200)
    business_scope = models.TextField()
    registered_capital = models.DecimalField(max_digits=16, decimal_places=2)
    employees = models.PositiveIntegerField(default=0)
    # The applicant's own name reservation (名称自主申报), when the form cites one.
    name_reservation = models.CharField(max_length=32, blank=True, default="")
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
        db_table = "intake_application"
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
        indexes = [
            # The sweeper looks only at applications still moving: a partial index keeps that
            # lookup independent of how many finished applications history holds.
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=ACTIVE_APPLICATION_STATUSES),
                name="application_active_idx",
            ),
            models.Index(fields=["applicant", "-created_at"], name="application_applicant_idx"),
            models.Index(fields=["api_client", "-created_at"], name="application_client_idx"),
            models.Index(fields=["status", "-created_at"], name="application_status_created_idx"),
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
        db_table = "intake_person"
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


class CheckOutcome(models.TextChoices):
    PASS = "pass", "通过"
    REVIEW = "review", "需人工审批"
    REJECT = "reject", "驳回"


class Check(models.Model):
    """One rule library's verdict on one application. Written by its own parallel task."""

    lifecycle = CHECK

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    library = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices, null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=dict, blank=True, help_text="The exact list versions the check used.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workflow_check"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "library"], name="check_unique_library"),
            models.CheckConstraint(condition=Q(status__in=CheckStatus.values), name="check_status_valid"),
            models.CheckConstraint(
                condition=Q(outcome__isnull=True) | Q(outcome__in=CheckOutcome.values), name="check_outcome_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=(CheckStatus.PENDING, CheckStatus.RUNNING)),
                name="check_unfinished_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.library}: {self.status}"


class WorkItem(models.Model):
    """One department's share of an application (并联审批)."""

    lifecycle = WORK_ITEM
    TERMINAL = tuple(WORK_ITEM.terminal)

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="work_items")
    department = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=12, choices=WorkItemStatus.choices, default=WorkItemStatus.PENDING)
    # The department stores this key under a unique constraint: a repeated call returns the
    # original result instead of registering twice.
    idempotency_key = models.CharField(max_length=100, unique=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "workflow_workitem"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "department"], name="work_item_unique_department"),
            models.CheckConstraint(condition=Q(status__in=WorkItemStatus.values), name="work_item_status_valid"),
        ]
        indexes = [
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=(WorkItemStatus.PENDING, WorkItemStatus.IN_PROGRESS)),
                name="work_item_unfinished_idx",
            ),
            models.Index(fields=["status", "department"], name="work_item_status_dept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.department}: {self.status}"
