"""Standard Webhooks signatures, made by the `standardwebhooks` package itself."""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24


def secret_generate() -> str:
    """A new signing secret: whsec_ and the base64 of random bytes, as the spec describes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_headers(*, message_id: str, timestamp: datetime, body: str, secrets_: list[str]) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature: one `v1,` signature per secret.

    Two secrets during a rotation, so a receiver holding either one verifies the delivery.
    """
    moment = timestamp.astimezone(UTC)
    signatures = " ".join(Webhook(secret).sign(msg_id=message_id, timestamp=moment, data=body) for secret in secrets_)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": "OneWindow-Webhooks/1.0",
    }
