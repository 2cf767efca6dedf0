"""A circuit breaker per department, so one sick department cannot clog the others."""

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


def circuit_allows(*, department: str) -> CircuitVerdict:
    with transaction.atomic():
        circuit, _ = DepartmentCircuit.objects.select_for_update().get_or_create(department=department)
        if circuit.state == CircuitState.CLOSED:
            return CircuitVerdict(allowed=True)
        now = timezone.now()
        if circuit.state == CircuitState.OPEN and circuit.opened_until and circuit.opened_until <= now:
            # Let one trial call through; its result closes or re-opens the circuit.
            circuit.state = CircuitState.HALF_OPEN
            circuit.opened_until = now + timedelta(seconds=settings.CIRCUIT_OPEN_SECONDS)
            circuit.save(update_fields=["state", "opened_until", "updated_at"])
            return CircuitVerdict(allowed=True)
        return CircuitVerdict(allowed=False, retry_at=circuit.opened_until)


def circuit_record(*, department: str, success: bool) -> None:
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
