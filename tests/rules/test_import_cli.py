"""import_library --scope (CONTRACT §2 as updated), the progress bar, and one import at a time."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import CommandError, call_command

from rules.models import ImportJob, ListVersion
from rules.services.import_jobs import (
    ImportAlreadyRunning,
    import_job_create,
    import_job_progress,
    import_job_run,
)

pytestmark = pytest.mark.django_db

WORDS = "word,level,reason\n赌博,prohibited,违背公序良俗\n银行,restricted,金融机构专用\n"


@pytest.fixture
def words_file(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text(WORDS, encoding="utf-8")
    return path


def run(*args: str, stdout=None) -> tuple[str, str]:
    out, err = stdout or io.StringIO(), io.StringIO()
    call_command("import_library", *args, stdout=out, stderr=err)
    return (out.getvalue() if isinstance(out, io.StringIO) else ""), err.getvalue()


def test_scope_loads_into_that_layer_and_defaults_to_national(words_file) -> None:
    national, _ = run("name_words", str(words_file), "--publish")
    local, _ = run("name_words", str(words_file), "--scope", "440000", "--publish")
    assert national.strip() == "name_words: 2 entries, version 1 published"
    assert local.strip() == "name_words (440000): 2 entries, version 1 published"
    assert set(ListVersion.objects.values_list("scope", "number", "status")) == {
        ("national", 1, "published"),
        ("440000", 1, "published"),
    }


@pytest.mark.parametrize("scope", ["guangdong", "4400", "999999"])
def test_a_bad_scope_is_a_cli_error_and_stores_nothing(words_file, scope: str) -> None:
    with pytest.raises(CommandError, match="--scope"):
        run("name_words", str(words_file), "--scope", scope)
    assert not ListVersion.objects.exists() and not ImportJob.objects.exists()


def test_bad_rows_in_a_local_layer_are_reported_by_line(tmp_path, words_file) -> None:
    run("name_words", str(words_file), "--publish")
    path = tmp_path / "local.csv"
    path.write_text("word,level,reason\n湾区,restricted,x\n银行,allowed,本地可用\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_library", "name_words", str(path), "--scope", "440300", stdout=io.StringIO(), stderr=err)
    assert f"{path}:3: relaxes the entry of the national list" in err.getvalue()
    assert not ListVersion.objects.filter(scope="440300").exists()
    assert ImportJob.objects.get(scope="440300").status == "failed"


def test_no_progress_bar_when_stdout_is_not_a_terminal(words_file) -> None:
    out, err = run("name_words", str(words_file))
    assert err == ""
    assert out.strip() == "name_words: 2 entries, version 1 draft"


def test_a_progress_bar_with_rows_per_second_on_a_terminal(words_file) -> None:
    leader, follower = os.openpty()
    terminal = os.fdopen(follower, "w")
    try:
        _, err = run("name_words", str(words_file), stdout=terminal)
    finally:
        terminal.close()
        os.close(leader)
    assert "rows/s" in err


def test_a_second_import_of_the_same_kind_and_scope_is_refused_while_one_runs(words_file) -> None:
    running = import_job_create(kind="name_words", filename="big.csv", data=WORDS.encode(), requested_by="deptadmin")
    with pytest.raises(CommandError, match="another import of name_words is still running, started by deptadmin"):
        run("name_words", str(words_file))
    with pytest.raises(ImportAlreadyRunning):
        import_job_create(kind="name_words", filename="again.csv", data=WORDS.encode())
    # Another scope, or another kind, is not blocked.
    out, _ = run("name_words", str(words_file), "--scope", "440000")
    assert "version 1 draft" in out

    assert import_job_run(job_id=running.pk).status == "done"
    assert import_job_run(job_id=running.pk) is None  # a redelivered task changes nothing
    out, _ = run("name_words", str(words_file))
    assert "version 2 draft" in out


def test_a_job_records_progress_errors_and_removes_its_file() -> None:
    bad = "word,level,reason\n赌博,prohibited,x\n银行,forbidden,x\n"
    job = import_job_create(kind="name_words", filename="bad.csv", data=bad.encode(), scope="440300")
    assert os.path.exists(job.path)
    finished = import_job_run(job_id=job.pk)
    assert finished.status == "failed"
    assert finished.errors == [[3, "level must be one of prohibited, restricted, allowed, not 'forbidden'"]]
    assert import_job_progress(job=finished)["rows_total"] == 2
    assert not os.path.exists(job.path)


def test_a_stale_job_does_not_block_the_list_forever(words_file) -> None:
    import datetime

    from django.utils import timezone

    job = import_job_create(kind="name_words", filename="lost.csv", data=WORDS.encode())
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    out, _ = run("name_words", str(words_file))
    assert "version 1 draft" in out
    job.refresh_from_db()
    assert job.status == "failed" and "stopped without finishing" in job.errors[0][1]
