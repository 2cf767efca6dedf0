"""DESIGN.md: platform/ is a source root, never a package that shadows the standard library."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_stdlib_platform_still_works_under_the_project_settings():
    import django
    from django.conf import settings

    assert settings.configured
    django.setup()
    import platform

    assert platform.system()
    assert Path(platform.__file__).parent != REPO_ROOT / "platform"


def test_no_module_is_importable_as_platform_from_the_repository():
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()
    code = "import platform, uuid; print(platform.system(), platform.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={"PYTHONPATH": f"{REPO_ROOT / 'platform'}:{REPO_ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(REPO_ROOT / "platform") not in result.stdout


def test_manage_py_runs_a_command_with_uuid_and_django_loaded():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import platform, uuid; print(platform.system(), uuid.uuid4().version)",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip().endswith("4")
