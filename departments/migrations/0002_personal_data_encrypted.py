"""ID numbers, phones and request bodies encrypted at rest under the departments' own key; the
citizen registry found by a blind index; request fingerprints keyed."""

import json

from django.db import migrations

import departments.models
from departments.models import id_number_index, keyed_digest, pii_decrypt, pii_encrypt

REQUEST_MODELS = [
    "marketregulationrequest",
    "taxrequest",
    "publicsecurityrequest",
    "socialsecurityrequest",
    "housingfundrequest",
    "bankrequest",
]
# (model, column) pairs of plain strings that become Fernet tokens.
ENCRYPTED_COLUMNS = [
    ("citizen", "id_number"),
    ("citizen", "phone"),
    ("marketenterprise", "legal_representative_id_number"),
    ("marketshareholder", "id_number"),
    ("taxregistration", "legal_representative_phone"),
    ("bankappointment", "contact_phone"),
]


def _table(apps, schema_editor, model: str) -> str:
    return schema_editor.connection.ops.quote_name(apps.get_model("departments", model)._meta.db_table)


def encrypt_existing(apps, schema_editor):
    # Raw SQL throughout: the historical models would try to decrypt the plaintext they read.
    with schema_editor.connection.cursor() as cursor:
        for model, column in ENCRYPTED_COLUMNS:
            table = _table(apps, schema_editor, model)
            cursor.execute(f"SELECT id, {column} FROM {table}")
            for pk, value in cursor.fetchall():
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s", [pii_encrypt(value) if value else "", pk]
                )
        table = _table(apps, schema_editor, "citizen")
        cursor.execute(f"SELECT id, id_number FROM {table}")
        for pk, token in cursor.fetchall():
            cursor.execute(
                f"UPDATE {table} SET id_number_index = %s WHERE id = %s",
                [id_number_index(pii_decrypt(token)) if token else "", pk],
            )
        for model in REQUEST_MODELS:
            table = _table(apps, schema_editor, model)
            cursor.execute(f"SELECT id, request_body, request_fingerprint FROM {table}")
            for pk, body, fingerprint in cursor.fetchall():
                data = json.loads(body) if isinstance(body, str) else body
                canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                # The keyed hash of the old plain hash: exactly what the service now computes.
                cursor.execute(
                    f"UPDATE {table} SET request_body = %s, request_fingerprint = %s WHERE id = %s",
                    [pii_encrypt(canonical), keyed_digest(fingerprint), pk],
                )


def decrypt_existing(apps, schema_editor):
    # Fingerprints stay keyed: a replay from before the rollback then answers 409, the safe side.
    with schema_editor.connection.cursor() as cursor:
        for model, column in ENCRYPTED_COLUMNS:
            table = _table(apps, schema_editor, model)
            cursor.execute(f"SELECT id, {column} FROM {table}")
            for pk, value in cursor.fetchall():
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s", [pii_decrypt(value) if value else "", pk]
                )
        for model in REQUEST_MODELS:
            table = _table(apps, schema_editor, model)
            cursor.execute(f"SELECT id, request_body FROM {table}")
            for pk, body in cursor.fetchall():
                cursor.execute(f"UPDATE {table} SET request_body = %s WHERE id = %s", [pii_decrypt(body), pk])


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
    ]

    operations = [
        # Not unique yet: every existing row starts with an empty index.
        migrations.AddField(
            model_name="citizen",
            name="id_number_index",
            field=departments.models.IdNumberIndexField(default="", source="id_number"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="citizen",
            name="id_number",
            field=departments.models.EncryptedTextField(blind_index="id_number_index"),
        ),
        *[
            migrations.AlterField(model_name=model, name=column, field=departments.models.EncryptedTextField())
            for model, column in ENCRYPTED_COLUMNS
            if (model, column) != ("citizen", "id_number")
        ],
        *[
            migrations.AlterField(model_name=model, name="request_body", field=departments.models.EncryptedJSONField())
            for model in REQUEST_MODELS
        ],
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
        migrations.AlterField(
            model_name="citizen",
            name="id_number_index",
            field=departments.models.IdNumberIndexField(source="id_number", unique=True),
        ),
    ]
