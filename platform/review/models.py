from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("通过")
    REJECT = "reject", _("驳回")
    RETURN = "return", _("退回修改")


class ReviewCase(models.Model):
    """A manual-review case: who holds it, and what was decided, by whom and why."""

    application = models.OneToOneField("applications.Application", on_delete=models.CASCADE, related_name="review_case")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="claimed_cases"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices, null=True, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="decided_cases"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__isnull=True) | Q(decision__in=ReviewDecision.values),
                name="review_decision_valid",
            ),
            # Every decision carries its reason (全程留痕).
            models.CheckConstraint(
                condition=Q(decision__isnull=True) | (~Q(reason="") & Q(decided_by__isnull=False)),
                name="review_decision_has_reason_and_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.application_id}"
