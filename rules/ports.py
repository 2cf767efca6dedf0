"""Hooks the platform fills in at startup, so that ``rules`` never imports the platform.

* ``register_recent_subjects(fn)``: ``fn(limit)`` returns the last ``limit`` real applications
  as (application reference, Subject, recorded outcome or None). The impact preview re-runs them
  against a draft before it is published.
* ``register_console_ports(fn)``: optional; ``fn()`` returns the engine Ports (e.g. the citizen
  registry lookup) for the administrators' "try it" console. Without it the console runs the
  identity library without a registry and says so.
"""

from __future__ import annotations

from collections.abc import Callable

from rules.engine import Ports, Subject

RecentSubjects = Callable[[int], list[tuple[str, Subject, str | None]]]

_recent_subjects: RecentSubjects | None = None
_console_ports: Callable[[], Ports] | None = None


def register_recent_subjects(fn: RecentSubjects | None) -> None:
    global _recent_subjects
    _recent_subjects = fn


def recent_subjects(limit: int) -> list[tuple[str, Subject, str | None]]:
    """The last ``limit`` real applications, or [] when the platform registered no source."""
    if _recent_subjects is None or limit <= 0:
        return []
    return list(_recent_subjects(limit))[:limit]


def register_console_ports(fn: Callable[[], Ports] | None) -> None:
    global _console_ports
    _console_ports = fn


def console_ports() -> Ports | None:
    return _console_ports() if _console_ports is not None else None
