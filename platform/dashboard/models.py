from django.db import models
from django.db.models import Q

COMMENT_MAX_LENGTH = 500


class ServiceRating(models.Model):
    """An applicant's rating of a completed application (好差评): one per application."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="service_rating"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="service_rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.score}"
