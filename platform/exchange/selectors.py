import uuid
from functools import cache

from django.conf import settings
from django.utils.translation import get_language

from exchange.models import ExchangeRecord
from exchange.policy import FIELD_LABELS


def data_shared_with_departments(*, application_id: uuid.UUID) -> list[dict]:
    """ "Who received my data": each exchange of this application, with readable field names."""
    records = ExchangeRecord.objects.filter(application_id=application_id).order_by("created_at", "id")
    labels = _field_labels(get_language())
    return [
        {
            "department": record.department,
            "purpose": record.endpoint.strip("/"),
            "fields": [labels.get(path, path) for path in record.fields],
            "at": record.created_at.astimezone().isoformat(timespec="seconds")
            if settings.USE_TZ
            else record.created_at.isoformat(timespec="seconds"),
            "delivered": record.outcome == "ok",
        }
        for record in records
    ]


@cache
def _field_labels(language: str | None) -> dict[str, str]:
    # Status reads are frequent and each record names several fields: translate once per language.
    return {path: str(label) for path, label in FIELD_LABELS.items()}
