"""Writes of the dashboard app: the applicant's rating of a completed application."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction

from applications.models import Application, ApplicationStatus
from audit.services import audit_record
from dashboard.models import COMMENT_MAX_LENGTH, ServiceRating

SCORES = range(1, 6)


class RatingRefused(Exception):
    """A rating that cannot be accepted; the message is shown to the applicant."""


def rating_submit(
    *, application: Application, user: AbstractBaseUser | AnonymousUser, score: int, comment: str = ""
) -> ServiceRating:
    """Stores the applicant's 1–5 rating of their own completed application, once."""
    if not user.is_authenticated or application.applicant_id is None or application.applicant_id != user.pk:
        raise RatingRefused("只有申请人本人可以评价 / only the applicant can rate this application")
    if application.status != ApplicationStatus.COMPLETED:
        raise RatingRefused("办结后才能评价 / an application can be rated once it is completed")
    if score not in SCORES:
        raise RatingRefused("评分须为 1 到 5 分 / the score must be 1 to 5")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise RatingRefused(f"评价内容不超过 {COMMENT_MAX_LENGTH} 字 / at most {COMMENT_MAX_LENGTH} characters")
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(application=application, score=score, comment=comment)
            # The score only: a comment is free text and may carry personal data.
            audit_record(
                action="rating.submitted",
                actor=f"user:{user.get_username()}",
                application_id=application.id,
                score=score,
            )
    except IntegrityError as error:
        # The one-to-one constraint decides, so two simultaneous submissions still make one rating.
        raise RatingRefused("该申请已评价过 / this application has already been rated") from error
    return rating
