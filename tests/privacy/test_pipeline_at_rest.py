"""The whole pipeline on real workers, then the database and the logs searched from outside for
ID and phone numbers: the dump holds none in the clear, the logs none unmasked."""

import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import (
    CLEAN_PERSON,
    DISHONEST_PERSON,
    SECOND_PERSON,
    api_submit,
    api_until_status,
    application_document,
)

pytestmark = [pytest.mark.pipeline, pytest.mark.django_db(transaction=True)]

PEOPLE = (CLEAN_PERSON, SECOND_PERSON, DISHONEST_PERSON)
# An unmasked resident ID number or mainland mobile number, wherever it stands.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
PHONE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def secrets_of(people: tuple[dict, ...]) -> list[str]:
    values = []
    for person in people:
        values += [person["id_number"], person["id_number"].lower(), person["phone"]]
    return values


def found_in(text: str, values: list[str]) -> list[str]:
    """Where any value occurs, shown masked (the failure message is output too)."""
    hits = []
    for value in values:
        for match in re.finditer(re.escape(value), text):
            context = text[max(0, match.start() - 80) : match.start()].replace("\n", " ")
            hits.append(f"{value[:3]}…{value[-2:]} after: {context!r}")
    return hits


def database_dump() -> str:
    """Every table as text, read from outside Django's models."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(db["NAME"])) as raw:
            return "\n".join(raw.iterdump())
    pg_dump = shutil.which("pg_dump")
    if pg_dump:
        result = subprocess.run(
            [pg_dump, "-h", db["HOST"] or "localhost", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
            env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
            capture_output=True,
            text=True,
        )
        if result.returncode == 0:
            return result.stdout
    # No usable pg_dump (absent, or older than the server): every row of every table.
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            parts.append(f"-- {table}\n" + "\n".join(repr(row) for row in cursor.fetchall()))
    return "\n".join(parts)


def run_pipeline(client) -> list[dict]:
    """A clean application with a separate handler, a rejected one, and a dishonest legal
    representative approved by a reviewer: every path that touches personal data."""
    from accounts.models import Role
    from accounts.services import user_create_with_role
    from review.services import case_claim, case_decide

    # A name no other test registers: market regulation refuses a name already on its register.
    clean = application_document(name="深圳市澄川嘉树科技有限公司")
    clean["handler"] = dict(SECOND_PERSON)
    clean["shareholders"].append({**{k: SECOND_PERSON[k] for k in ("name", "id_number")}, "contribution": "1.00"})
    rejected = application_document(name="深圳市赌博娱乐有限公司", person=SECOND_PERSON)
    dishonest = application_document(name="深圳市鸿羽锦华贸易有限公司", person=DISHONEST_PERSON)
    dishonest["legal_representative"]["id_number"] = DISHONEST_PERSON["id_number"].lower()
    created = [api_submit(client, document) for document in (clean, rejected, dishonest)]

    assert api_until_status(client, created[2]["id"], "manual_review")["status"] == "manual_review"
    reviewer = user_create_with_role(username="reviewer", password="a-long-test-password", role=Role.REVIEWER)
    case_claim(application_id=created[2]["id"], reviewer=reviewer)
    case_decide(application_id=created[2]["id"], reviewer=reviewer, decision="approve", reason="已核实，债务已履行")

    bodies = [
        api_until_status(client, created[0]["id"], "completed", "incomplete"),
        api_until_status(client, created[1]["id"], "rejected"),
        api_until_status(client, created[2]["id"], "completed", "incomplete"),
    ]
    assert [b["status"] for b in bodies] == ["completed", "rejected", "completed"], bodies
    assert all(d["status"] == "done" for d in bodies[0]["departments"]), bodies[0]
    return bodies


def test_a_database_dump_after_the_pipeline_holds_no_plaintext_id_or_phone(
    celery_workers, libraries, citizens, api_client_for
):
    bodies = run_pipeline(api_client_for("agency"))

    # The data did travel: the persons decrypt in memory and every department answered.
    from applications.models import Person

    assert Person.objects.filter(id_number=DISHONEST_PERSON["id_number"]).count() == 2
    dump = database_dump()
    assert "intake_person" in dump and "departments_citizen" in dump
    assert found_in(dump, secrets_of(PEOPLE)) == []
    # API answers to integrators carry no person, and findings only masked numbers.
    assert found_in(json.dumps(bodies, ensure_ascii=False), secrets_of(PEOPLE)) == []
    findings = json.dumps([c["findings"] for c in bodies[2]["checks"]], ensure_ascii=False)
    assert DISHONEST_PERSON["id_number"][:6] + "********" + DISHONEST_PERSON["id_number"][-4:] in findings


def test_the_logs_of_a_pipeline_run_hold_no_unmasked_id_or_phone(
    celery_workers, libraries, citizens, api_client_for, caplog
):
    caplog.set_level(logging.DEBUG)
    worker_logs = sorted((Path(settings.VAR_DIR) / "worker-logs").glob("*.log"))
    assert worker_logs, "the workers write their logs here"
    already = {path: path.stat().st_size for path in worker_logs}

    run_pipeline(api_client_for("agency"))

    records = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert records, "the run logged something to search"
    assert found_in(records, secrets_of(PEOPLE)) == []
    assert ID_PATTERN.findall(records) == [] and PHONE_PATTERN.findall(records) == []
    for path in worker_logs:
        with path.open(encoding="utf-8", errors="replace") as log:
            log.seek(already[path])
            text = log.read()
        assert found_in(text, secrets_of(PEOPLE)) == [], path
        assert ID_PATTERN.findall(text) == [] and PHONE_PATTERN.findall(text) == [], path
    # Task arguments: whatever is still on the embedded broker's disk names IDs only.
    broker = Path(settings.VAR_DIR) / "broker"
    if broker.exists():
        for message in broker.rglob("*"):
            if message.is_file():
                assert found_in(message.read_text(errors="replace"), secrets_of(PEOPLE)) == [], message
