"""Turns the audit log into a hash chain: sequence, previous_hash and hash, plus the chain head.

Existing events are chained in the order they were written (by id), so the log that existed
before this migration is covered too.
"""

import django.utils.timezone
from django.db import migrations, models


def chain_existing_events(apps, schema_editor):
    from audit.chain import GENESIS_HASH, event_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous_hash = GENESIS_HASH
    sequence = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        sequence += 1
        digest = event_hash(
            sequence=sequence,
            created_at=event.created_at,
            application_id=event.application_id,
            actor=event.actor,
            action=event.action,
            data=event.data,
            previous_hash=previous_hash,
        )
        AuditEvent.objects.filter(pk=event.pk).update(sequence=sequence, previous_hash=previous_hash, hash=digest)
        previous_hash = digest
    AuditChainHead.objects.create(id=1, last_sequence=sequence, last_hash=previous_hash if sequence else "")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("last_sequence", models.PositiveBigIntegerField(default=0)),
                ("last_hash", models.CharField(default="", max_length=64)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="audit_chain_head_singleton")
                ],
            },
        ),
        migrations.AddField(model_name="auditevent", name="sequence", field=models.PositiveBigIntegerField(null=True)),
        migrations.AddField(
            model_name="auditevent", name="previous_hash", field=models.CharField(default="", max_length=64)
        ),
        migrations.AddField(model_name="auditevent", name="hash", field=models.CharField(max_length=64, null=True)),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent", name="sequence", field=models.PositiveBigIntegerField(unique=True)
        ),
        migrations.AlterField(model_name="auditevent", name="previous_hash", field=models.CharField(max_length=64)),
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64, unique=True)),
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["sequence"]}),
    ]
