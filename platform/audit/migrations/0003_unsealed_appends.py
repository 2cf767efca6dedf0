"""Appends no longer seal: the chain fields may be empty until the sequencer fills them.

Every existing event was sealed at insert time and keeps its sequence, previous_hash and hash, so
the chain verifies as before; the chain-head row stays and is now written only by the sequencer.
The partial index holds only unsealed events (none, right after this migration).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": [models.OrderBy(models.F("sequence"), nulls_last=True), "id"]},
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("sequence__isnull", True)), fields=["id", "created_at"], name="audit_event_unsealed"
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("hash__isnull", True), ("previous_hash__isnull", True), ("sequence__isnull", True)),
                    models.Q(("hash__isnull", False), ("previous_hash__isnull", False), ("sequence__isnull", False)),
                    _connector="OR",
                ),
                name="audit_event_sealed_whole",
            ),
        ),
    ]
