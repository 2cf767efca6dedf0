"""Load benchmark of the whole pipeline, against a running OneWindow (`make run`).

    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --count 400 --concurrency 20 \
        [--pg-url postgres://onewindow:onewindow@127.0.0.1:5432/onewindow] \
        [--departments-pg-url postgres://onewindow:onewindow@127.0.0.1:5432/onewindow_departments]

Clean applications go in through the REST API, as integrators send them; each client polls its
application with If-None-Match until it is terminal. In one run it measures:

1. one application at a time (the baseline);
2. COUNT applications from CONCURRENCY clients at once: completed/s, p50/p95/p99 from submit to
   completed, CPU-ms per application (platform, and within it each kind of process; simulators,
   database; read from /proc for every process of the running system), PostgreSQL transactions
   and statements per application
   (pg_stat_database, pg_stat_statements when installed), the same for the simulated
   departments' own database when it is on PostgreSQL, and the audit backlog at the end;
3. with every department answering in LATENCY ms: one application's end-to-end time against
   its critical path (market regulation plus the slowest other department, from the work items'
   own timestamps), and against the same departments called one after another (the same
   department requests, sent in sequence over HTTP by this script with the platform's own
   exchange client), plus the application's own check stage.

The departments' latency is restored afterwards.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
import psutil
from sample import application_body, clean_person, trusted_key

REPO_ROOT = Path(__file__).resolve().parent.parent
TERMINAL = {"completed", "incomplete", "rejected", "manual_review", "returned", "lapsed"}
# Common characters for trade names (字号): four of them give millions of distinct names, so
# the names library's similarity check against the growing register stays quiet.
TRADE_CHARACTERS = (
    "云帆星河青禾远峰澄明知行拓新朗润嘉树鸿羽川卓越锦华瑞丰恒泰启航博雅睿智晨曦"
    "腾跃海岳松柏竹梅兰菊溪泉石林森桥灯塔鼎盛金玉宏图永安康宁福源和顺通达信诚"
)


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def document(person: dict, rng: random.Random) -> dict:
    trade = "".join(rng.choice(TRADE_CHARACTERS) for _ in range(4))
    return application_body(person, company_name=f"深圳市{trade}科技有限公司")


class Client:
    """One integrator connection: submit, then poll cheaply (304 while nothing changed)."""

    def __init__(self, base_url: str, key: str, poll_seconds: float) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Token {key}"}, timeout=60)
        self.poll_seconds = poll_seconds
        self.requests = 0

    def run_one(self, body: dict) -> tuple[float, dict]:
        started = time.monotonic()
        response = self.http.post("/api/v1/applications/", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        response.raise_for_status()
        self.requests += 1
        application, etag = response.json(), response.headers.get("ETag")
        while application["status"] not in TERMINAL:
            if etag is None:
                time.sleep(self.poll_seconds)
            # A long poll: the server answers as soon as the application changes.
            answer = self.http.get(
                f"/api/v1/applications/{application['id']}/",
                params={"wait": 10} if etag else {},
                headers={"If-None-Match": etag} if etag else {},
            )
            self.requests += 1
            if answer.status_code == 200:
                application, etag = answer.json(), answer.headers.get("ETag")
            elif answer.status_code != 304:
                answer.raise_for_status()
        return time.monotonic() - started, application


def cpu_by_role(departments_port: int) -> dict[str, float]:
    """CPU seconds used so far by the platform, the simulators and the database servers."""
    totals = {"platform": 0.0, "simulators": 0.0, "database": 0.0, "broker": 0.0}
    me = os.getpid()
    for process in psutil.process_iter(["pid", "name", "cmdline", "cpu_times"]):
        info = process.info
        if info["pid"] == me or not info["cpu_times"]:
            continue
        command = " ".join(info["cmdline"] or [])
        times = info["cpu_times"]
        # Children that ended (PostgreSQL backends, recycled workers) count in their parent's
        # children_* times, so short-lived processes are not lost between the two readings.
        seconds = times.user + times.system + times.children_user + times.children_system
        if info["name"] == "postgres" or command.startswith("postgres"):
            totals["database"] += seconds
        elif "redis-server" in command:
            totals["broker"] += seconds
        elif _in_repository(process):
            if f":{departments_port}" in command:
                totals["simulators"] += seconds
            elif "gunicorn" in command or "celery" in command:
                totals["platform"] += seconds
                part = _platform_part(command)
                totals[part] = totals.get(part, 0.0) + seconds
    return totals


# The platform's processes by what they run (the Procfile's and docker-compose's command lines).
PLATFORM_PARTS = ("web", "check worker", "department worker", "beat")


def _platform_part(command: str) -> str:
    if "gunicorn" in command:
        return "web"
    if " beat" in command:
        return "beat"
    return "check worker" if "-Q checks" in command else "department worker"


def _in_repository(process: psutil.Process) -> bool:
    try:
        return Path(process.cwd()).resolve() == REPO_ROOT
    except (psutil.Error, OSError):
        return False


def _postgres_only(url: str | None) -> str | None:
    return url if url and url.startswith("postgres") else None


def pg_counters(pg_url: str | None) -> dict[str, float] | None:
    if not pg_url:
        return None
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT xact_commit + xact_rollback, tup_inserted, tup_updated, tup_deleted "
            "FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        counters = {"transactions": row[0], "inserted": row[1], "updated": row[2], "deleted": row[3]}
        has_statements = connection.execute(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"
        ).fetchone()
        if has_statements:
            counters["statements"] = connection.execute(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ).fetchone()[0]
    return counters


def run_phase(*, clients: list[Client], bodies: list[dict]) -> tuple[float, list[tuple[float, dict]]]:
    queue = list(enumerate(bodies))
    lock = threading.Lock()
    results: list[tuple[float, dict]] = []

    def worker(client: Client) -> None:
        while True:
            with lock:
                if not queue:
                    return
                _, body = queue.pop()
            outcome = client.run_one(body)
            with lock:
                results.append(outcome)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        list(pool.map(worker, clients))
    return time.monotonic() - started, results


def describe(label: str, wall: float, results: list[tuple[float, dict]]) -> str:
    times = [t for t, body in results if body["status"] == "completed"]
    statuses: dict[str, int] = {}
    for _, body in results:
        statuses[body["status"]] = statuses.get(body["status"], 0) + 1
    line = f"{label}: {len(results)} applications in {wall:.1f} s, statuses {statuses}"
    if times:
        line += (
            f"; {len(times) / wall:.1f} completed/s; submit→completed p50 {percentile(times, 50):.2f} s,"
            f" p95 {percentile(times, 95):.2f} s, p99 {percentile(times, 99):.2f} s"
        )
    return line


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def critical_path_seconds(application: dict) -> float:
    durations = {
        d["department"]: _timestamp(d["finished_at"]) - _timestamp(d["started_at"])
        for d in application["departments"]
        if d["started_at"] and d["finished_at"]
    }
    others = [seconds for department, seconds in durations.items() if department != "market_regulation"]
    return durations["market_regulation"] + max(others, default=0.0)


def setup_django(departments_url: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEPARTMENTS_URL"] = departments_url
    sys.path[:0] = [str(REPO_ROOT / "platform"), str(REPO_ROOT)]
    import django

    django.setup()


def set_latency(codes: list[str], latency: tuple[int, int] | None, saved: dict) -> dict:
    """Sets every department's latency; returns the previous settings (restored with latency=None)."""
    from exchange.client import DepartmentAuth, department_client

    previous = {}
    for code in codes:
        auth = DepartmentAuth(code)
        current = department_client().get(f"{code}/config/", auth=auth).json()
        previous[code] = {"latency_ms_min": current["latency_ms_min"], "latency_ms_max": current["latency_ms_max"]}
        change = saved[code] if latency is None else {"latency_ms_min": latency[0], "latency_ms_max": latency[1]}
        department_client().put(f"{code}/config/", json=change, auth=auth).raise_for_status()
    return previous


