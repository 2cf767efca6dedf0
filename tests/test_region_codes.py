"""Residents whose ID number carries a region code younger than they are (issue: Pudong, Longgang).

A number carries the code of the place and time it was issued; numbers were re-issued after
districts were created. Such people load into the registry and pass the identity check.
"""

import io
import json

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from tests.conftest import application_document

pytestmark = pytest.mark.django_db


def _number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


PUDONG = {"name": "陈浦东", "id_number": _number("31011519880412123"), "phone": "13611112222"}
LONGGANG = {"name": "黄龙岗", "id_number": _number("44030719850101456"), "phone": "13722223333"}
LONGGANG_X = {"name": "林晓", "id_number": "", "phone": "13833334444"}
for _serial in range(100, 999):
    if _number(f"44030719891120{_serial:03d}").endswith("X"):
        LONGGANG_X["id_number"] = _number(f"44030719891120{_serial:03d}")
        break
RESIDENTS = [PUDONG, LONGGANG, LONGGANG_X]


def test_python_stdnum_alone_would_refuse_them():
    assert not any(ric.is_valid(person["id_number"]) for person in RESIDENTS)


def test_residents_of_pudong_and_longgang_born_in_the_1980s_import_and_pass_identity(tmp_path, libraries):
    csv_path = tmp_path / "residents.csv"
    csv_path.write_text(
        "id_number,name,phone,status\n"
        + "".join(f"{p['id_number'].lower()},{p['name']},{p['phone']},valid\n" for p in RESIDENTS),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_library", "citizens", str(csv_path), stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("citizens: 3 entries")

    for person in RESIDENTS:
        document = application_document(person=person)
        path = tmp_path / "application.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        printed = io.StringIO()
        call_command("check_application", str(path), stdout=printed, stderr=io.StringIO())
        result = json.loads(printed.getvalue())
        identity = next(check for check in result["checks"] if check["library"] == "identity")
        assert (identity["outcome"], identity["findings"]) == ("pass", []), person["name"]
        assert result["outcome"] == "approve"
