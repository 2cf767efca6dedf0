"""What the library kinds share: following the published list versions, layer by layer,
without restarts."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rules import selectors
from rules.engine import evaluation_context
from rules.jurisdictions import NATIONAL
from rules.lists import ListKind
from rules.selectors import PublishedVersion

T = TypeVar("T")
E = TypeVar("E")

# List kind -> the versions in effect in each applicable scope, national first.
Layers = dict[str, list[PublishedVersion]]
# Kept for kinds that only read the national layer.
Published = dict[str, PublishedVersion]

# How the persons' roles read in findings (Chinese, English).
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "legal_representative": ("法定代表人", "legal representative"),
    "handler": ("经办人", "handler"),
    "shareholder": ("股东", "shareholder"),
}


def layer_key(version: PublishedVersion) -> str:
    """How a layer is named in a check's ``versions``: the kind for the national layer (as
    before scopes existed), ``kind@scope`` for a local one."""
    return version.kind if version.scope == NATIONAL else f"{version.kind}@{version.scope}"


class PublishedLists(Generic[T]):
    """The list versions a check uses, layer by layer, and whatever a kind builds from each.

    Celery workers live for days, and an administrator publishing a new version must take effect
    on the next check. So every check asks the database, in one cheap query, which versions are
    in effect in the scopes that apply (now, or at the ``as_of`` moment of a replay, with any
    draft substituted by a golden-case run or impact preview); only a version not seen before
    gets its (possibly expensive) structure built, e.g. the Aho-Corasick automaton of the name
    words. Structures are kept per version, so the national automaton is built once and shared
    by every jurisdiction, and a replay or a preview does not evict the ones live checks use.
    """

    KEEP = 16

    def __init__(self, kinds: tuple[str, ...], build: Callable[[PublishedVersion], T] | None = None) -> None:
        self.kinds = kinds
        self._build = build
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, T] = OrderedDict()
        self.builds = 0  # how often a structure was built; tests and metrics read it

    def layers(self) -> Layers:
        context = evaluation_context()
        # Only when some local layer of these kinds exists (or a local draft is tried) does the
        # subject need placing; otherwise the national layers are all there is.
        local = selectors.has_local_layers(kinds=self.kinds) or any(kind in self.kinds for kind in context.overrides)
        scopes = context.scopes if local else (NATIONAL,)
        layers = selectors.published_layers(kinds=self.kinds, scopes=scopes, as_of=context.as_of)
        for kind, version_id in context.overrides.items():
            if kind not in self.kinds:
                continue
            version = selectors.version_by_id(version_id=version_id)
            if version is None or version.scope not in scopes:
                continue
            kept = [v for v in layers[kind] if v.scope != version.scope]
            layers[kind] = sorted([*kept, version], key=lambda v: scopes.index(v.scope))
        return layers

    def structure(self, version: PublishedVersion) -> T:
        """The structure built from one version, cached by the version's token."""
        assert self._build is not None, "this kind builds no structure"
        key = str(version.token)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        # Built outside the lock: a slow build must not stall checks that use another structure.
        value = self._build(version)
        with self._lock:
            if key not in self._cache:
                self.builds += 1
                self._cache[key] = value
                while len(self._cache) > self.KEEP:
                    self._cache.popitem(last=False)
            return self._cache[key]

    def version_numbers(self, layers: Layers) -> dict[str, int]:
        """Which list versions a check used, naming every layer; 0 records that a kind had no
        national version."""
        numbers: dict[str, int] = {}
        for kind in self.kinds:
            versions = layers.get(kind, [])
            national = next((v for v in versions if v.scope == NATIONAL), None)
            numbers[kind] = national.number if national is not None else 0
            for version in versions:
                if version.scope != NATIONAL:
                    numbers[layer_key(version)] = version.number
        return numbers


def version_ids(versions: Iterable[PublishedVersion]) -> list[int]:
    return [v.id for v in versions]


@dataclass(frozen=True)
class Effective(Generic[E]):
    """The entry in force for one key once the layers are stacked, where it comes from, and the
    enclosing layer's entry it relaxes (only ever with a recorded legal basis)."""

    entry: E
    scope: str
    relaxes: tuple[str, E] | None = None


def stack_resolve(stack: list[tuple[str, E]], *, spec: ListKind, data: Callable[[E], dict[str, Any]]) -> Effective[E]:
    """Resolve the entries one key has in the layers (national first).

    A more local entry tightens or restates freely; it relaxes only with a legal basis. A
    relaxation without one (possible when the enclosing layer was tightened after the local
    import) does not count: the stricter entry stays in force.
    """
    scope, current = stack[0]
    for next_scope, entry in stack[1:]:
        if spec.relaxes(data(entry), data(current)) and not spec.legal_basis(data(entry)):
            continue
        scope, current = next_scope, entry
    relaxes = next(((s, e) for s, e in stack if s != scope and spec.relaxes(data(current), data(e))), None)
    return Effective(entry=current, scope=scope, relaxes=relaxes)


def no_structure(version: PublishedVersion) -> None:
    """For kinds that query the database per check and keep nothing in memory."""
    return None


def with_basis(message: str, basis: str, *, english: bool = False) -> str:
    """A message with the entry's legal basis appended, when it has one."""
    if not basis:
        return message
    return f"{message} Legal basis: {basis}." if english else f"{message}依据：{basis}。"
