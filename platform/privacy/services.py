"""Key rotation of personal data at rest."""

from django.db import models, transaction

from privacy.fields import EncryptedTextField


def personal_data_reencrypt(*, model_classes: list[type[models.Model]], batch_size: int = 500) -> dict[str, int]:
    """Rewrites every encrypted value of ``model_classes`` under the first key of PII_ENCRYPTION_KEYS.

    Reading decrypts with whichever configured key fits; writing always encrypts with the first.
    Run after putting a new key in front; afterwards the old key can be dropped.
    """
    counts: dict[str, int] = {}
    for model in model_classes:
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not fields:
            continue
        count = 0
        queryset = model._default_manager.order_by("pk").only("pk", *fields)
        last_pk = None
        while True:
            page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
            rows = list(page[:batch_size])
            if not rows:
                break
            with transaction.atomic():
                model._default_manager.bulk_update(rows, fields)
            count += len(rows)
            last_pk = rows[-1].pk
        counts[model._meta.label] = count
    return counts
