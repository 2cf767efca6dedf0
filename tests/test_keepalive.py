"""make run supervises its processes: a dead one is restarted; stopping the wrapper stops it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO_ROOT, wait_for

CHILD = "import os, sys, time; open(sys.argv[1], 'a').write(f'{os.getpid()}\\n'); time.sleep(600)"


def _pids(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def test_a_killed_process_is_restarted_and_the_wrapper_stops_with_its_child(tmp_path):
    pids = tmp_path / "pids"
    wrapper = subprocess.Popen(
        [sys.executable, "-m", "config.keepalive", "--", sys.executable, "-c", CHILD, str(pids)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "platform")},
    )
    try:
        wait_for(lambda: len(_pids(pids)) == 1, timeout=20, interval=0.05)
        os.kill(_pids(pids)[0], signal.SIGKILL)  # a worker dies

        wait_for(lambda: len(_pids(pids)) == 2, timeout=20, interval=0.05)
        assert wrapper.poll() is None  # honcho never saw anything exit

        wrapper.send_signal(signal.SIGTERM)  # Ctrl-C in make run
        wrapper.wait(timeout=20)
        restarted = _pids(pids)[1]
        time.sleep(0.2)
        assert not Path(f"/proc/{restarted}").exists()  # the child stopped with it
        assert len(_pids(pids)) == 2  # and it was not restarted again
    finally:
        if wrapper.poll() is None:
            wrapper.kill()
