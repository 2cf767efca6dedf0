"""Shared fixtures: API clients, small rule libraries, citizens, and real Celery workers."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

if TYPE_CHECKING:
    from applications.models import Application

REPO_ROOT = Path(__file__).resolve().parent.parent

WORDS_CSV = """word,level,reason
赌博,prohibited,违反公序良俗
色情,prohibited,违反公序良俗
中国,restricted,冠以"中国"须经国务院批准
"""
ENTERPRISES_CSV = """name,credit_code
深圳市腾云科技有限公司,91440300MA5G00001W
"""
ADDRESSES_CSV = """code,full_address,district,street,road,number,building
SZ-NS-0001,广东省深圳市南山区粤海街道科苑路15号科兴科学园A栋,南山区,粤海街道,科苑路,15号,科兴科学园A栋
SZ-NS-0002,广东省深圳市南山区粤海街道高新南一道8号创维大厦B座,南山区,粤海街道,高新南一道,8号,创维大厦B座
SZ-FT-0001,广东省深圳市福田区福田街道福华一路6号免税商务大厦,福田区,福田街道,福华一路,6号,免税商务大厦
"""
BLACKLIST_CSV = """address,reason
SZ-FT-0001,违章建筑，不得作为住所登记
"""


def _valid_id(prefix17: str) -> str:
    from stdnum.cn import ric

    # calc_check_digit expects the full 18 characters and ignores the last one.
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


CLEAN_PERSON = {"name": "张伟", "id_number": _valid_id("11010519850312001"), "phone": "13800138000"}
SECOND_PERSON = {"name": "李娜", "id_number": _valid_id("11010219900101002"), "phone": "13900139000"}
# The check character of this one is X, to test the lowercase x on the dishonest list.
DISHONEST_PERSON = {"name": "王强", "id_number": "", "phone": "13700137000"}
for _serial in range(100, 999):
    _candidate = _valid_id(f"11010119800101{_serial:03d}")
    if _candidate.endswith("X"):
        DISHONEST_PERSON["id_number"] = _candidate
        break
DISHONEST_CSV = f"""name,id_number,court,case_number,published_on
王强,{DISHONEST_PERSON["id_number"].lower()},深圳市南山区人民法院,(2024)粤0305执1234号,2024-05-01
"""


def citizens_csv(*people: dict, status: str = "valid") -> str:
    rows = [f"{p['id_number']},{p['name']},{p['phone']},{status}" for p in people]
    return "id_number,name,phone,status\n" + "\n".join(rows) + "\n"


def application_document(
    *, name: str = "深圳市云帆科技有限公司", person: dict | None = None, **company: object
) -> dict:
    person = person or CLEAN_PERSON
    return {
        "company": {
            "name": name,
            "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
            "business_scope": "软件开发；信息技术咨询服务",
            "registered_capital": "1000000.00",
            "employees": 5,
            **company,
        },
        "legal_representative": {k: person[k] for k in ("name", "id_number", "phone")},
        "shareholders": [{"name": person["name"], "id_number": person["id_number"], "contribution": "1000000.00"}],
    }


@pytest.fixture
def libraries(db: None) -> None:
    """Small published libraries, loaded the way administrators load them.

    Also the default sharing policies: the migration seeds them, but transactional tests flush
    every table between tests.
    """
    from exchange.policy import sharing_policy_seed_defaults
    from rules.services import list_import

    sharing_policy_seed_defaults()

    for kind, text in [
        ("name_words", WORDS_CSV),
        ("enterprises", ENTERPRISES_CSV),
        ("standard_addresses", ADDRESSES_CSV),
        ("address_blacklist", BLACKLIST_CSV),
        ("dishonest_persons", DISHONEST_CSV),
    ]:
        list_import(kind=kind, text=text, publish=True, source="test")


@pytest.fixture
def citizens(db: None) -> None:
    from exchange.services import citizens_import

    citizens_import(csv_text=citizens_csv(CLEAN_PERSON, SECOND_PERSON, DISHONEST_PERSON))


@pytest.fixture
def registry_with_photos(db: None, tmp_path: Path) -> None:
    """CLEAN_PERSON and SECOND_PERSON in the citizen registry with their photos: the astronaut
    (scikit-image) and Grace Hopper (matplotlib), each the other's "another face"; their phones
    registered with the carrier in their names."""
    from exchange.services import citizens_import
    from intake.demo_photos import astronaut_image, encoded, grace_hopper_image

    encoded_dir = tmp_path / "photos"
    encoded_dir.mkdir()
    (encoded_dir / "clean.png").write_bytes(encoded(astronaut_image()))
    (encoded_dir / "second.jpg").write_bytes(encoded(grace_hopper_image(), format="JPEG"))
    rows = [
        f"{CLEAN_PERSON['id_number']},{CLEAN_PERSON['name']},{CLEAN_PERSON['phone']},valid,photos/clean.png",
        f"{SECOND_PERSON['id_number']},{SECOND_PERSON['name']},{SECOND_PERSON['phone']},valid,photos/second.jpg",
    ]
    citizens_import(csv_text="id_number,name,phone,status,photo\n" + "\n".join(rows) + "\n", photo_dir=tmp_path)


@pytest.fixture
def api_client_for(db: None) -> Callable[..., APIClient]:
    """An API client for an integrator. Trusted to attest presence unless asked otherwise, so that
    the suites about the pipeline measure the pipeline; the proof-of-presence suites (tests/identity)
    ask for an untrusted one, as every real client is by default."""
    from accounts.services import api_client_create

    def make(name: str, *, attests_presence: bool = True) -> APIClient:
        _, key = api_client_create(name=name, attests_presence=attests_presence)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def trusted_channel() -> object:
    """The API client that attests presence for applications the tests submit directly
    (`application_submit(..., presence_attested_by=trusted_channel())`): a service hall that
    verified the people in person, so the checks start at once."""
    from accounts.models import ApiClient

    client, _ = ApiClient.objects.get_or_create(
        name="test-service-hall",
        defaults={"key_prefix": "hall", "key_hash": ApiClient.hash_key("test-service-hall"), "attests_presence": True},
    )
    return client


def everyone_verified(application: object) -> None:
    """Every principal of a waiting application has verified (code, face, consent), as their own
    pages would record it, and the checks start. For suites about what happens after presence;
    tests/identity drives the real steps against the simulated carrier and public security."""
    from django.utils import timezone

    from identity.models import Verification
    from identity.services import presence_advance

    now = timezone.now()
    Verification.objects.filter(application=application).update(
        status="verified",
        code_verified_at=now,
        face_outcome="match",
        face_distance=0.3,
        face_threshold=0.6,
        consented_at=now,
        verified_at=now,
    )
    presence_advance(application_id=application.pk)


def database_url_for_workers() -> str:
    """The URL of the database this test session uses (the test database, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_workers(django_db_setup: None, django_db_blocker: object, live_server: object) -> Iterator[str]:
    """Two real Celery worker processes (checks, departments) on the test database and broker.

    The departments are reached over real HTTP at the live server.
    """
    departments_url = f"{live_server.url}/departments/"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "DEPARTMENTS_URL": departments_url,
        "ONEWINDOW_VAR_DIR": str(settings.VAR_DIR),
        "DEPARTMENT_LATENCY_MS": "0-20",
        "WORKFLOW_RETRY_BASE_SECONDS": "0.2",
        "PYTHONPATH": f"{REPO_ROOT / 'platform'}{os.pathsep}{REPO_ROOT}",
    }
    from workflow.services import department_queues

    queues = ",".join(sorted(department_queues()))
    celery = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "WARNING",
    ]
    logs = Path(settings.VAR_DIR) / "worker-logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = [
        subprocess.Popen(
            [*celery, "-Q", "checks,pipeline", "-c", "2", "-n", f"checks-{os.getpid()}@%h"],
            cwd=REPO_ROOT,
            env=env,
            stdout=(logs / "checks.log").open("w"),
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(
            [*celery, "-Q", queues, "-P", "threads", "-c", "8", "-n", f"departments-{os.getpid()}@%h"],
            cwd=REPO_ROOT,
            env=env,
            stdout=(logs / "departments.log").open("w"),
            stderr=subprocess.STDOUT,
        ),
    ]
    time.sleep(2)
    for process in processes:
        assert process.poll() is None, f"a Celery worker exited at start; see {logs}"
    _WORKERS_RUNNING.set()
    yield departments_url
    _WORKERS_RUNNING.clear()
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


