from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model

from rules.lists import DISHONEST_PERSONS
from rules.models import ListVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser(username="root", password="pw-for-tests", email="r@example.com")
    client.force_login(user)
    return client


def test_admin_lists_versions_and_masks_id_numbers(admin_client_logged_in, demo_loaded) -> None:
    response = admin_client_logged_in.get("/admin/rules/listversion/")
    assert response.status_code == 200
    assert "dishonest_persons" in response.content.decode()

    version = ListVersion.objects.get(kind=DISHONEST_PERSONS)
    response = admin_client_logged_in.get(f"/admin/rules/listentry/?version__kind={DISHONEST_PERSONS}")
    page = response.content.decode()
    assert response.status_code == 200
    first = demo_loaded[DISHONEST_PERSONS][0]["id_number"]
    assert first[:6] + "********" + first[-4:] in page
    assert first not in page
    assert version.entries.count() == 50


def test_admin_publish_action_switches_versions(admin_client_logged_in, import_rows, demo) -> None:
    from rules.lists import NAME_WORDS

    import_rows(NAME_WORDS, demo[NAME_WORDS])
    import_rows(NAME_WORDS, demo[NAME_WORDS][:5], publish=False)
    draft = ListVersion.objects.get(kind=NAME_WORDS, number=2)
    response = admin_client_logged_in.post(
        "/admin/rules/listversion/", {"action": "publish_selected", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    assert list(ListVersion.objects.filter(kind=NAME_WORDS).order_by("number").values_list("status", flat=True)) == [
        "archived",
        "published",
    ]


# --- Department administrators ------------------------------------------------------------------


def department_admin(client, username: str, *departments: str):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username, password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="department_admin")[0])
    for code in departments:
        user.groups.add(Group.objects.get_or_create(name=f"dept:{code}")[0])
    client.force_login(user)
    return client


def test_a_department_administrator_sees_only_their_departments_lists(client, demo_loaded) -> None:
    market = department_admin(client, "market", "market_regulation")
    page = market.get("/admin/rules/listversion/").content.decode()
    assert "name_words" in page and "enterprises" in page
    assert "dishonest_persons" not in page and "standard_addresses" not in page
    court_version = ListVersion.objects.get(kind=DISHONEST_PERSONS)
    assert market.get(f"/admin/rules/listversion/{court_version.pk}/change/").status_code in (302, 403)
    assert market.get(f"/admin/rules/listversion/{court_version.pk}/export/?format=csv").status_code == 403
    entries = market.get(f"/admin/rules/listentry/?version__kind={DISHONEST_PERSONS}").content.decode()
    assert demo_loaded[DISHONEST_PERSONS][0]["name"] not in entries


