"""CONTRACT §2–3: import_library and check_application, as administrators run them."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from applications.models import Application
from exchange.models import ExchangeRecord
from rules.models import ListEntry, ListVersion
from tests.conftest import DISHONEST_PERSON, SECOND_PERSON, WORDS_CSV, application_document, citizens_csv

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_library_prints_one_summary_line_and_publishes(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text(WORDS_CSV, encoding="utf-8")

    draft, _ = _run("import_library", "name_words", str(path))
    published, _ = _run("import_library", "name_words", str(path), "--publish")

    assert draft.strip() == "name_words: 3 entries, version 1 draft"
    assert published.strip() == "name_words: 3 entries, version 2 published"
    assert ListVersion.objects.get(kind="name_words", status="published").number == 2


def test_import_library_reports_every_bad_row_by_line_and_imports_nothing(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("word,level,reason\n赌博,prohibited,x\n银行,forbidden,x\n,restricted,x\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 bad row"):
        call_command("import_library", "name_words", str(path), "--publish", stdout=io.StringIO(), stderr=err)

    assert f"{path}:3:" in err.getvalue()
    assert f"{path}:4:" in err.getvalue()
    assert ListVersion.objects.count() == 0
    assert ListEntry.objects.count() == 0


def test_import_library_refuses_an_unknown_kind_and_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="unknown kind"):
        _run("import_library", "planets", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="no such file"):
        _run("import_library", "name_words", str(tmp_path / "missing.csv"))


def test_citizens_load_into_the_public_security_registry_over_http(tmp_path):
    path = tmp_path / "citizens.csv"
    path.write_text(citizens_csv(SECOND_PERSON), encoding="utf-8")

    out, _ = _run("import_library", "citizens", str(path))

    assert out.startswith("citizens: 1 entries")


def test_bad_citizen_rows_are_reported_by_line_with_masked_numbers(tmp_path):
    path = tmp_path / "citizens.csv"
    bad_id = SECOND_PERSON["id_number"][:-1] + ("0" if SECOND_PERSON["id_number"][-1] != "0" else "1")
    path.write_text(citizens_csv(SECOND_PERSON) + f"{bad_id},赵六,13800000000,valid\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_library", "citizens", str(path), stdout=io.StringIO(), stderr=err)

    assert f"{path}:3:" in err.getvalue()
    assert bad_id not in err.getvalue()


def _check(tmp_path, document: dict) -> dict:
    path = tmp_path / "application.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out, _ = _run("check_application", str(path))
    return json.loads(out)


def test_check_application_approves_a_clean_application_and_stores_nothing(tmp_path, libraries, citizens):
    records_before = ExchangeRecord.objects.count()

    result = _check(tmp_path, application_document())

    assert result["outcome"] == "approve"
    assert [c["library"] for c in result["checks"]] == ["names", "addresses", "identity", "dishonest"]
    assert all(c["outcome"] == "pass" for c in result["checks"])
    assert Application.objects.count() == 0
    assert ExchangeRecord.objects.count() == records_before


def test_check_application_rejects_evasive_prohibited_words(tmp_path, libraries, citizens):
    result = _check(tmp_path, application_document(name="深圳市賭 · 博娛樂有限公司"))

    assert result["outcome"] == "reject"
    names = result["checks"][0]
    assert names["outcome"] == "reject"
    assert names["findings"][0]["outcome"] == "reject"


def test_check_application_refuses_characters_no_name_may_contain(tmp_path, libraries, citizens):
    # "．" slipped into a word: refused as input before any library runs (the libraries reject it too).
    with pytest.raises(CommandError, match="company.name: .*U\\+FF0E"):
        _check(tmp_path, application_document(name="深圳市賭．博娛樂有限公司"))


def test_check_application_sends_a_dishonest_person_to_review(tmp_path, libraries, citizens):
    result = _check(tmp_path, application_document(person=DISHONEST_PERSON))

    assert result["outcome"] == "review"
    dishonest = next(c for c in result["checks"] if c["library"] == "dishonest")
    assert dishonest["outcome"] == "review"
    assert DISHONEST_PERSON["id_number"] not in json.dumps(result)


def test_check_application_rejects_a_blacklisted_and_an_unknown_address(tmp_path, libraries, citizens):
    blacklisted = _check(tmp_path, application_document(address="深圳市福田区福华一路６号免税商务大厦"))
    unknown = _check(tmp_path, application_document(address="深圳市南山区不存在路999号"))

    assert blacklisted["outcome"] == unknown["outcome"] == "reject"


def test_check_application_rejects_an_id_checksum_error(tmp_path, libraries, citizens):
    wrong = SECOND_PERSON["id_number"][:-1] + ("0" if SECOND_PERSON["id_number"][-1] != "0" else "1")
    result = _check(tmp_path, application_document(person={**SECOND_PERSON, "id_number": wrong}))

    identity = next(c for c in result["checks"] if c["library"] == "identity")
    assert identity["outcome"] == "reject"
    assert wrong not in json.dumps(result)


def test_check_application_explains_invalid_files(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"company": ', encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        _run("check_application", str(path))
    path.write_text(json.dumps({"company": {}}), encoding="utf-8")
    with pytest.raises(CommandError, match="company"):
        _run("check_application", str(path))
