"""ID and phone numbers encrypted at rest, with a blind index for exact lookups; idempotency
fingerprints keyed, since a plain SHA-256 of a document with a guessable ID number can be
reversed by trying every number."""

from django.db import migrations, models

import privacy.fields
from privacy.crypto import blind_index, decrypt, encrypt, keyed_digest


def encrypt_existing(apps, schema_editor):
    # Raw SQL: the historical model would try to decrypt the plaintext it reads.
    connection = schema_editor.connection
    person = connection.ops.quote_name(apps.get_model("intake", "Person")._meta.db_table)
    application = connection.ops.quote_name(apps.get_model("intake", "Application")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, id_number, phone FROM {person}")
        for pk, id_number, phone in cursor.fetchall():
            cursor.execute(
                f"UPDATE {person} SET id_number = %s, phone = %s, id_number_index = %s WHERE id = %s",
                [encrypt(id_number) if id_number else "", encrypt(phone) if phone else "", blind_index(id_number), pk],
            )
        cursor.execute(f"SELECT id, request_fingerprint FROM {application} WHERE request_fingerprint <> ''")
        for pk, fingerprint in cursor.fetchall():
            # The new fingerprint is the keyed hash of the old one: exactly what the service computes.
            cursor.execute(
                f"UPDATE {application} SET request_fingerprint = %s WHERE id = %s", [keyed_digest(fingerprint), pk]
            )


def decrypt_existing(apps, schema_editor):
    # The keyed fingerprints cannot be turned back; a repeated Idempotency-Key from before the
    # rollback then answers 422 instead of replaying, which is the safe side.
    connection = schema_editor.connection
    person = connection.ops.quote_name(apps.get_model("intake", "Person")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, id_number, phone FROM {person}")
        for pk, id_number, phone in cursor.fetchall():
            cursor.execute(
                f"UPDATE {person} SET id_number = %s, phone = %s WHERE id = %s",
                [decrypt(id_number) if id_number else "", decrypt(phone) if phone else "", pk],
            )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_application_returned"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="personal_data_erased_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_index",
            field=privacy.fields.BlindIndexField(db_index=True, source="id_number"),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=privacy.fields.EncryptedTextField(blind_index="id_number_index"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=privacy.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
