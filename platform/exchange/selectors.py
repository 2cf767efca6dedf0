import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils.translation import get_language

from exchange.models import ExchangeRecord
from exchange.policy import FIELD_LABELS


def data_shared_with_departments(*, application_id: uuid.UUID) -> list[dict]:
    """ "Who received my data": each exchange of this application, with readable field names."""
    records = ExchangeRecord.objects.filter(application_id=application_id).order_by("created_at", "id")
    labels = data_shared_labels()
    return [
        data_shared_entry(
            department=record.department,
            endpoint=record.endpoint,
            fields=record.fields,
            created_at=record.created_at,
            outcome=record.outcome,
            labels=labels,
        )
        for record in records
    ]


def data_shared_labels() -> Mapping[str, str]:
    """The readable field names in the active language, for `data_shared_entry`."""
    return _field_labels(get_language())


def data_shared_entry(
    *, department: str, endpoint: str, fields: list[str], created_at: datetime, outcome: str, labels: Mapping[str, str]
) -> dict:
    """One entry of "who received my data", from an exchange record's columns.

    Takes the columns rather than the record so that the API's status documents, which read the
    records as plain rows, build exactly the entries this selector builds.
    """
    return {
        "department": department,
        "purpose": endpoint.strip("/"),
        "fields": [labels.get(path, path) for path in fields],
        "at": created_at.astimezone().isoformat(timespec="seconds")
        if settings.USE_TZ
        else created_at.isoformat(timespec="seconds"),
        "delivered": outcome == "ok",
    }


@cache
def _field_labels(language: str | None) -> dict[str, str]:
    # Status reads are frequent and each record names several fields: translate once per language.
    return {path: str(label) for path, label in FIELD_LABELS.items()}
