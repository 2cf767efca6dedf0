"""Change notices: a long poll sleeps until its application changes, and is woken when it does."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import transaction

from applications.models import Application
from applications.progress import progress_subscription
from applications.transitions import transition
from tests.conftest import bare_application


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_committed_status_change_wakes_the_applications_waiter_and_no_other():
    application, other = bare_application(), bare_application()
    with (
        progress_subscription(application_id=application.id) as waiter,
        progress_subscription(application_id=other.id) as bystander,
    ):
        assert waiter.wait(0.2) is False  # nothing happened yet: it times out

        def change() -> None:
            with transaction.atomic():
                row = Application.objects.select_for_update().get(pk=application.pk)
                transition(row, "checking")

        changer = threading.Thread(target=change)
        changer.start()
        woken = waiter.wait(30)
        changer.join()

        assert woken is True
        assert bystander.wait(0.2) is False


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_wakes_nobody():
    application = bare_application()
    with progress_subscription(application_id=application.id) as waiter:
        with pytest.raises(RuntimeError), transaction.atomic():
            row = Application.objects.select_for_update().get(pk=application.pk)
            transition(row, "checking")
            raise RuntimeError("the decision failed")
        assert waiter.wait(0.5) is False


@pytest.mark.django_db
def test_without_redis_a_waiter_re_reads_on_a_timer(settings):
    settings.REDIS_URL = ""
    settings.PROGRESS_POLL_SECONDS = 0.01
    with progress_subscription(application_id="any") as waiter:
        assert waiter.wait(5) is False  # it slept one poll interval, not five seconds, and was not woken


def _long_poll_around(
    application: Application, changes: list[Callable[[], None]], *, settle: float, settings
) -> tuple[str | None, str | None, float]:
    """Long-polls the application while a thread makes `changes` 0.2 s, then 0.1 s apart, each in
    its own transaction; the answer, the ETag after every change, and how long the poll took."""
    import intake.selectors

    settings.PROGRESS_SETTLE_SECONDS = settle
    queryset = Application.objects.all()
    etag = intake.selectors.application_progress_etag(queryset=queryset, application_id=application.id)

    def later() -> None:
        time.sleep(0.2)
        for change in changes:
            with transaction.atomic():
                change()
            time.sleep(0.1)

    changer = threading.Thread(target=later)
    changer.start()
    started = time.monotonic()
    answer = intake.selectors.application_progress_wait(
        queryset=queryset, application_id=application.id, etag=etag, timeout=120
    )
    took = time.monotonic() - started
    changer.join()
    assert answer != etag
    return answer, intake.selectors.application_progress_etag(queryset=queryset, application_id=application.id), took


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_long_poll_waits_for_the_rest_of_a_burst_of_progress(settings):
    application = bare_application(checks=2)
    first, second = application.checks.order_by("position")

    answer, final, _ = _long_poll_around(
        application,
        [lambda: transition(first, "running"), lambda: transition(second, "running")],
        settle=3,
        settings=settings,
    )

    assert answer == final  # one answer for both checks, not one for the first


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_long_poll_answers_a_change_of_the_applications_status_at_once(settings):
    application = bare_application()

    answer, final, took = _long_poll_around(
        application, [lambda: transition(application, "checking")], settle=60, settings=settings
    )

    assert answer == final
    assert took < 60  # it did not wait for a burst to settle


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_stop_in_mid_burst_is_answered_at_once(settings):
    application = bare_application(checks=1, status="checking")
    check = application.checks.get()

    answer, final, took = _long_poll_around(
        application,
        [lambda: transition(check, "running"), lambda: transition(application, "manual_review")],
        settle=60,
        settings=settings,
    )

    assert answer == final  # it saw the application go to a reviewer
    assert took < 60  # as soon as it went, not when the burst's settle ran out


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_step_on_the_way_in_mid_burst_waits_with_the_burst(settings):
    application = bare_application(checks=1, status="checking")
    check = application.checks.get()

    answer, final, _ = _long_poll_around(
        application,
        [
            lambda: transition(check, "running"),
            lambda: transition(application, "dispatching"),
            lambda: transition(check, "done"),
        ],
        settle=3,
        settings=settings,
    )

    assert answer == final  # one answer, after the check finished, not one at dispatching
