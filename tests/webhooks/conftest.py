"""A real HTTP receiver in the test process, and an integrator with an endpoint pointing at it."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiClient
from accounts.services import api_client_create


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers with the queued status codes in turn, then 200; records every request."""

    url: str
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def accepted(self) -> list[Received]:
        """The requests it answered 2xx, as the receiver's own records would keep them."""
        return [r for r in self.requests if r.headers.get("x-answered", "").startswith("2")]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = state["receiver"].next_status()
            headers = {key.lower(): value for key, value in self.headers.items()}
            headers["x-answered"] = str(status)
            state["receiver"].requests.append(Received(headers=headers, body=body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@dataclass
class Integrator:
    client: ApiClient
    api: APIClient

    def register(self, url: str, events: list[str]) -> dict:
        response = self.api.post("/api/v1/webhooks/", {"url": url, "events": events}, format="json")
        assert response.status_code == 201, response.json()
        return response.json()


@pytest.fixture
def integrator(db: None) -> Integrator:
    client, key = api_client_create(name="erp")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return Integrator(client=client, api=api)


@pytest.fixture(autouse=True)
def _quick(settings) -> None:
    settings.DEPARTMENT_LATENCY_MS = "0"
    settings.DEPARTMENT_FAILURE_RATE = 0.0
    # Retries at once: the backoff is measured by its own test, not waited for here.
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 0.0
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
