"""ID and phone numbers at rest: encrypted, found again by blind index, readable after rotation."""

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from applications.models import Person
from intake.selectors import applications_of_person
from intake.services import application_submit
from privacy.crypto import blind_index
from tests.conftest import CLEAN_PERSON, DISHONEST_PERSON, SECOND_PERSON, application_document, trusted_channel

pytestmark = pytest.mark.django_db


def _raw_persons() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_index FROM intake_person ORDER BY id")
        return cursor.fetchall()


def _submit(person: dict, *, name: str = "深圳市云帆科技有限公司", handler: dict | None = None) -> object:
    document = application_document(name=name, person=person)
    document["departments"] = ["market_regulation"]
    if handler:
        document["handler"] = handler
    return application_submit(document=document, presence_attested_by=trusted_channel()).application


def test_id_and_phone_are_stored_encrypted_and_read_back_in_the_clear():
    application = _submit(CLEAN_PERSON, handler=SECOND_PERSON)

    for id_number, phone, index in _raw_persons():
        assert CLEAN_PERSON["id_number"] not in id_number and SECOND_PERSON["id_number"] not in id_number
        assert phone == "" or phone.startswith("gAAAAA"), "a Fernet token"
        assert id_number.startswith("gAAAAA")
        assert len(index) == 64
    people = {p.role: p for p in application.persons.all()}
    assert people["legal_representative"].id_number == CLEAN_PERSON["id_number"]
    assert people["legal_representative"].phone == CLEAN_PERSON["phone"]
    assert people["handler"].phone == SECOND_PERSON["phone"]
    # Shareholders carry no phone: it stays empty rather than an encrypted empty string.
    assert people["shareholder"].phone == ""


def test_the_same_number_encrypts_differently_but_indexes_the_same():
    _submit(CLEAN_PERSON)
    _submit(CLEAN_PERSON, name="深圳市青禾科技有限公司")

    rows = [row for row in _raw_persons()]
    tokens = {row[0] for row in rows}
    indexes = {row[2] for row in rows}
    assert len(tokens) == len(rows), "every token is fresh"
    assert indexes == {blind_index(CLEAN_PERSON["id_number"])}


def test_applications_of_a_person_are_found_by_blind_index_in_any_role_and_case():
    first = _submit(CLEAN_PERSON)
    second = _submit(DISHONEST_PERSON, name="深圳市远峰贸易有限公司", handler=CLEAN_PERSON)
    other = _submit(SECOND_PERSON, name="深圳市青禾科技有限公司")

    assert set(applications_of_person(id_number=CLEAN_PERSON["id_number"])) == {first, second}
    # The check character X may be typed in lower case: it is the same number.
    assert list(applications_of_person(id_number=DISHONEST_PERSON["id_number"].lower())) == [second]
    assert list(applications_of_person(id_number=f" {SECOND_PERSON['id_number']} ")) == [other]
    assert not applications_of_person(id_number="").exists()
    assert not applications_of_person(id_number="110101198001010000").exists()


def test_an_exact_filter_on_the_encrypted_field_goes_through_the_index_and_nothing_else_is_allowed():
    _submit(CLEAN_PERSON)

    assert Person.objects.filter(id_number=CLEAN_PERSON["id_number"]).count() == 2
    assert Person.objects.filter(application__persons__id_number=CLEAN_PERSON["id_number"]).exists()
    assert not Person.objects.filter(id_number=SECOND_PERSON["id_number"]).exists()
    # A random ciphertext can match nothing: such a lookup is an error, not an empty result.
    with pytest.raises(FieldError):
        Person.objects.filter(id_number__startswith="110").count()
    with pytest.raises(FieldError):
        Person.objects.filter(phone=CLEAN_PERSON["phone"]).count()


def test_a_rotated_key_still_reads_old_rows_and_reencryption_retires_the_old_key():
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(PII_ENCRYPTION_KEYS=[old_key]):
        application = _submit(CLEAN_PERSON, handler=SECOND_PERSON)
        before = _raw_persons()

    with override_settings(PII_ENCRYPTION_KEYS=[new_key, old_key]):
        # Old rows decrypt with the second key; the index does not depend on the encryption key.
        assert {p.id_number for p in application.persons.all()} == {
            CLEAN_PERSON["id_number"],
            SECOND_PERSON["id_number"],
        }
        assert list(applications_of_person(id_number=SECOND_PERSON["id_number"])) == [application]
        out = io.StringIO()
        call_command("reencrypt_personal_data", stdout=out)
        assert "applications.Person: 3 rows re-encrypted" in out.getvalue()
        after = _raw_persons()

    assert [row[2] for row in after] == [row[2] for row in before]
    assert all(a[0] != b[0] for a, b in zip(after, before, strict=True))
    with override_settings(PII_ENCRYPTION_KEYS=[new_key]):
        people = {p.role: p for p in application.persons.all()}
        assert people["handler"].id_number == SECOND_PERSON["id_number"]
        assert people["handler"].phone == SECOND_PERSON["phone"]
    # Without any key that opens the tokens, reading fails loudly instead of showing garbage.
    with override_settings(PII_ENCRYPTION_KEYS=[old_key]), pytest.raises(InvalidToken):
        list(application.persons.all())


def test_the_blind_index_is_keyed():
    number = CLEAN_PERSON["id_number"]
    with override_settings(PII_INDEX_KEY="one key"):
        first = blind_index(number)
    with override_settings(PII_INDEX_KEY="another key"):
        second = blind_index(number)
    assert first != second
    assert blind_index(number) == blind_index(number.lower()) != ""


def test_the_idempotency_fingerprint_is_keyed():
    from intake.services import document_fingerprint

    document = application_document()
    with override_settings(PII_INDEX_KEY="one key"):
        first = document_fingerprint(document)
    with override_settings(PII_INDEX_KEY="another key"):
        second = document_fingerprint(document)
    assert first != second


def test_the_deploy_check_warns_about_derived_keys():
    from privacy.checks import personal_data_keys_check

    with override_settings(PII_ENCRYPTION_KEYS=[], PII_INDEX_KEY=""):
        assert {w.id for w in personal_data_keys_check()} == {"privacy.W001", "privacy.W002"}
    with override_settings(PII_ENCRYPTION_KEYS=[Fernet.generate_key().decode()], PII_INDEX_KEY="k"):
        assert personal_data_keys_check() == []
