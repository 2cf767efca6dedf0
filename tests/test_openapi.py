"""The OpenAPI document: complete without warnings, and it says how to authenticate."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_a_single_warning(tmp_path):
    # --fail-on-warn exits non-zero on any warning, such as an authenticator it cannot describe.
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "ApiClientToken" in (tmp_path / "schema.yaml").read_text()


def test_every_api_operation_requires_the_token_header():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()

    scheme = schema["components"]["securitySchemes"]["ApiClientToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Token <key>" in scheme["description"]
    operations = [
        op
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/") and not path.startswith("/api/v1/verifications/")
        for op in item.values()
    ]
    assert len(operations) >= 8
    assert all({"ApiClientToken": []} in op["security"] for op in operations)


def test_the_verification_endpoints_take_no_key_their_link_token_is_the_credential():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = [path for path in schema["paths"] if path.startswith("/api/v1/verifications/")]
    assert sorted(paths) == [
        "/api/v1/verifications/{token}/",
        "/api/v1/verifications/{token}/code/",
        "/api/v1/verifications/{token}/consent/",
        "/api/v1/verifications/{token}/face/",
        "/api/v1/verifications/{token}/send-code/",
    ]
    for path in paths:
        for operation in schema["paths"][path].values():
            assert {"ApiClientToken": []} not in operation.get("security", [{}])
            assert operation["responses"]["400"]["content"]["application/json"]["examples"]
    face = schema["paths"]["/api/v1/verifications/{token}/face/"]["post"]
    assert "multipart/form-data" in face["requestBody"]["content"]


def test_the_interactive_docs_load_their_assets_from_this_server():
    html = APIClient().get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html


FIRST_REQUESTS_AT_ONCE = """
import threading, django
django.setup()
from django.test import Client
barrier, codes = threading.Barrier(8), []
def get():
    barrier.wait()
    codes.append(Client(raise_request_exception=False).get("/api/schema/").status_code)
threads = [threading.Thread(target=get) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(sorted(codes))
"""


def test_concurrent_first_schema_requests_to_a_fresh_process_are_all_served():
    # A fresh interpreter: drf-spectacular has not loaded its extensions yet, as in a new
    # gunicorn worker whose threads all take the first requests at once.
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT / 'platform'}{os.pathsep}{REPO_ROOT}"}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUESTS_AT_ONCE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == str([200] * 8), done.stderr[-2000:]
