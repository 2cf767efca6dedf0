"""After a new key is put first in PII_ENCRYPTION_KEYS: re-encrypt every stored value with it, so
that the old key can be removed."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from privacy.services import personal_data_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt the platform's personal data with the first key of PII_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = personal_data_reencrypt(model_classes=list(apps.get_models()))
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
