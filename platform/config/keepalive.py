"""Runs one process of `make run` and restarts it whenever it dies (a supervisor for honcho).

    python -m config.keepalive -- celery -A config worker ...

honcho stops every process as soon as one exits, so a single crashed worker used to take the
web server down with it. Under this wrapper a dead child is restarted with backoff (1 s,
doubling up to 30 s, back to 1 s once it has stayed up 10 s), and honcho only ever sees the
wrapper, which exits when honcho stops it: SIGTERM or SIGINT goes to the child, and the wrapper
ends with it.
"""

import signal
import subprocess
import sys
import time
from types import FrameType

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A child that stayed up this long is not crash-looping at start: the next restart is quick
# again. (With a minute here, workers SIGKILLed every 10 s waited up to 30 s to come back.)
HEALTHY_AFTER_SECONDS = 10.0


def supervise(command: list[str]) -> int:
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = FIRST_DELAY_SECONDS
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
        code = child.wait()
        if stopping:
            return code
        if time.monotonic() - started >= HEALTHY_AFTER_SECONDS:
            delay = FIRST_DELAY_SECONDS
        print(f"keepalive: {command[0]} exited with {code}; restarting in {delay:.0f} s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + delay
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
        if stopping:
            return code
        delay = min(MAX_DELAY_SECONDS, delay * 2)


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    if not arguments:
        sys.exit("usage: python -m config.keepalive -- COMMAND [ARGS...]")
    sys.exit(supervise(arguments))


if __name__ == "__main__":
    main()
