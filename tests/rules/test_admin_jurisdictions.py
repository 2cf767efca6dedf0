"""The admin by jurisdiction: a Guangdong administrator edits Guangdong's layer and sees the
national one read-only; relaxations are shown; the console names its layers; exports are inert;
big imports run as background jobs."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from rules.models import ImportJob, ListVersion
from rules.services import list_import
from rules.services.import_jobs import import_job_run

pytestmark = pytest.mark.django_db

BASIS = "《广东省企业名称登记管理办法》第五条"


def administrator(client, username: str, *, scope: str | None = None):
    user = get_user_model().objects.create_user(username=username, password="pw-for-tests", is_staff=True)
    for name in ("department_admin", "dept:market_regulation", *([f"scope:{scope}"] if scope else [])):
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    client.force_login(user)
    return client


@pytest.fixture
def layers() -> dict[str, ListVersion]:
    list_import(kind="name_words", text="word,level,reason\n银行,restricted,金融机构专用\n", publish=True)
    list_import(
        kind="name_words",
        text=f"word,level,reason,legal_basis\n银行,allowed,广东省准予使用,{BASIS}\n湾区,restricted,须经批准,\n",
        scope="440000",
        publish=True,
    )
    list_import(kind="name_words", text="word,level,reason\n京畿,restricted,x\n", scope="110000", publish=True)
    return {v.scope: v for v in ListVersion.objects.all()}


def test_a_guangdong_administrator_edits_guangdong_and_reads_national(client, layers) -> None:
    guangdong = administrator(client, "gd", scope="440000")
    page = guangdong.get("/admin/rules/listversion/").content.decode()
    assert "广东省 (440000)" in page and "全国 / national" in page
    assert "北京市 (110000)" not in page  # another province is not theirs to see
    assert page.count("只读 / read-only") == 1

    national, local, beijing = layers["national"], layers["440000"], layers["110000"]
    assert guangdong.get(f"/admin/rules/listversion/{national.pk}/export/?format=csv").status_code == 200
    assert guangdong.get(f"/admin/rules/listversion/{national.pk}/publish/").status_code == 403
    assert guangdong.get(f"/admin/rules/listversion/{beijing.pk}/export/?format=csv").status_code == 403
    assert guangdong.get(f"/admin/rules/listversion/{local.pk}/publish/").status_code == 200
    response = guangdong.post(
        "/admin/rules/listversion/", {"action": "publish_selected", "_selected_action": [national.pk]}
    )
    assert response.status_code == 403

    # Imports go to Guangdong's layer (or one within it), never to the national one.
    words = SimpleUploadedFile("w.csv", "word,level,reason\n大湾区,restricted,x\n".encode())
    refused = guangdong.post(
        "/admin/rules/listversion/import/", {"kind": "name_words", "scope": "national", "file": words}
    )
    assert "管辖范围" in refused.content.decode()
    assert not ListVersion.objects.filter(scope="national", number=2).exists()
    words.seek(0)
    done = guangdong.post("/admin/rules/listversion/import/", {"kind": "name_words", "file": words})
    assert done.status_code == 302
    assert ListVersion.objects.filter(scope="440000", number=2).exists()
    words.seek(0)
    city = guangdong.post("/admin/rules/listversion/import/", {"kind": "name_words", "scope": "440300", "file": words})
    assert city.status_code == 302 and ListVersion.objects.filter(scope="440300").exists()


def test_a_national_administrator_edits_every_layer(client, layers) -> None:
    national = administrator(client, "nat")
    page = national.get("/admin/rules/listversion/").content.decode()
    assert "北京市 (110000)" in page and "只读 / read-only" not in page
    assert national.get(f"/admin/rules/listversion/{layers['440000'].pk}/publish/").status_code == 200


def test_relaxations_are_shown_with_their_legal_basis(client, layers) -> None:
    guangdong = administrator(client, "gd", scope="440000")
    versions = guangdong.get("/admin/rules/listversion/").content.decode()
    assert "relaxes=yes" in versions
    local = layers["440000"]
    entries = guangdong.get(f"/admin/rules/listentry/?version__id__exact={local.pk}&relaxes=yes").content.decode()
    assert "全国 / national v1: restricted → allowed" in entries and BASIS in entries
    assert "湾区" not in entries  # not a relaxation


def test_the_console_shows_the_layers_that_applied(client, layers) -> None:
    guangdong = administrator(client, "gd", scope="440000")
    response = guangdong.post(
        "/admin/rules/listversion/tryit/", {"company_name": "深圳市湾区科技有限公司", "authority": "440305"}
    )
    page = response.content.decode()
    assert 'data-list="name_words" data-scope="440000"' in page
    assert 'data-list="name_words" data-scope="national"' in page
    assert "广东省 (440000)" in page and "restricted_word" in page
    bad = guangdong.post("/admin/rules/listversion/tryit/", {"company_name": "x", "authority": "mars"})
    assert "errorlist" in bad.content.decode()


def test_exports_escape_formula_cells_in_csv_and_xlsx(client) -> None:
    from openpyxl import load_workbook

    crafted = '=HYPERLINK("http://example.com","点击")'
    list_import(
        kind="name_words", text=f'word,level,reason\n赌博,prohibited,"{crafted.replace(chr(34), 2 * chr(34))}"\n'
    )
    version = ListVersion.objects.get()
    market = administrator(client, "market")

    csv_text = b"".join(market.get(f"/admin/rules/listversion/{version.pk}/export/?format=csv").streaming_content)
    assert f"'{crafted}" in csv_text.decode("utf-8-sig").replace('""', '"')

    xlsx = market.get(f"/admin/rules/listversion/{version.pk}/export/?format=xlsx").content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s"  # a string, not a formula
    assert cell.value == "'" + crafted

    # The exported file imports back unchanged: the apostrophe is dropped again.
    list_import(kind="name_words", text=csv_text.decode("utf-8-sig"))
    assert ListVersion.objects.get(number=2).entries.get().data["reason"] == crafted


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_is_escaped(prefix: str) -> None:
    from rules.services.export import cell_escape, cell_unescape

    assert cell_escape(prefix + "1+1") == "'" + prefix + "1+1"
    assert cell_unescape(cell_escape(prefix + "1+1")) == prefix + "1+1"
    assert cell_escape("深圳") == "深圳"


def test_a_big_import_runs_as_a_background_job_with_the_same_report(
    client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.RULES_BACKGROUND_IMPORT_BYTES = 10
    market = administrator(client, "market")
    bad = "word,level,reason\n赌博,prohibited,x\n国际,forbidden,须经批准\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = market.post(
            "/admin/rules/listversion/import/",
            {"kind": "name_words", "file": SimpleUploadedFile("words.csv", bad.encode())},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{job.pk}/")
    assert len(callbacks) == 1  # the task is sent once the job is committed
    assert job.status == "queued"

    # While it waits, a second import of the same list is refused with a clear message.
    again = market.post(
        "/admin/rules/listversion/import/",
        {"kind": "name_words", "file": SimpleUploadedFile("again.csv", bad.encode())},
    )
    assert "another import of name_words is still running" in again.content.decode()
    assert ImportJob.objects.count() == 1

    import_job_run(job_id=job.pk)  # what the worker does with the job id
    status = market.get(f"/admin/rules/listversion/import/{job.pk}/status/").json()
    assert status["status"] == "failed" and status["errors"] == [[3, status["errors"][0][1]]]
    page = market.get(f"/admin/rules/listversion/import/{job.pk}/").content.decode()
    assert 'class="line">3<' in page and "level must be one of" in page
    assert not ListVersion.objects.exists()

    other = administrator(client.__class__(), "court-like", scope="110000")
    assert other.get(f"/admin/rules/listversion/import/{job.pk}/status/").status_code == 403
