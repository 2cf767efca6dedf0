"""The simulated departments keep ID and phone numbers encrypted under their own key."""

import json

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from departments.models import Citizen, TaxRequest, id_number_index
from departments.services import citizen_verify, citizens_import, request_process
from privacy.crypto import blind_index
from tests.conftest import CLEAN_PERSON, DISHONEST_PERSON, SECOND_PERSON, citizens_csv

pytestmark = pytest.mark.django_db


def _table_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        return json.dumps(cursor.fetchall(), default=str, ensure_ascii=False)


def test_the_citizen_registry_is_encrypted_and_found_by_its_own_blind_index():
    citizens_import(csv_text=citizens_csv(CLEAN_PERSON, SECOND_PERSON, DISHONEST_PERSON))

    raw = _table_text("departments_citizen")
    for person in (CLEAN_PERSON, SECOND_PERSON, DISHONEST_PERSON):
        assert person["id_number"] not in raw and person["id_number"].lower() not in raw
        assert person["phone"] not in raw
    assert citizen_verify(id_number=DISHONEST_PERSON["id_number"].lower(), name="王强").found
    assert Citizen.objects.get(id_number=SECOND_PERSON["id_number"]).phone == SECOND_PERSON["phone"]
    # Another organisation, another key: the registry's index is not the platform's.
    assert id_number_index(CLEAN_PERSON["id_number"]) != blind_index(CLEAN_PERSON["id_number"])


def test_reimport_upserts_through_the_index():
    citizens_import(csv_text=citizens_csv(CLEAN_PERSON))
    citizens_import(csv_text=citizens_csv({**CLEAN_PERSON, "phone": "13811112222"}, status="revoked"))

    citizen = Citizen.objects.get()
    assert (citizen.phone, citizen.status) == ("13811112222", "revoked")


def test_request_bodies_are_encrypted_and_replayed_after_a_key_rotation():
    from tests.departments.conftest import BODIES

    body = BODIES["tax"]
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(DEPARTMENTS_PII_KEY=[old_key], DEPARTMENT_LATENCY_MS="0"):
        first = request_process(department="tax", idempotency_key="k-1", body=body)
    raw = _table_text("departments_taxrequest") + _table_text("departments_taxregistration")
    assert body["legal_representative"]["id_number"] not in raw
    assert body["legal_representative"]["phone"] not in raw

    with override_settings(DEPARTMENTS_PII_KEY=[new_key, old_key], DEPARTMENT_LATENCY_MS="0"):
        again = request_process(department="tax", idempotency_key="k-1", body=body)
        assert TaxRequest.objects.get().request_body == body
    assert (again.status, again.body, again.replayed) == (first.status, first.body, True)
