"""A circuit breaker per department, so one sick department cannot clog the others.

The state is one row per department, shared by every worker. A healthy department's row is
only read: it is locked and written only when its state has to change, so that calls to the
same department never queue behind each other on it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exchange.models import CircuitState, DepartmentCircuit


@dataclass(frozen=True)
class CircuitVerdict:
    allowed: bool
    retry_at: datetime | None = None


def _healthy(department: str) -> bool:
    row = DepartmentCircuit.objects.filter(department=department).values("state", "consecutive_failures").first()
    return row is None or (row["state"] == CircuitState.CLOSED and row["consecutive_failures"] == 0)


def circuit_allows(*, department: str) -> CircuitVerdict:
    row = DepartmentCircuit.objects.filter(department=department).values("state").first()
    if row is None or row["state"] == CircuitState.CLOSED:
        return CircuitVerdict(allowed=True)
    with transaction.atomic():
        circuit, _ = DepartmentCircuit.objects.select_for_update().get_or_create(department=department)
        if circuit.state == CircuitState.CLOSED:
            return CircuitVerdict(allowed=True)
        now = timezone.now()
        if circuit.opened_until and circuit.opened_until <= now:
            # Let one trial call through; its result closes or re-opens the circuit. A half-open
            # circuit whose window has passed lost its trial (the worker was killed before it
            # recorded a result): without a new trial it would stay half-open for ever.
            circuit.state = CircuitState.HALF_OPEN
            circuit.opened_until = now + timedelta(seconds=settings.CIRCUIT_OPEN_SECONDS)
            circuit.save(update_fields=["state", "opened_until", "updated_at"])
            return CircuitVerdict(allowed=True)
        return CircuitVerdict(allowed=False, retry_at=circuit.opened_until)


def circuits_allow(*, departments: Iterable[str]) -> dict[str, CircuitVerdict]:
    """`circuit_allows` for several departments, reading every closed circuit in one query."""
    wanted = set(departments)
    states = dict(DepartmentCircuit.objects.filter(department__in=wanted).values_list("department", "state"))
    return {
        department: CircuitVerdict(allowed=True)
        if states.get(department, CircuitState.CLOSED) == CircuitState.CLOSED
        else circuit_allows(department=department)
        for department in wanted
    }


def circuits_record(*, successes: Mapping[str, bool]) -> None:
    """`circuit_record` for several departments; healthy circuits that succeeded cost one query in all."""
    sick = {
        department
        for department, state, failures in DepartmentCircuit.objects.filter(department__in=successes).values_list(
            "department", "state", "consecutive_failures"
        )
        if state != CircuitState.CLOSED or failures
    }
    for department, success in successes.items():
        if success and department not in sick:
            continue
        circuit_record(department=department, success=success)


def circuit_record(*, department: str, success: bool) -> None:
    if success and _healthy(department):
        return
    with transaction.atomic():
        circuit, _ = DepartmentCircuit.objects.select_for_update().get_or_create(department=department)
        if success:
            circuit.state = CircuitState.CLOSED
            circuit.consecutive_failures = 0
            circuit.opened_until = None
        else:
            circuit.consecutive_failures += 1
            if (
                circuit.state == CircuitState.HALF_OPEN
                or circuit.consecutive_failures >= settings.CIRCUIT_FAILURE_THRESHOLD
            ):
                circuit.state = CircuitState.OPEN
                circuit.opened_until = timezone.now() + timedelta(seconds=settings.CIRCUIT_OPEN_SECONDS)
        circuit.save()
