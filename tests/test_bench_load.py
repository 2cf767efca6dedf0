"""bench/load.py tells the platform's processes apart by their command lines, as make run starts them."""

import importlib.util
import sys

from tests.conftest import REPO_ROOT


def _load_bench():
    sys.path.insert(0, str(REPO_ROOT / "bench"))  # load.py imports its neighbour `sample`
    try:
        spec = importlib.util.spec_from_file_location("bench_load", REPO_ROOT / "bench" / "load.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO_ROOT / "bench"))
    return module


def test_every_platform_process_of_the_procfile_is_told_apart():
    bench = _load_bench()
    lines = (REPO_ROOT / "Procfile").read_text().splitlines()
    commands = dict(line.split(": ", 1) for line in lines if ": " in line)
    counted = {
        name: command
        for name, command in commands.items()
        if name != "departments" and ("gunicorn" in command or "celery" in command)
    }

    parts = {name: bench._platform_part(command) for name, command in counted.items()}

    assert parts == {"web": "web", "checks": "check worker", "calls": "department worker", "beat": "beat"}
    assert set(bench.PLATFORM_PARTS) == set(parts.values())