_WORKERS_RUNNING = threading.Event()


def settle(application_id: object, *, timeout: float = 60.0) -> None:
    """Lets the session's workers finish an application a test leaves behind.

    A transactional test's teardown truncates every table; a worker still dispatching the
    application would hold row locks against that and could deadlock it (PostgreSQL).
    """
    if not _WORKERS_RUNNING.is_set():
        return
    from applications.models import Application

    wait_for(lambda: Application.objects.get(pk=application_id).is_terminal, timeout=timeout)


def wait_for(predicate: Callable[[], object], *, timeout: float = 60.0, interval: float = 0.2) -> object:
    """Polls until predicate() is truthy. A deadline for a wait, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def bare_application(*, checks: int = 0, status: str = "submitted") -> "Application":
    """An application row with no persons, work items or presence stage, and `checks` pending
    checks (libraries lib0, lib1, …). Without checks no worker of the session can touch it, so
    only a test's own change can move it or wake its waiters."""
    from applications.models import Application, Check

    application = Application.objects.create(
        status=status,
        company_name="深圳市晨曦科技有限公司",
        address="深圳市南山区科苑路15号",
        business_scope="软件开发",
        registered_capital=1,
    )
    Check.objects.bulk_create(Check(application=application, library=f"lib{i}", position=i) for i in range(checks))
    return application


def api_submit(client: APIClient, document: dict) -> dict:
    response = client.post("/api/v1/applications/", document, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def api_until_status(client: APIClient, application_id: str, *statuses: str, timeout: float = 90) -> dict:
    """Polls the API until the application reaches one of the statuses; returns its body."""

    def poll() -> dict | None:
        body = client.get(f"/api/v1/applications/{application_id}/").json()
        return body if body["status"] in statuses else None

    return wait_for(poll, timeout=timeout)


def server_configured() -> bool:
    return bool(os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if server_configured():
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL=postgres://… and REDIS_URL=redis://… (CI sets them)")
    for item in items:
        if "server" in item.keywords:
            item.add_marker(skip)
