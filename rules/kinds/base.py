"""What the library kinds share: following the published list versions without restarts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from rules import selectors
from rules.selectors import PublishedVersion

T = TypeVar("T")

Published = dict[str, PublishedVersion]

# How the persons' roles read in findings (Chinese, English).
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "legal_representative": ("法定代表人", "legal representative"),
    "handler": ("经办人", "handler"),
    "shareholder": ("股东", "shareholder"),
}


class PublishedLists(Generic[T]):
    """The published versions of some list kinds and whatever a kind builds from them.

    Celery workers live for days, and an administrator publishing a new version must take effect
    on the next check. So every check asks the database, in one cheap query, which versions are
    published now; only when that answer changes is the (possibly expensive) structure rebuilt,
    e.g. the Aho-Corasick automaton of the name words. The cache is per process and keyed by
    the versions' tokens.
    """

    def __init__(self, kinds: tuple[str, ...], build: Callable[[Published], T]) -> None:
        self.kinds = kinds
        self._build = build
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, str | None], ...] | None = None
        self._value: T | None = None
        self.builds = 0  # how often the structure was (re)built; tests and metrics read it

    def current(self) -> tuple[Published, T]:
        published = selectors.published_versions(kinds=self.kinds)
        signature = tuple((kind, str(published[kind].token) if kind in published else None) for kind in self.kinds)
        with self._lock:
            if signature != self._signature:
                self._value = self._build(published)
                self._signature = signature
                self.builds += 1
            return published, self._value  # type: ignore[return-value]

    def version_numbers(self, published: Published) -> dict[str, int]:
        """Which list versions a check used; 0 records that a kind had no published version."""
        return {kind: published[kind].number if kind in published else 0 for kind in self.kinds}


def no_structure(published: Published) -> None:
    """For kinds that query the database per check and keep nothing in memory."""
    return None
