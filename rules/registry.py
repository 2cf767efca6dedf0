"""One small plugin registry, after Open Forms' ``BaseRegistry``.

The rule engine's library kinds (rules.engine), the list kinds (rules.lists) and the simulated
departments (departments.simulators) are each a registry of this class. A plugin is registered
with a decorator under a code and carries a human label, ``verbose_name``, so each label lives
in exactly one place; ``get_choices()`` gives (code, label) pairs for forms and admin filters.

This module imports nothing but the standard library: the department simulators use it
without depending on the rule data, the platform or Django's app registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Plugins by code, in registration order."""

    def __init__(self, what: str) -> None:
        self.what = what  # e.g. "rule library", for error messages
        self._plugins: dict[str, T] = {}

    def __call__(self, code: str, *, verbose_name: Any = None) -> Callable[[T], T]:
        """Class decorator: ``@registry("names", verbose_name=_("企业名称库"))``.

        The code is set on the plugin as ``code``; ``verbose_name`` defaults to the plugin's own
        attribute. Registering the same class again (a module reloaded by a test) replaces it;
        another plugin under a taken code is an error.
        """

        def decorator(plugin: T) -> T:
            existing = self._plugins.get(code)
            if existing is not None and _qualname(existing) != _qualname(plugin):
                raise ValueError(f"{self.what} {code!r} is already registered by {_qualname(existing)}")
            plugin.code = code  # type: ignore[attr-defined]
            if verbose_name is not None:
                plugin.verbose_name = verbose_name  # type: ignore[attr-defined]
            elif not getattr(plugin, "verbose_name", ""):
                plugin.verbose_name = code  # type: ignore[attr-defined]
            self._plugins[code] = plugin
            return plugin

        return decorator

    register = __call__

    def unregister(self, code: str) -> None:
        """Remove a plugin (tests that register one for themselves)."""
        self._plugins.pop(code, None)

    def __getitem__(self, code: str) -> T:
        try:
            return self._plugins[code]
        except KeyError:
            raise KeyError(f"unknown {self.what} {code!r}; known: {', '.join(self._plugins)}") from None

    def get(self, code: str) -> T | None:
        return self._plugins.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._plugins

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def codes(self) -> list[str]:
        return list(self._plugins)

    def items(self) -> list[tuple[str, T]]:
        return list(self._plugins.items())

    def verbose_name(self, code: str) -> str:
        plugin = self._plugins.get(code)
        return getattr(plugin, "verbose_name", code) if plugin is not None else code

    def get_choices(self) -> list[tuple[str, Any]]:
        """(code, verbose_name) of every plugin, in registration order."""
        return [(code, getattr(plugin, "verbose_name", code)) for code, plugin in self._plugins.items()]


def _qualname(plugin: object) -> str:
    cls = plugin if isinstance(plugin, type) else type(plugin)
    return f"{cls.__module__}.{cls.__qualname__}"


class Labels(Mapping[str, Any]):
    """A read-only, live view {code: verbose_name} of a registry: modules that are imported
    before the plugins register (label tables, templates) still see every label."""

    def __init__(self, registry: Registry[Any]) -> None:
        self._registry = registry

    def __getitem__(self, code: str) -> Any:
        if code not in self._registry:
            raise KeyError(code)
        return self._registry.verbose_name(code)

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry.codes())

    def __len__(self) -> int:
        return len(self._registry)
