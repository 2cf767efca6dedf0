"""What can be checked of the deployment files without a container engine."""

from pathlib import Path

import yaml

from workflow.services import department_queues

REPO_ROOT = Path(__file__).resolve().parent.parent
DEPARTMENT_QUEUES = department_queues()


def test_compose_file_parses_and_runs_every_role_on_postgres_and_redis():
    compose = yaml.safe_load((REPO_ROOT / "docker" / "docker-compose.yml").read_text())
    services = compose["services"]

    assert {"postgres", "redis", "web", "departments", "worker-checks", "worker-departments", "beat"} <= set(services)
    assert (REPO_ROOT / "docker" / Path(services["web"]["build"]["dockerfile"]).name).exists()
    for name in ("web", "worker-checks", "worker-departments", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["DEPARTMENTS_URL"].startswith("http://departments:")
    # The departments are their own service with their own database.
    assert services["departments"]["environment"]["DATABASE_URL"].endswith("/departments")
    worker_queues = set(services["worker-departments"]["command"].split("-Q ")[1].split()[0].split(","))
    # Webhook deliveries wait on I/O too: the same thread pool, on a queue of their own.
    assert worker_queues == DEPARTMENT_QUEUES | {"webhooks"}
    assert services["web"]["environment"]["WEBHOOKS_ALLOW_LOOPBACK"] == "false"


def test_procfile_starts_web_two_worker_pools_beat_and_the_departments_as_their_own_service():
    lines = dict(line.split(": ", 1) for line in (REPO_ROOT / "Procfile").read_text().splitlines() if line.strip())

    assert {"web", "departments", "checks", "calls", "beat"} <= set(lines)
    checks_queues = set(lines["checks"].split(" -Q ")[1].split()[0].split(","))
    department_queues = set(lines["calls"].split(" -Q ")[1].split()[0].split(","))
    # Department calls wait on I/O: a thread pool, apart from the CPU-bound checks' processes.
    assert "-P threads" in lines["calls"] and "-P threads" not in lines["checks"]
    # The simulators are another system: their own web process, database and URL conf, and the
    # platform's web process does not mount them.
    assert "config.urls_departments" in lines["departments"] and "$DEPARTMENTS_DATABASE_URL" in lines["departments"]
    assert "DEPARTMENTS_EMBEDDED=false" in lines["web"]
    assert {"checks", "pipeline"} <= checks_queues
    assert department_queues == DEPARTMENT_QUEUES | {"webhooks"}  # slow receivers never slow the checks
    assert "always_eager" not in (REPO_ROOT / "platform" / "config" / "settings.py").read_text().lower()


def test_the_web_server_and_banner_share_the_port_make_run_was_given():
    # honcho hands each Procfile line its own PORT (base + 100 per line): the banner would
    # print another port than the web server's if both read PORT.
    lines = dict(line.split(": ", 1) for line in (REPO_ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert "$ONEWINDOW_PORT" in lines["web"] and "$ONEWINDOW_PORT" in lines["banner"]
    assert "ONEWINDOW_PORT=$(PORT)" in (REPO_ROOT / "Makefile").read_text()
