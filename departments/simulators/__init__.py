"""The six department simulators, one module each, found through a small registry.

A simulator validates the body it receives with its own input serializer, then does its
department's work in its own tables and answers ``Done`` or ``Refused``. Idempotency, latency and
failure injection are the same for all of them and live in ``departments.services``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.db import IntegrityError, models, transaction
from rest_framework import serializers

from departments.models import ProcessedRequest
from rules.registry import Registry

M = TypeVar("M", bound=models.Model)


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
    verbose_name: ClassVar[str] = ""
    request_model: ClassVar[type[ProcessedRequest]]
    input_serializer: ClassVar[type[serializers.Serializer]]

    def process(self, *, data: dict[str, Any], now: datetime.datetime) -> Outcome:
        """Do the department's work for one validated body; runs inside a transaction."""
        raise NotImplementedError


def create_unless_taken(model: type[M], **fields: Any) -> M | None:
    """Inserts a department's record, or None when one of its unique keys (the company's credit
    code, say) is already on file.

    The constraint decides, in one savepointed insert: no existence query before it, and no race
    between such a query and the insert.
    """
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


# The one small registry class the rule engine and the list kinds use too (rules.registry: plain
# Python, no Django, no rule data), so simulators follow the same rules and carry a label.
simulators: Registry[Simulator] = Registry("department simulator")


def register(code: str, *, verbose_name: str | None = None) -> Callable[[type[Simulator]], type[Simulator]]:
    def decorator(cls: type[Simulator]) -> type[Simulator]:
        if code in simulators:
            raise ValueError(f"department simulator {code!r} registered twice")
        simulators.register(code, verbose_name=verbose_name)(cls())
        cls.code = code
        return cls

    return decorator


def simulator_get(*, code: str) -> Simulator | None:
    return simulators.get(code)


def simulator_codes() -> list[str]:
    return simulators.codes()


def simulator_choices() -> list[tuple[str, str]]:
    return simulators.get_choices()


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
    "create_unless_taken",
    "housing_fund",
    "market_regulation",
    "public_security",
    "register",
    "simulator_choices",
    "simulator_codes",
    "simulator_get",
    "social_security",
    "tax",
]
