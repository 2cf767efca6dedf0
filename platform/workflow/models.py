from django.db import models
from django.db.models import Q


class CheckStatus(models.TextChoices):
    PENDING = "pending", "待审查"
    RUNNING = "running", "审查中"
    DONE = "done", "已完成"
    ERROR = "error", "出错"


class CheckOutcome(models.TextChoices):
    PASS = "pass", "通过"
    REVIEW = "review", "需人工审批"
    REJECT = "reject", "驳回"


class Check(models.Model):
    """One rule library's verdict on one application. Written by its own parallel task."""

    application = models.ForeignKey("intake.Application", on_delete=models.CASCADE, related_name="checks")
    library = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices, null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=dict, blank=True, help_text="The exact list versions the check used.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "library"], name="check_unique_library"),
            models.CheckConstraint(condition=Q(status__in=CheckStatus.values), name="check_status_valid"),
            models.CheckConstraint(
                condition=Q(outcome__isnull=True) | Q(outcome__in=CheckOutcome.values), name="check_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library}: {self.status}"


class WorkItemStatus(models.TextChoices):
    PENDING = "pending", "待办理"
    IN_PROGRESS = "in_progress", "办理中"
    DONE = "done", "已办结"
    FAILED = "failed", "失败"


class WorkItem(models.Model):
    """One department's share of an application (并联审批)."""

    TERMINAL = (WorkItemStatus.DONE, WorkItemStatus.FAILED)

    application = models.ForeignKey("intake.Application", on_delete=models.CASCADE, related_name="work_items")
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
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "department"], name="work_item_unique_department"),
            models.CheckConstraint(condition=Q(status__in=WorkItemStatus.values), name="work_item_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.department}: {self.status}"


class OutboxMessage(models.Model):
    """A task to publish, written in the same transaction as the state that needs it.

    A relay publishes unpublished rows after commit and again periodically, so a crash between
    commit and publish loses nothing; a crash after publish and before marking only repeats an
    idempotent task.
    """

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    queue = models.CharField(max_length=60)
    available_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    publish_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["published_at", "available_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.task}({self.kwargs})"
