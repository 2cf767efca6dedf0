"""What the library kinds share: following the published list versions without restarts."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from rules import selectors
from rules.engine import evaluation_context
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
    """The list versions a check uses, and whatever a kind builds from them.

    Celery workers live for days, and an administrator publishing a new version must take effect
    on the next check. So every check asks the database, in one cheap query, which versions are
    in effect (now, or at the ``as_of`` moment of a replay, with any draft substituted by a
    golden-case run or impact preview); only when that answer is new is the (possibly
    expensive) structure built, e.g. the Aho-Corasick automaton of the name words. A few
    structures are kept per process, keyed by the versions' tokens, so a replay or a preview
    does not evict the one live checks use.
    """

    KEEP = 3

    def __init__(self, kinds: tuple[str, ...], build: Callable[[Published], T]) -> None:
        self.kinds = kinds
        self._build = build
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[tuple[str, str | None], ...], T] = OrderedDict()
        self.builds = 0  # how often a structure was built; tests and metrics read it

    def published(self) -> Published:
        context = evaluation_context()
        published = selectors.published_versions(kinds=self.kinds, as_of=context.as_of)
        for kind, version_id in context.overrides.items():
            if kind in self.kinds:
                version = selectors.version_by_id(version_id=version_id)
                if version is not None:
                    published[kind] = version
        return published

    def current(self) -> tuple[Published, T]:
        published = self.published()
        signature = tuple((kind, str(published[kind].token) if kind in published else None) for kind in self.kinds)
        with self._lock:
            if signature in self._cache:
                self._cache.move_to_end(signature)
                return published, self._cache[signature]
        # Built outside the lock: a slow build must not stall checks that use another structure.
        value = self._build(published)
        with self._lock:
            if signature not in self._cache:
                self.builds += 1
                self._cache[signature] = value
                while len(self._cache) > self.KEEP:
                    self._cache.popitem(last=False)
            return published, self._cache[signature]

    def version_numbers(self, published: Published) -> dict[str, int]:
        """Which list versions a check used; 0 records that a kind had no published version."""
        return {kind: published[kind].number if kind in published else 0 for kind in self.kinds}


def no_structure(published: Published) -> None:
    """For kinds that query the database per check and keep nothing in memory."""
    return None


def with_basis(message: str, basis: str, *, english: bool = False) -> str:
    """A message with the entry's legal basis appended, when it has one."""
    if not basis:
        return message
    return f"{message} Legal basis: {basis}." if english else f"{message}依据：{basis}。"
