"""The review queue's filters, validated: a bad value is a 400 with a message, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

# A year: the oldest age worth asking for. Far larger values would overflow a timedelta.
OLDER_THAN_HOURS_MAX = 24 * 366


class QueueFilterForm(forms.Form):
    library = forms.CharField(required=False, max_length=50)
    rule = forms.CharField(required=False, max_length=100)
    # Django's FloatField refuses inf and nan; the bounds refuse 1e20 and negative ages.
    older_than_hours = forms.FloatField(
        required=False,
        min_value=0,
        max_value=OLDER_THAN_HOURS_MAX,
        error_messages={
            "invalid": _("请输入小时数，例如 2 或 0.5"),
            "min_value": _("小时数不能为负"),
            "max_value": _("小时数最多为 %(limit_value)s"),
        },
    )
