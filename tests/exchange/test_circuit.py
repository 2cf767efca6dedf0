"""The circuit breaker recovers when its half-open trial call never reports back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exchange.circuit import circuit_allows
from exchange.models import DepartmentCircuit

pytestmark = pytest.mark.django_db


def test_a_half_open_circuit_whose_trial_was_lost_lets_a_new_trial_through():
    # Found by bench/chaos.py: the worker making the trial call was SIGKILLed, and the bank's
    # circuit stayed half-open, refusing every call, long after the bank had recovered.
    DepartmentCircuit.objects.create(
        department="bank", state="half_open", consecutive_failures=5, opened_until=timezone.now() - timedelta(seconds=1)
    )
    assert circuit_allows(department="bank").allowed
    assert not circuit_allows(department="bank").allowed  # one trial at a time


def test_a_half_open_circuit_within_its_window_refuses_other_calls():
    DepartmentCircuit.objects.create(
        department="bank",
        state="half_open",
        consecutive_failures=5,
        opened_until=timezone.now() + timedelta(seconds=30),
    )
    assert not circuit_allows(department="bank").allowed
