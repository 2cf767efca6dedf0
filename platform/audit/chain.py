"""The canonical form of an audit event and its hash: pure functions, shared by append and verify.

The hash covers every field a reader relies on, so editing any of them, or the order of events,
breaks the chain from that event on. Keys are sorted and separators fixed, so the serialization
does not depend on the database's JSON storage (PostgreSQL's jsonb reorders keys).
"""

import hashlib
import json
import uuid
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder

# The previous_hash of the first event.
GENESIS_HASH = "0" * 64


def canonical_data(data: dict) -> dict:
    """What the JSON column will hand back: tuples become lists, UUIDs and dates strings.

    Hashing the stored form, not the caller's objects, keeps verification independent of Python
    types that JSON cannot keep.
    """
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def canonical_created_at(created_at: datetime) -> str:
    # Always UTC with microseconds: the database hands back UTC, whatever the time zone setting.
    return created_at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    sequence: int,
    created_at: datetime,
    application_id: uuid.UUID | str | None,
    actor: str,
    action: str,
    data: dict,
    previous_hash: str,
) -> str:
    body = {
        "sequence": sequence,
        "created_at": canonical_created_at(created_at),
        "application_id": str(application_id) if application_id else None,
        "actor": actor,
        "action": action,
        "data": data,
        "previous_hash": previous_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
