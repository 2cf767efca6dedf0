"""Per-install department credentials for the embedded default.

``make run`` must work with nothing configured, yet a token or signing key written in the source
is known to everyone who can read it. So, when the environment sets none, each install generates
its own random tokens and signing keys once, keeps them in ``VAR_DIR/department-credentials.json``
(mode 0600), and every process of the install (web, workers, beat, the embedded departments)
reads the same file.

Several processes start at once under ``make run``: the file is read and, the first time,
written under an exclusive ``flock`` on a lock file beside it, and written by an atomic rename of
a private temporary file, so every process sees the same complete credentials.

Imported by settings, so it uses nothing but the standard library.
"""

import fcntl
import json
import os
import secrets
import tempfile
from pathlib import Path

CREDENTIALS_FILE_NAME = "department-credentials.json"


def _generate(codes: list[str]) -> dict[str, dict[str, str]]:
    return {code: {"token": secrets.token_urlsafe(32), "signing_key": secrets.token_urlsafe(48)} for code in codes}


def _write(path: Path, credentials: dict[str, dict[str, str]]) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(credentials, handle, indent=2, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def embedded_department_credentials(*, var_dir: Path, codes: list[str]) -> dict[str, dict[str, str]]:
    """``{code: {"token": ..., "signing_key": ...}}`` for every code, from this install's file.

    The file is created on first use; a code missing from it (a department added later) gets
    fresh values, and every existing value is kept.
    """
    path = var_dir / CREDENTIALS_FILE_NAME
    with open(var_dir / f".{CREDENTIALS_FILE_NAME}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        credentials = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        missing = [code for code in codes if code not in credentials]
        if missing:
            credentials = {**_generate(missing), **credentials}
            _write(path, credentials)
    return credentials
