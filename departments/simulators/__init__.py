"""The six department simulators, one module each, found through a small registry.

A simulator validates the body it receives with its own input serializer, then does its
department's work in its own tables and answers ``Done`` or ``Refused``. Idempotency, latency and
failure injection are the same for all of them and live in ``departments.services``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rest_framework import serializers

from departments.models import ProcessedRequest


@dataclass(frozen=True)
class Done:
    result: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    """A final business answer ("no"), as binding as ``Done``: it is stored under the key."""

    reason: str
    reason_en: str


Outcome = Done | Refused


class Simulator:
    code: ClassVar[str]
    request_model: ClassVar[type[ProcessedRequest]]
    input_serializer: ClassVar[type[serializers.Serializer]]

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        """Do the department's work for one validated body; runs inside a transaction."""
        raise NotImplementedError


_REGISTRY: dict[str, Simulator] = {}


def register(code: str) -> Callable[[type[Simulator]], type[Simulator]]:
    def decorator(cls: type[Simulator]) -> type[Simulator]:
        if code in _REGISTRY:
            raise ValueError(f"department simulator {code!r} registered twice")
        cls.code = code
        _REGISTRY[code] = cls()
        return cls

    return decorator


def simulator_get(*, code: str) -> Simulator | None:
    return _REGISTRY.get(code)


def simulator_codes() -> list[str]:
    return list(_REGISTRY)


# Registration happens on import; the modules are listed here so that the registry is complete
# as soon as the package is imported.
from departments.simulators import (  # noqa: E402
    bank,
    housing_fund,
    market_regulation,
    public_security,
    social_security,
    tax,
)

__all__ = [
    "Done",
    "Outcome",
    "Refused",
    "Simulator",
    "bank",
    "housing_fund",
    "market_regulation",
    "public_security",
    "register",
    "simulator_codes",
    "simulator_get",
    "social_security",
    "tax",
]