def test_staff_outside_the_group_see_no_rule_lists(client, demo_loaded) -> None:
    user = get_user_model().objects.create_user(username="op", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/rules/listversion/").status_code == 403


def test_the_court_searches_its_list_by_id_number_without_storing_it(client, demo_loaded) -> None:
    court = department_admin(client, "court", "court")
    debtor = demo_loaded[DISHONEST_PERSONS][3]
    # In a POST body (the find-by-ID-number page), never in a URL's ?q=.
    response = court.post("/admin/rules/listentry/find-by-id-number/", {"id_number": debtor["id_number"]})
    page = response.content.decode()
    assert "1 条结果" in page
    entry = court.get(page.split('<li><a href="')[1].split('"')[0]).content.decode()
    assert debtor["name"] in entry
    assert debtor["id_number"][:6] + "********" + debtor["id_number"][-4:] in entry
    assert debtor["id_number"] not in page and debtor["id_number"] not in entry


def test_import_screen_reports_every_bad_row_by_line_and_imports_nothing(client, db) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    market = department_admin(client, "market", "market_regulation")
    bad = "word,level,reason\n赌博,prohibited,违背公序良俗\n国际,forbidden,须经批准\n,restricted,空\n"
    response = market.post(
        "/admin/rules/listversion/import/",
        {"kind": "name_words", "file": SimpleUploadedFile("words.csv", bad.encode())},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="line">3<' in page and "level must be one of" in page
    assert 'class="line">4<' in page and "empty required field" in page
    assert not ListVersion.objects.exists()
    # A department may not import another department's list.
    response = market.post(
        "/admin/rules/listversion/import/",
        {"kind": DISHONEST_PERSONS, "file": SimpleUploadedFile("d.csv", b"name,id_number,court,case_number\n")},
    )
    assert "errorlist" in response.content.decode()
    assert not ListVersion.objects.exists()


def test_xlsx_import_uses_spreadsheet_row_numbers(client, db) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    market = department_admin(client, "market", "market_regulation")
    workbook = Workbook()
    sheet = workbook.active
    for row in (
        ["word", "level", "reason"],
        ["赌博", "prohibited", "违背公序良俗"],
        ["国际", "restricted", "须经批准"],
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = market.post(
        "/admin/rules/listversion/import/",
        {"kind": "name_words", "file": SimpleUploadedFile("words.xlsx", buffer.getvalue()), "publish": "on"},
    )
    assert response.status_code == 302
    version = ListVersion.objects.get()
    assert (version.entry_count, version.status, version.published_by) == (2, "published", "market")
    sheet.append(["银行", "sometimes", "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = market.post(
        "/admin/rules/listversion/import/",
        {"kind": "name_words", "file": SimpleUploadedFile("words.xlsx", buffer.getvalue())},
    )
    assert 'class="line">4<' in response.content.decode()


def test_export_diff_publish_and_hits_pages(client, db) -> None:
    from rules.engine import Ports, check_library
    from rules.services import golden_case_create, list_import
    from tests.rules.conftest import subject

    market = department_admin(client, "market", "market_regulation")
    list_import(kind="name_words", text="word,level,reason\n赌博,prohibited,a\n", publish=True)
    list_import(kind="name_words", text="word,level,reason\n赌博,prohibited,a\n云帆,restricted,b\n")
    v1, v2 = ListVersion.objects.order_by("number")
    export = market.get(f"/admin/rules/listversion/{v2.pk}/export/?format=csv")
    assert b"".join(export.streaming_content).decode("utf-8-sig").splitlines() == [
        "word,level,reason,legal_basis",
        "赌博,prohibited,a,",
        "云帆,restricted,b,",
    ]
    xlsx = market.get(f"/admin/rules/listversion/{v2.pk}/export/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    diff = market.get(f"/admin/rules/listversion/{v2.pk}/diff/").content.decode()
    assert "+1 added" in diff and "云帆" in diff

    golden_case_create(
        kind="name_words",
        title="clean name",
        document={"company": {"name": "深圳市云帆科技有限公司"}},
        expected_outcome="pass",
    )
    publish_page = market.get(f"/admin/rules/listversion/{v2.pk}/publish/").content.decode()
    assert "golden-fail" in publish_page and "publishing is refused" in publish_page
    response = market.post(f"/admin/rules/listversion/{v2.pk}/publish/", {"publish": "1", "preview_limit": "0"})
    assert response.status_code == 200
    v2.refresh_from_db()
    assert v2.status == "draft"

    check_library("names", subject(company_name="深圳市赌博科技有限公司"), ports=Ports(), record_hits=True)
    hits = market.get("/admin/rules/listversion/hits/").content.decode()
    assert "prohibited_word" in hits and "赌博" in hits
    entries = market.get(f"/admin/rules/listentry/?version__id__exact={v1.pk}").content.decode()
    assert "hits (30 d)" in entries.lower()


def test_try_it_highlights_the_matched_span(client, demo_loaded) -> None:
    market = department_admin(client, "market", "market_regulation")
    response = market.post(
        "/admin/rules/listversion/tryit/",
        {"company_name": "深圳市賭 博科技有限公司", "address": "", "registered_capital": ""},
    )
    page = response.content.decode()
    assert '深圳市<mark class="ow-span">賭 博</mark>科技有限公司' in page
    assert "prohibited_word" in page
    assert ListVersion.objects.filter(kind="name_words").count() == 1
    from rules.models import HitCount

    assert not HitCount.objects.exists()  # the console stores nothing


def test_golden_cases_are_scoped_and_sealed(client, demo_loaded) -> None:
    import json

    from rules.models import GoldenCase

    court = department_admin(client, "court", "court")
    debtor = demo_loaded[DISHONEST_PERSONS][0]
    document = {
        "company": {"name": "深圳市云帆科技有限公司"},
        "legal_representative": {"name": debtor["name"], "id_number": debtor["id_number"]},
    }
    response = court.post(
        "/admin/rules/goldencase/add/",
        {
            "kind": DISHONEST_PERSONS,
            "library": "dishonest",
            "title": "a debtor goes to review",
            "document": json.dumps(document, ensure_ascii=False),
            "expected_outcome": "review",
            "expected_rule": "dishonest_person",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = GoldenCase.objects.get()
    assert debtor["id_number"] not in json.dumps(case.document)
    listing = court.get("/admin/rules/goldencase/").content.decode()
    assert "✔ pass" in listing
    market = department_admin(client, "market2", "market_regulation")
    assert "a debtor goes to review" not in market.get("/admin/rules/goldencase/").content.decode()
