"""The public-security citizen registry: verification and bulk import."""

import json

import pytest

from departments.demo import citizens_csv, demo_citizens
from departments.models import CarrierSubscriber, Citizen
from tests.departments.conftest import ID_WITH_X, LEGAL_REP_ID, OTHER_ID, SignedClient, auth

pytestmark = pytest.mark.django_db

VERIFY = "/departments/public_security/citizens/verify/"
IMPORT = "/departments/public_security/citizens/import/"


def verify(id_number: str, name: str, **headers) -> object:
    return SignedClient().post(
        VERIFY,
        data=json.dumps({"id_number": id_number, "name": name}),
        content_type="application/json",
        **(headers or auth("public_security")),
    )


def upload(text: str | bytes, **headers) -> object:
    return SignedClient().post(IMPORT, data=text, content_type="text/csv", **(headers or auth("public_security")))


@pytest.fixture
def registry():
    Citizen.objects.bulk_create(
        [
            Citizen(id_number=LEGAL_REP_ID, name="张伟", phone="13800138000", status="valid"),
            Citizen(id_number=ID_WITH_X, name="王芳", phone="13900139000", status="revoked"),
            Citizen(id_number=OTHER_ID, name="刘洋", phone="13700137000", status="deceased"),
        ]
    )


def test_found_and_matching(registry):
    response = verify(LEGAL_REP_ID, "张伟")
    assert response.status_code == 200
    assert response.json() == {"found": True, "name_matches": True, "status": "valid"}


def test_name_mismatch_does_not_reveal_the_registered_name(registry):
    response = verify(LEGAL_REP_ID, "李四")
    assert response.json() == {"found": True, "name_matches": False, "status": "valid"}
    body = response.content.decode()
    assert "张伟" not in body and "13800138000" not in body


def test_revoked_and_deceased(registry):
    assert verify(ID_WITH_X, "王芳").json() == {"found": True, "name_matches": True, "status": "revoked"}
    assert verify(OTHER_ID, "刘洋").json()["status"] == "deceased"


def test_lowercase_x_is_found(registry):
    assert verify(ID_WITH_X.lower(), "王芳").json()["found"] is True


def test_not_found(registry):
    assert verify("440305199003070022", "张伟").json() == {"found": False, "name_matches": False, "status": None}


def test_verify_needs_public_security_token(registry):
    assert verify(LEGAL_REP_ID, "张伟", **auth("tax")).status_code == 401
    response = SignedClient().post(VERIFY, data="{}", content_type="application/json")
    assert response.status_code == 401


def test_verify_requires_both_fields():
    response = SignedClient().post(
        VERIFY, data=json.dumps({"id_number": ""}), content_type="application/json", **auth("public_security")
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"id_number", "name"}


def test_import_upserts_by_id_number(registry):
    text = (
        "\ufeffid_number,name,phone,status\n"
        f"{LEGAL_REP_ID},张伟,13811112222,revoked\n"
        f"{ID_WITH_X.lower()},王芳,13900139000,valid\n"
        "440305199003070022,陈静,15012345678,valid\n"
    )
    response = upload(text.encode("utf-8"))
    assert response.status_code == 200, response.json()
    assert response.json() == {"imported": 3}
    assert Citizen.objects.count() == 4
    updated = Citizen.objects.get(id_number=LEGAL_REP_ID)
    assert (updated.phone, updated.status) == ("13811112222", "revoked")
    # Lowercase x is stored uppercase, so it updated the existing row.
    assert Citizen.objects.get(id_number=ID_WITH_X).status == "valid"


def test_import_accepts_crlf_quotes_blank_lines_and_column_order():
    text = 'status,phone,name,id_number\r\nvalid,13800138000,"张, 伟",440305199003071236\r\n\r\n'
    response = upload(text)
    assert response.json() == {"imported": 1}
    assert Citizen.objects.get().name == "张, 伟"


def test_import_reports_every_bad_row_masked_and_stores_nothing(registry):
    text = "\n".join(
        [
            "id_number,name,phone,status",
            f"{OTHER_ID},刘洋,13700137000,valid",  # line 2: fine
            "440305199003071237,赵六,13800138000,valid",  # line 3: bad check digit
            "440305199003074568,,13800138000,valid",  # line 4: empty name
            "440305199003070022,孙七,23800138000,valid",  # line 5: not a mobile
            "44030519900307789X,周八,13800138000,alive",  # line 6: unknown status
            f"{OTHER_ID},刘洋,13700137000,valid",  # line 7: duplicate of line 2
            "110101198001014564,吴九,13800138000",  # line 8: missing a column
            "110101198001017896,郑十,13800138000,valid",  # line 9: fine
        ]
    )
    response = upload(text)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert sorted({error["line"] for error in errors}) == [3, 4, 5, 6, 7, 8]
    body = response.content.decode()
    for secret in ("440305199003071237", "23800138000", OTHER_ID):
        assert secret not in body
    assert "440305********1237" in body
    assert "238****8000" in body
    assert "first on line 2" in next(error["message"] for error in errors if error["line"] == 7)
    # Nothing stored, not even the good rows; the registry is as it was.
    assert Citizen.objects.count() == 3
    assert Citizen.objects.get(id_number=OTHER_ID).status == "deceased"


def test_import_missing_column_is_line_1():
    response = upload("id_number,name,status\n440305199003071236,张伟,valid\n")
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 1


def test_import_empty_and_header_only():
    assert upload("").status_code == 400
    assert upload("id_number,name,phone,status\n").status_code == 400


def test_import_not_utf8():
    response = upload("id_number,name,phone,status\n440305199003071236,张伟,13800138000,valid\n".encode("gbk"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["line"] == 2


def test_import_needs_public_security_token():
    assert upload("id_number,name,phone,status\n", **auth("bank")).status_code == 401


def test_import_of_many_demo_citizens_is_a_bulk_upsert(django_assert_max_num_queries):
    rows = demo_citizens(seed=1, count=3000)
    # Batched INSERT ... ON CONFLICT: SQLite allows 999 parameters, about 200 rows a statement,
    # into two registers: the citizens, and the carrier's subscribers (each phone in its holder's name).
    with django_assert_max_num_queries(50):
        response = upload(citizens_csv(rows))
    assert response.json() == {"imported": 3000}
    assert Citizen.objects.count() == 3000
    assert CarrierSubscriber.objects.count() == len({row["phone"] for row in rows})
    # Importing the same file again updates in place.
    assert upload(citizens_csv(rows)).json() == {"imported": 3000}
    assert Citizen.objects.count() == 3000