def sequential_calls_seconds(body: dict, codes: list[str]) -> float:
    """The departments called one after another, as a sequential dispatcher would."""
    from exchange.services import department_submit

    document_with_id = {**body, "application_id": str(uuid.uuid4()), "credit_code": None, "departments": codes}
    started = time.monotonic()
    for code in codes:  # market regulation first: it issues the credit code the others need
        answer = department_submit(department=code, document=document_with_id, idempotency_key=f"bench-{uuid.uuid4()}")
        if answer.outcome != "done":
            raise SystemExit(f"sequential baseline: {code} refused the request: {answer.reason}")
        document_with_id["credit_code"] = document_with_id["credit_code"] or answer.result.get("credit_code")
    return time.monotonic() - started


def audit_backlog() -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    return (result.stdout or result.stderr).strip().splitlines()[-1] if (result.stdout or result.stderr) else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--departments-url", default="")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--serial", type=int, default=20, help="applications one at a time, first")
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--latency-runs", type=int, default=5)
    parser.add_argument("--poll-seconds", type=float, default=0.1)
    parser.add_argument("--pg-url", default=os.environ.get("DATABASE_URL", "") or None)
    parser.add_argument(
        "--departments-pg-url",
        default=os.environ.get("DEPARTMENTS_DATABASE_URL", "") or None,
        help="the simulated departments' database, counted apart from the platform's",
    )
    parser.add_argument("--var-dir", default=str(REPO_ROOT / "var"))
    parser.add_argument("--seed", type=int, default=None, help="company names repeat with the same seed")
    args = parser.parse_args()
    port = int(args.url.rsplit(":", 1)[1].strip("/"))
    departments_port = port + 1
    departments_url = args.departments_url or f"http://127.0.0.1:{departments_port}/departments/"
    var = Path(args.var_dir)
    # A trusted channel (it attests presence), so that the benchmark measures the pipeline.
    key, person = trusted_key(var), clean_person(var)
    rng = random.Random(args.seed)
    pg_url = _postgres_only(args.pg_url)
    departments_pg_url = _postgres_only(args.departments_pg_url)

    print(f"OneWindow load benchmark against {args.url} ({'PostgreSQL' if pg_url else 'embedded SQLite'})")
    serial_client = Client(args.url, key, poll_seconds=0.02)
    wall, results = run_phase(clients=[serial_client], bodies=[document(person, rng) for _ in range(args.serial)])
    print(describe("one at a time", wall, results))

    clients = [Client(args.url, key, args.poll_seconds) for _ in range(args.concurrency)]
    cpu_before, pg_before = cpu_by_role(departments_port), pg_counters(pg_url)
    departments_pg_before = pg_counters(departments_pg_url)
    wall, results = run_phase(clients=clients, bodies=[document(person, rng) for _ in range(args.count)])
    time.sleep(1.5)  # PostgreSQL publishes its counters about once a second
    cpu_after, pg_after = cpu_by_role(departments_port), pg_counters(pg_url)
    departments_pg_after = pg_counters(departments_pg_url)
    print(describe(f"{args.concurrency} at once", wall, results))
    completed = max(1, sum(1 for _, body in results if body["status"] == "completed"))
    print(
        f"HTTP requests per application (submit and long polls): {sum(c.requests for c in clients) / len(results):.1f}"
    )
    cpu_ms = {
        role: (cpu_after.get(role, 0.0) - cpu_before.get(role, 0.0)) * 1000 / completed
        for role in {**cpu_before, **cpu_after}
    }
    roles = ("platform", "simulators", "database", "broker")
    print(
        "CPU per completed application: "
        + ", ".join(f"{role} {cpu_ms[role]:.0f} ms" for role in roles)
        + f" (total {sum(cpu_ms[role] for role in roles):.0f} ms)"
    )
    by_part = ", ".join(f"{part} {cpu_ms.get(part, 0.0):.0f} ms" for part in PLATFORM_PARTS)
    print(f"  the platform by process: {by_part}")
    for label, before, after in (
        ("PostgreSQL", pg_before, pg_after),
        ("the departments' PostgreSQL", departments_pg_before, departments_pg_after),
    ):
        if before and after:
            per = {name: (after[name] - before[name]) / completed for name in after if name in before}
            print(f"{label} per completed application: " + ", ".join(f"{name} {v:.1f}" for name, v in per.items()))
    print(f"audit at the end: {audit_backlog()}")

    if args.latency_runs:
        setup_django(departments_url)
        from django.conf import settings

        codes = list(settings.DEPARTMENT_CODES)
        saved = set_latency(codes, (args.latency_ms, args.latency_ms), {})
        try:
            ratios, speedups, stage_ratios, stage_speedups, check_stages = [], [], [], [], []
            for _ in range(args.latency_runs):
                body = document(person, rng)
                seconds, application = serial_client.run_one(body)
                critical = critical_path_seconds(application)
                check_stage = _timestamp(application["decided_at"]) - _timestamp(application["created_at"])
                dispatch_stage = _timestamp(application["completed_at"]) - _timestamp(application["decided_at"])
                # A fresh company: market regulation refuses a name it has just registered.
                sequential_calls = sequential_calls_seconds(document(person, rng), codes)
                ratios.append(seconds / critical)
                speedups.append((check_stage + sequential_calls) / seconds)
                # The dispatch stage alone: the check stage waits on the citizens registry,
                # which has the same latency, and is on both sides of the ratios above.
                stage_ratios.append(dispatch_stage / critical)
                stage_speedups.append(sequential_calls / dispatch_stage)
                check_stages.append(check_stage)
            print(
                f"with {args.latency_ms} ms departments, one application: end-to-end / critical path "
                f"median {statistics.median(ratios):.2f}x (max {max(ratios):.2f}x); sequential dispatch / "
                f"parallel median {statistics.median(speedups):.2f}x (min {min(speedups):.2f}x)"
            )
            print(
                f"  the dispatch stage alone (the check stage took median {statistics.median(check_stages):.2f} s): "
                f"dispatch / critical path median {statistics.median(stage_ratios):.2f}x; sequential calls / "
                f"parallel dispatch median {statistics.median(stage_speedups):.2f}x"
            )
        finally:
            set_latency(codes, None, saved)


if __name__ == "__main__":
    main()
