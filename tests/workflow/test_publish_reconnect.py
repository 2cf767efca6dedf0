"""Publishing from many threads survives a Redis restart (issue: kombu#582/#659 under load).

A process configured for a Redis server of this test's own publishes from 12 threads through
`workflow.outbox.message_publish` while that server is killed and started again. While Redis is
down a publish fails with a connection error and nothing else (the outbox relay publishes the
message later). Every thread publishes again once Redis is back, and what it published is in
the queue.
"""

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None and not os.environ.get("CI"),
    reason="needs the redis-server program (CI installs it)",
)

PUBLISHERS = r"""
import json, subprocess, sys, threading, time
import django
django.setup()
from workflow.outbox import message_publish

port, threads = int(sys.argv[1]), 12
restarted = threading.Event()
stop = threading.Event()
results = [{"ok": 0, "ok_after": 0, "errors": {}} for _ in range(threads)]

def publish(n):
    while not stop.is_set():
        started_after = restarted.is_set()
        try:
            message_publish(task="tests.noop", queue="reconnect", kwargs={"n": n}, retry=False)
        except Exception as exc:
            name = f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:80]}"
            results[n]["errors"][name] = results[n]["errors"].get(name, 0) + 1
            time.sleep(0.05)
            continue
        results[n]["ok"] += 1
        results[n]["ok_after"] += started_after
        time.sleep(0.01)

def redis():
    return subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)

server = redis()
time.sleep(1)
workers = [threading.Thread(target=publish, args=(n,)) for n in range(threads)]
[w.start() for w in workers]
time.sleep(2)
server.kill(); server.wait()
time.sleep(5)
server = redis()
time.sleep(0.5)
restarted.set()
# Until every thread has published on the new server (a loaded machine is slow), at most a minute.
deadline = time.monotonic() + 60
while time.monotonic() < deadline and not all(r["ok_after"] for r in results):
    time.sleep(0.1)
time.sleep(0.5)
stop.set()
[w.join() for w in workers]
queued = subprocess.run(["redis-cli", "-p", str(port), "llen", "reconnect"], capture_output=True, text=True).stdout
server.kill()
print(json.dumps({"results": results, "queued": int(queued.strip())}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_publishing_thread_publishes_again_after_a_redis_restart(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{REPO_ROOT / 'platform'}{os.pathsep}{REPO_ROOT}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "ONEWINDOW_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", PUBLISHERS, str(port)], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    results = report["results"]

    assert all(thread["ok_after"] > 0 for thread in results), results
    errors = {name for thread in results for name in thread["errors"]}
    unexpected = {name for name in errors if not name.startswith(("kombu.", "redis.", "builtins.ConnectionRefused"))}
    assert not unexpected, unexpected
    published_after = sum(thread["ok_after"] for thread in results)
    # The restart really happened mid-publishing: what went to the old server (no persistence)
    # is gone, what went to the new one is all there.
    assert published_after <= report["queued"] < sum(thread["ok"] for thread in results)
