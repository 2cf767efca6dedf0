"""Chaos suite: the whole platform on PostgreSQL + Redis, under faults, counted afterwards.

    .venv/bin/python bench/chaos.py --count 2000
    .venv/bin/python bench/chaos.py --count 100 --ci        # CI: asserts the counts, never timings

It starts its own stack from the Procfile (as `make run` does) on its own Redis server (started
here, `--redis-port`) and its own PostgreSQL cluster (`--pg-cluster VERSION/NAME`, restarted with
pg_ctlcluster), in two fresh databases, and sends `--count` applications through the REST API
(each POST retried under one Idempotency-Key until it is answered), at most `--in-flight` at once.
While it sends them it:

- SIGKILLs a random Celery worker process every `--kill-every` seconds;
- restarts Redis once (at 15 % of the applications sent; no persistence: queued messages are lost);
- restarts PostgreSQL once (at 40 %);
- takes one department down (`failure_rate` 1) for `--down-seconds` (at 60 %);
- makes another fail 30 % of its calls, all along.

The faults end when the last application is sent and the last fault is over. Then it counts, from
the platform's database and the departments' own records:

- lost: applications never settled (completed, rejected, returned, lapsed or incomplete) by the
  end of the run (`--settle-seconds` after the faults end);
- stuck: applications not settled 2 minutes after the faults ended;
- duplicates: one application with two registrations in one department's records;
- missing department records: a department the platform calls done that has no record of it;
- the audit chain (`verify_audit --seal`), and settled applications without the audit event of
  their last status change.

It prints the recovery time of each fault: from the fault's end until the pipeline flows again
(the first check or department call finished after it), and until every check and department
call that was open at that moment has moved on (changed status). For a SIGKILL that is the time
the sweeper takes to re-drive the killed worker's tasks.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import httpx
import psutil
import psycopg
from sample import application_body, clean_person, trusted_key, unique_company_name

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
SETTLED = ("completed", "rejected", "returned", "lapsed", "incomplete", "manual_review")
STUCK_AFTER_FAULTS_SECONDS = 120.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Recovery:
    """One fault's recovery: open work at the fault's end, and when it moved on."""

    fault: str
    ended_at: float
    open_items: dict[tuple[str, int], tuple[str, object]]
    flowing_at: float | None = None
    moved_at: float | None = None
    # Only what was running at the fault's end (what a killed worker held), not what was queued.
    held_moved_at: float | None = None

    @property
    def flows_after(self) -> float | None:
        return None if self.flowing_at is None else self.flowing_at - self.ended_at

    @property
    def moved_after(self) -> float | None:
        return None if self.moved_at is None else self.moved_at - self.ended_at

    @property
    def held_moved_after(self) -> float | None:
        return None if self.held_moved_at is None else self.held_moved_at - self.ended_at


@dataclass
class Run:
    args: argparse.Namespace
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    submitted: list[str] = field(default_factory=list)
    settled_count: int = 0
    post_retries: int = 0
    recoveries: list[Recovery] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sending_done: threading.Event = field(default_factory=threading.Event)
    faults_done: threading.Event = field(default_factory=threading.Event)


class Stack:
    """Redis, the PostgreSQL cluster and the Procfile's processes, all owned by this run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var_dir = Path(args.var_dir).resolve()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.pg_version, self.pg_name = args.pg_cluster.split("/")
        base = f"postgres://{args.pg_user}:{args.pg_password}@127.0.0.1:{args.pg_port}"
        self.database_url = f"{base}/{args.db_name}"
        self.departments_database_url = f"{base}/{args.db_name}_departments"
        self.admin_url = f"{base}/postgres"
        self.redis_url = f"redis://127.0.0.1:{args.redis_port}/0"
        self.url = f"http://127.0.0.1:{args.port}"
        self.redis: subprocess.Popen | None = None
        self.honcho: subprocess.Popen | None = None

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": f"{REPO / 'platform'}{os.pathsep}{REPO}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "ONEWINDOW_VAR_DIR": str(self.var_dir),
            "DEPARTMENTS_URL": f"http://127.0.0.1:{self.args.port + 1}/departments/",
            **extra,
        }

    def departments_env(self) -> dict[str, str]:
        return self.env(DATABASE_URL=self.departments_database_url, DEPARTMENTS_URL="")

    # --- Redis -------------------------------------------------------------------------------
    def redis_start(self) -> None:
        command = ["redis-server", "--port", str(self.args.redis_port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.redis = subprocess.Popen(command, stdout=self._log("redis"), stderr=subprocess.STDOUT)
        self._wait(
            lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(self.args.redis_port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ),
            "redis",
        )

    def redis_stop(self) -> None:
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait()
            self.redis = None

    # --- PostgreSQL ----------------------------------------------------------------------------
    def pg_ctl(self, action: str) -> None:
        command = ["pg_ctlcluster", self.pg_version, self.pg_name, action]
        if action == "stop":
            command += ["-m", "fast"]
        subprocess.run(command, check=True, capture_output=True)

    def pg_ready(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2):
                return True
        except psycopg.Error:
            return False

    def databases_fresh(self) -> None:
        if not self.pg_ready():
            self.pg_ctl("start")
            self._wait(self.pg_ready, "postgresql")
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for name in (self.args.db_name, f"{self.args.db_name}_departments"):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{name}"')

    # --- the platform ------------------------------------------------------------------------
    def manage(self, *arguments: str, departments: bool = False) -> str:
        env = self.departments_env() if departments else self.env()
        log(f"manage.py {' '.join(arguments[:2])}{' (departments)' if departments else ''}")
        done = subprocess.run([PYTHON, "manage.py", *arguments], cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self) -> None:
        (self.var_dir / "chaos-stack.log").unlink(missing_ok=True)
        for stale in ("demo-api-key.txt", "demo-trusted-api-key.txt", "celerybeat-schedule"):
            (self.var_dir / stale).unlink(missing_ok=True)
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("migrate", "--noinput", "-v", "0", departments=True)
        self.manage("load_demo_citizens", departments=True)
        citizens = str(self.var_dir / "demo-login-citizens.csv")
        self.manage("load_demo", "--citizens-csv", citizens)
        self.manage("import_library", "citizens", citizens, departments=True)

    def start(self) -> None:
        env = self.env(
            ONEWINDOW_PORT=str(self.args.port),
            DEPARTMENTS_PORT=str(self.args.port + 1),
            DEPARTMENTS_DATABASE_URL=self.departments_database_url,
        )
        # honcho runs inside this script (`--procfile-runner`), so that a `pkill -f honcho` meant
        # for another `make run` on the same machine does not end this run's stack.
        self.honcho = subprocess.Popen(
            [PYTHON, str(Path(__file__).resolve()), "--procfile-runner"],
            cwd=REPO,
            env=env,
            stdout=self._log("stack"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait(lambda: self._http_ok(f"{self.url}/api/schema/"), "web server", timeout=120)
        self._wait(
            lambda: self._http_ok(f"http://127.0.0.1:{self.args.port + 1}/departments/tax/health/"),
            "departments",
            timeout=120,
        )
        self._wait(lambda: len(self.worker_processes()) >= 3, "celery workers", timeout=120)

    def stop(self) -> None:
        if self.honcho is not None and self.honcho.poll() is None:
            os.killpg(self.honcho.pid, signal.SIGTERM)
            try:
                self.honcho.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.honcho.pid, signal.SIGKILL)
        self.redis_stop()

    def worker_processes(self) -> list[psutil.Process]:
        """Every Celery worker process of this stack (pool masters and prefork children)."""
        if self.honcho is None:
            return []
        try:
            descendants = psutil.Process(self.honcho.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        workers = []
        for process in descendants:
            try:
                command = process.cmdline()
            except psutil.Error:
                continue
            # The Celery processes themselves, not the keepalive wrappers that restart them.
            if "config.keepalive" in command:
                continue
            if any(part.endswith("celery") for part in command) and "worker" in command:
                workers.append(process)
        return workers

    def _log(self, name: str) -> BinaryIO:
        return open(self.var_dir / f"chaos-{name}.log", "ab")  # the child process writes it

    @staticmethod
    def _http_ok(url: str) -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    @staticmethod
    def _wait(ready, what: str, timeout: float = 60) -> None:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise SystemExit(f"{what} did not come up within {timeout:.0f} s")
            time.sleep(0.3)


class Database:
    """Reads for the monitor and the counts; every call survives PostgreSQL being down."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connection: psycopg.Connection | None = None

    def query(self, sql: str, params: object = None) -> list[tuple] | None:
        try:
            if self.connection is None or self.connection.closed:
                self.connection = psycopg.connect(self.url, autocommit=True, connect_timeout=2)
            return self.connection.execute(sql, params).fetchall()
        except psycopg.Error:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return None

    def execute(self, sql: str, params: object = None) -> bool:
        return self.query(sql + " RETURNING 1", params) is not None


def department_failure_rate(db: Database, department: str, rate: float) -> None:
    """The simulator's own switch, set in its own database (the config endpoint does the same)."""
    while not db.execute(
        "INSERT INTO departments_departmentconfig"
        " (department, latency_ms_min, latency_ms_max, failure_rate, updated_at)"
        " VALUES (%s, 20, 150, %s, now()) ON CONFLICT (department)"
        " DO UPDATE SET failure_rate = EXCLUDED.failure_rate, updated_at = now()",
        (department, rate),
    ):
        time.sleep(0.5)


OPEN_WORK_SQL = """
SELECT 'check', c.id, c.status, c.updated_at FROM workflow_check c JOIN intake_application a ON a.id = c.application_id
 WHERE c.status IN ('pending', 'running') AND a.status = 'checking'
UNION ALL
SELECT 'work_item', w.id, w.status, w.updated_at FROM workflow_workitem w
  JOIN intake_application a ON a.id = w.application_id
 WHERE w.status IN ('pending', 'in_progress') AND a.status = 'dispatching'
"""


def open_work(db: Database) -> dict[tuple[str, int], tuple[str, object]]:
    for _ in range(60):
        rows = db.query(OPEN_WORK_SQL)
        if rows is not None:
            return {(kind, row_id): (status, updated) for kind, row_id, status, updated in rows}
        time.sleep(0.5)
    return {}


def monitor(run: Run, db: Database, stop: threading.Event) -> None:
    """Counts settled applications (the senders' in-flight limit) and follows every recovery."""
    wall_offset = time.time() - time.monotonic()
    while not stop.is_set():
        rows = db.query("SELECT count(*) FROM intake_application WHERE status = ANY(%s)", (list(SETTLED),))
        if rows is not None:
            run.settled_count = rows[0][0]
        with run.lock:
            pending = [r for r in run.recoveries if r.moved_at is None or r.flowing_at is None]
        for recovery in pending:
            since = recovery.ended_at + wall_offset
            if recovery.flowing_at is None:
                rows = db.query(
                    "SELECT least((SELECT min(finished_at) FROM workflow_check WHERE finished_at > to_timestamp(%s)),"
                    " (SELECT min(finished_at) FROM workflow_workitem WHERE finished_at > to_timestamp(%s)))",
                    (since, since),
                )
                if rows and rows[0][0] is not None:
                    recovery.flowing_at = rows[0][0].timestamp() - wall_offset
            if recovery.moved_at is None:
                if not recovery.open_items:
                    recovery.moved_at = recovery.held_moved_at = recovery.ended_at
                    continue
                checks = [i for kind, i in recovery.open_items if kind == "check"]
                items = [i for kind, i in recovery.open_items if kind == "work_item"]
                rows = db.query(
                    "SELECT 'check', id, status, updated_at FROM workflow_check WHERE id = ANY(%s) UNION ALL "
                    "SELECT 'work_item', id, status, updated_at FROM workflow_workitem WHERE id = ANY(%s)",
                    (checks, items),
                )
                if rows is None:
                    continue
                moved = [
                    updated for kind, i, status, updated in rows if (status, updated) != recovery.open_items[(kind, i)]
                ]
                held = [key for key, (status, _) in recovery.open_items.items() if status in ("running", "in_progress")]
                held_moved = [
                    updated
                    for kind, i, status, updated in rows
                    if (kind, i) in held and (status, updated) != recovery.open_items[(kind, i)]
                ]
                if recovery.held_moved_at is None and len(held_moved) == len(held):
                    latest = max((u.timestamp() for u in held_moved), default=since) - wall_offset
                    recovery.held_moved_at = max(latest, recovery.ended_at)
                if len(moved) == len(rows):
                    latest = max((u.timestamp() for u in moved), default=since) - wall_offset
                    recovery.moved_at = max(latest, recovery.ended_at)
        time.sleep(0.5)


def record_recovery(run: Run, db: Database, fault: str) -> None:
    ended = time.monotonic()
    recovery = Recovery(fault=fault, ended_at=ended, open_items=open_work(db))
    with run.lock:
        run.recoveries.append(recovery)
        run.events.append(f"{fault} ended at +{ended - START:.1f} s with {len(recovery.open_items)} open checks/calls")
    log(run.events[-1])


def sender(run: Run, stack: Stack, key: str, person: dict) -> None:
    client = httpx.Client(base_url=stack.url, headers={"Authorization": f"Token {key}"}, timeout=30)
    while True:
        with run.lock:
            index = len(run.submitted)
            if index >= run.args.count:
                return
            run.submitted.append("")
        while index - run.settled_count >= run.args.in_flight:
            if run.sending_done.is_set():
                return  # the run's time is up: what was not sent counts as lost
            time.sleep(0.2)
        document = application_body(person, company_name=unique_company_name())
        idempotency_key = f"chaos-{run.run_id}-{index}"
        while True:
            try:
                answer = client.post(
                    "/api/v1/applications/", json=document, headers={"Idempotency-Key": idempotency_key}
                )
                if answer.status_code in (200, 201):
                    run.submitted[index] = answer.json()["id"]
                    break
                if answer.status_code not in (429, 500, 502, 503, 504):
                    raise SystemExit(f"POST answered {answer.status_code}: {answer.text[:500]}")
            except httpx.HTTPError:
                pass
            run.post_retries += 1
            time.sleep(1)


def killer(run: Run, stack: Stack, db: Database) -> None:
    rng = random.Random(run.args.seed)
    while not run.faults_done.wait(run.args.kill_every):
        workers = stack.worker_processes()
        if not workers:
            continue
        victim = rng.choice(workers)
        try:
            command = victim.cmdline()
            pool = "checks" if any("checks" in part for part in command) else "calls"
            name = f"{pool} {'pool master' if victim.parent().pid not in {w.pid for w in workers} else 'pool child'}"
            victim.send_signal(signal.SIGKILL)
        except psutil.Error:
            continue
        record_recovery(run, db, f"SIGKILL pid {victim.pid} ({name})")


def faults(run: Run, stack: Stack, db: Database, departments_db: Database) -> None:
    args = run.args
    department_failure_rate(departments_db, args.flaky_department, 0.3)
    log(f"{args.flaky_department} fails 30 % of its calls")

    def when_sent(fraction: float) -> None:
        while len(run.submitted) < fraction * args.count and not run.sending_done.is_set():
            time.sleep(0.2)

    when_sent(0.15)
    log("Redis: stopping")
    stack.redis_stop()
    time.sleep(args.outage_seconds)
    stack.redis_start()
    record_recovery(run, db, "Redis restart")

    when_sent(0.40)
    log("PostgreSQL: stopping")
    stack.pg_ctl("stop")
    time.sleep(args.outage_seconds)
    stack.pg_ctl("start")
    Stack._wait(stack.pg_ready, "postgresql")
    record_recovery(run, db, "PostgreSQL restart")

    when_sent(0.60)
    log(f"{args.down_department} down for {args.down_seconds:.0f} s")
    department_failure_rate(departments_db, args.down_department, 1.0)
    time.sleep(args.down_seconds)
    department_failure_rate(departments_db, args.down_department, 0.0)
    record_recovery(run, db, f"{args.down_department} down {args.down_seconds:.0f} s")

    run.sending_done.wait()
    department_failure_rate(departments_db, args.flaky_department, 0.0)
    record_recovery(run, db, f"{args.flaky_department} 30 % failures")
    run.faults_done.set()


def counts(run: Run, stack: Stack, db: Database, departments_db: Database, stuck: int) -> dict[str, object]:
    ids = [i for i in run.submitted if i]
    statuses = dict(db.query("SELECT status, count(*) FROM intake_application GROUP BY status") or [])
    total = sum(statuses.values())
    lost = total - sum(statuses.get(s, 0) for s in SETTLED) + (run.args.count - len(ids))
    tables = [
        t
        for (t,) in departments_db.query(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'application_id'"
            " AND table_schema = 'public' AND table_name LIKE 'departments\\_%%'"
            " AND table_name NOT LIKE '%%request'"
        )
        or []
    ]
    duplicates: dict[str, int] = {}
    missing: dict[str, int] = {}
    records: dict[str, set[str]] = {}
    for table in tables:
        rows = departments_db.query(f'SELECT application_id, count(*) FROM "{table}" GROUP BY application_id') or []
        duplicates[table] = sum(1 for _, n in rows if n > 1)
        records[table] = {str(a) for a, _ in rows}
    done = db.query("SELECT department, application_id::text FROM workflow_workitem WHERE status = 'done'") or []
    by_department: dict[str, set[str]] = {}
    for department, application_id in done:
        by_department.setdefault(department, set()).add(application_id)
    table_of = {
        "market_regulation": "departments_marketenterprise",
        "tax": "departments_taxregistration",
        "public_security": "departments_sealorder",
        "social_security": "departments_socialsecurityaccount",
        "housing_fund": "departments_housingfundaccount",
        "bank": "departments_bankappointment",
    }
    for department, applications in by_department.items():
        table = table_of.get(department)
        if table in records:
            missing[department] = len(applications - records[table])
    audit_missing = (
        db.query(
            "SELECT count(*) FROM intake_application a WHERE a.status = ANY(%s) AND NOT EXISTS ("
            " SELECT 1 FROM audit_auditevent e WHERE e.application_id = a.id AND e.data->>'to' = a.status)",
            (list(SETTLED),),
        )
        or [[-1]]
    )[0][0]
    verify = subprocess.run(
        [PYTHON, "manage.py", "verify_audit", "--seal"], cwd=REPO, env=stack.env(), capture_output=True, text=True
    )
    log_text = (stack.var_dir / "chaos-stack.log").read_text(errors="replace")
    return {
        "sent": len(ids),
        "platform applications": total,
        "statuses": statuses,
        "lost": lost,
        "stuck 2 min after the faults": stuck,
        "duplicate registrations": sum(duplicates.values()),
        "duplicates per table": duplicates,
        "department records missing": sum(missing.values()),
        "audit events missing": audit_missing,
        "audit chain intact": verify.returncode == 0,
        "verify_audit": (verify.stdout + verify.stderr).strip().splitlines()[-1:],
        "POST retries (answered 5xx/429 or unreachable)": run.post_retries,
        "server errors logged (500)": log_text.count("Internal Server Error"),
        "kombu 'hostname' failures logged": log_text.count("object has no attribute 'hostname'"),
        "processes restarted by keepalive": log_text.count("keepalive: "),
    }


START = time.monotonic()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=24, help="applications sent and not yet settled, at most")
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--pg-cluster", default="15/chaos", help="VERSION/NAME for pg_ctlcluster")
    parser.add_argument("--pg-port", type=int, default=5440)
    parser.add_argument("--pg-user", default="onewindow")
    parser.add_argument("--pg-password", default="onewindow")
    parser.add_argument("--db-name", default="ow_chaos")
    parser.add_argument("--var-dir", default=str(REPO / "var" / "chaos"))
    parser.add_argument("--kill-every", type=float, default=10.0)
    parser.add_argument("--outage-seconds", type=float, default=5.0, help="how long Redis and PostgreSQL stay down")
    parser.add_argument("--down-department", default="bank")
    parser.add_argument("--down-seconds", type=float, default=60.0)
    parser.add_argument("--flaky-department", default="tax")
    parser.add_argument("--settle-seconds", type=float, default=300.0, help="after the faults, before 'lost'")
    parser.add_argument(
        "--max-send-seconds", type=float, default=7200.0, help="stop sending after this long (the rest count as lost)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--ci", action="store_true", help="exit 1 unless every count meets its target")
    args = parser.parse_args()

    # SIGTERM ends the run like Ctrl-C: the stack, Redis included, is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    stack = Stack(args)
    run = Run(args=args)
    stop = threading.Event()
    try:
        log(f"fresh databases {args.db_name}(_departments) on port {args.pg_port}; Redis on {args.redis_port}")
        stack.databases_fresh()
        stack.redis_start()
        stack.prepare()
        stack.start()
        log(f"stack up at {stack.url}: {len(stack.worker_processes())} worker processes")
        key, person = trusted_key(stack.var_dir), clean_person(stack.var_dir)
        db, departments_db = Database(stack.database_url), Database(stack.departments_database_url)
        threading.Thread(target=monitor, args=(run, Database(stack.database_url), stop), daemon=True).start()
        global START
        START = time.monotonic()
        fault_thread = threading.Thread(target=faults, args=(run, stack, db, departments_db), daemon=True)
        fault_thread.start()
        threading.Thread(target=killer, args=(run, stack, Database(stack.database_url)), daemon=True).start()
        # Daemon threads, joined with a timeout: Ctrl-C or SIGTERM still reach the main thread
        # and stop the stack.
        senders = [
            threading.Thread(target=sender, args=(run, stack, key, person), daemon=True) for _ in range(args.senders)
        ]
        for thread in senders:
            thread.start()
        while any(thread.is_alive() for thread in senders):
            if time.monotonic() - START > args.max_send_seconds:
                log(f"sending stopped after {args.max_send_seconds:.0f} s: the pipeline is not keeping up")
                break
            time.sleep(0.5)
        run.sending_done.set()
        log(f"sent {len(run.submitted)} applications in {time.monotonic() - START:.0f} s")
        while fault_thread.is_alive():
            fault_thread.join(timeout=0.5)
        faults_ended = time.monotonic()
        log("faults over; waiting for every application to settle")
        stuck = None
        while time.monotonic() - faults_ended < args.settle_seconds:
            if stuck is None and time.monotonic() - faults_ended >= STUCK_AFTER_FAULTS_SECONDS:
                stuck = args.count - run.settled_count
            if run.settled_count >= args.count and all(r.moved_at is not None for r in run.recoveries):
                break
            time.sleep(1)
        settled_after = time.monotonic() - faults_ended
        if stuck is None:
            stuck = args.count - run.settled_count if settled_after >= STUCK_AFTER_FAULTS_SECONDS else 0
        stop.set()
        figures = counts(run, stack, db, departments_db, stuck)
    finally:
        stop.set()
        stack.stop()
    return report(run, figures, faults_ended, settled_after)


def report(run: Run, figures: dict[str, object], faults_ended: float, settled_after: float) -> int:
    print()
    print(
        f"chaos run {run.run_id}: {run.args.count} applications, faults over at +{faults_ended - START:.0f} s, "
        f"all settled {settled_after:.0f} s later"
    )
    for name, value in figures.items():
        print(f"  {name}: {value}")
    print("  recovery per fault (from its end: pipeline flowing again / every open check and call moved on):")
    kills = [r for r in run.recoveries if r.fault.startswith("SIGKILL")]
    for recovery in [r for r in run.recoveries if not r.fault.startswith("SIGKILL")]:
        print(
            f"    {recovery.fault}: {_seconds(recovery.flows_after)} / {_seconds(recovery.moved_after)}"
            f" ({len(recovery.open_items)} open; those running moved on after"
            f" {_seconds(recovery.held_moved_after)})"
        )
    if kills:
        moved = [r.moved_after for r in kills if r.moved_after is not None]
        held = [r.held_moved_after for r in kills if r.held_moved_after is not None]
        print(
            f"    SIGKILL of a worker, {len(kills)} times: moved on"
            f" p50 {_seconds(statistics.median(moved) if moved else None)},"
            f" worst {_seconds(max(moved) if moved else None)}; not moved on: {len(kills) - len(moved)}"
        )
        print(
            "    of those, the checks and calls that were running when the worker died (re-driven):"
            f" p50 {_seconds(statistics.median(held) if held else None)},"
            f" worst {_seconds(max(held) if held else None)}"
        )
    targets = {
        "0 lost": figures["lost"] == 0,
        "0 duplicate registrations": figures["duplicate registrations"] == 0,
        "0 department records missing": figures["department records missing"] == 0,
        "100 % settled 2 min after the faults": figures["stuck 2 min after the faults"] == 0,
        "audit intact and complete": figures["audit chain intact"] and figures["audit events missing"] == 0,
    }
    for name, met in targets.items():
        print(f"  {'PASS' if met else 'FAIL'} {name}")
    failed = sum(not met for met in targets.values())
    print(f"chaos: {len(targets) - failed} passed, {failed} failed")
    return 1 if failed and run.args.ci else 0


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


if __name__ == "__main__":
    if sys.argv[1:] == ["--procfile-runner"]:
        from honcho.command import main as honcho_main

        honcho_main(["-f", str(REPO / "Procfile"), "start"])
    else:
        sys.exit(main())
