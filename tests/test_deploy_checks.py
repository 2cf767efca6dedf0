"""``manage.py check --deploy``: quiet with a production environment, loud on the embedded defaults."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).resolve().parent.parent
# The six departments and the mobile carrier: every simulated system has its own token and key.
CODES = ["market_regulation", "tax", "public_security", "social_security", "housing_fund", "bank", "carrier"]
DJANGO_TRANSPORT_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}
OUR_PREFIXES = ("accounts.", "departments.", "privacy.")


def _clean_environment(var_dir: Path) -> dict[str, str]:
    """This process's environment without any OneWindow or Django setting (a fresh machine)."""
    prefixes = ("DJANGO_", "DEPARTMENT", "PII_", "ONEWINDOW_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    env.update({"ONEWINDOW_VAR_DIR": str(var_dir), "PYTHONPATH": f"{REPO_ROOT / 'platform'}{os.pathsep}{REPO_ROOT}"})
    return env


def _production_environment(var_dir: Path) -> dict[str, str]:
    env = _clean_environment(var_dir)
    env.update(
        {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "onewindow.example.gov.cn",
            "DJANGO_SECURE_SSL_REDIRECT": "true",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
            "DJANGO_SECURE_HSTS_SECONDS": "31536000",
            "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
            "DJANGO_SECURE_HSTS_PRELOAD": "true",
            "DJANGO_SESSION_COOKIE_SECURE": "true",
            "DJANGO_CSRF_COOKIE_SECURE": "true",
            "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PII_INDEX_KEY": secrets.token_urlsafe(48),
            "DEPARTMENTS_EMBEDDED": "false",
            "DEPARTMENTS_URL": "http://departments:8000/departments/",
        }
    )
    for code in CODES:
        env[f"DEPARTMENT_TOKEN_{code.upper()}"] = secrets.token_urlsafe(32)
        env[f"DEPARTMENT_SIGNING_KEY_{code.upper()}"] = secrets.token_urlsafe(48)
    return env


def _deploy_check_ids(env: dict[str, str]) -> set[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\(([a-z_]+\.[EW]\d{3})\)", result.stdout + result.stderr))


def test_a_production_environment_passes_the_deploy_checks(tmp_path):
    found = _deploy_check_ids(_production_environment(tmp_path))
    assert not found & DJANGO_TRANSPORT_WARNINGS
    assert not [check for check in found if check.startswith(OUR_PREFIXES)], found
    assert not [check for check in found if check.startswith("security.")], found
    # Nothing was generated: every credential came from the environment.
    assert not (tmp_path / "department-credentials.json").exists()


def test_the_departments_service_needs_keys_of_its_own(tmp_path):
    env = _production_environment(tmp_path)
    env["ONEWINDOW_URLCONF"] = "config.urls_departments"
    assert {"departments.W003", "departments.W004"} <= _deploy_check_ids(env)
    env["DEPARTMENTS_PII_KEY"] = Fernet.generate_key().decode()
    env["DEPARTMENTS_PII_INDEX_KEY"] = secrets.token_urlsafe(48)
    assert not [check for check in _deploy_check_ids(env) if check.startswith(OUR_PREFIXES)]


def test_the_embedded_defaults_are_reported(tmp_path):
    found = _deploy_check_ids(_clean_environment(tmp_path))
    assert {
        "accounts.W001",
        "departments.W001",
        "departments.W002",
        "departments.W003",
        "departments.W004",
        "privacy.W001",
        "privacy.W002",
    } <= found
    assert DJANGO_TRANSPORT_WARNINGS <= found
    # ...and `make run` still works with nothing configured: credentials were made for this install.
    assert (tmp_path / "department-credentials.json").exists()


def test_docker_compose_requires_the_secret_key_and_turns_the_secure_flags_on():
    text = (REPO_ROOT / "docker" / "docker-compose.yml").read_text()
    assert "change-me" not in text
    env = yaml.safe_load(text)["services"]["web"]["environment"]
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    for code in CODES:
        assert env[f"DEPARTMENT_TOKEN_{code.upper()}"].startswith(f"${{DEPARTMENT_TOKEN_{code.upper()}:?")
        assert env[f"DEPARTMENT_SIGNING_KEY_{code.upper()}"].startswith(f"${{DEPARTMENT_SIGNING_KEY_{code.upper()}:?")
    for flag in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_SESSION_COOKIE_SECURE", "DJANGO_CSRF_COOKIE_SECURE"):
        assert env[flag].endswith(":-true}"), flag
    assert int(env["DJANGO_SECURE_HSTS_SECONDS"].split(":-")[1].rstrip("}")) > 0
    assert env["DJANGO_SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    assert env["DEPARTMENTS_EMBEDDED"] == "false"
