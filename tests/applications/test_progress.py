"""Change notices: a long poll sleeps until its application changes, and is woken when it does."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import transaction

from applications.models import Application, Check
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


class _RecordingClock:
    """The long poll's clock, recording the settle pauses it takes."""

    monotonic = staticmethod(time.monotonic)

    def __init__(self) -> None:
        self.pauses: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        time.sleep(seconds)


def _long_poll_around(application: Application, change: Callable[[], None], monkeypatch) -> list[float]:
    import intake.selectors

    clock = _RecordingClock()
    monkeypatch.setattr(intake.selectors, "time", clock)
    queryset = Application.objects.all()
    etag = intake.selectors.application_progress_etag(queryset=queryset, application_id=application.id)

    def later() -> None:
        time.sleep(0.2)
        with transaction.atomic():
            change()

    changer = threading.Thread(target=later)
    changer.start()
    answer = intake.selectors.application_progress_wait(
        queryset=queryset, application_id=application.id, etag=etag, timeout=30
    )
    changer.join()
    assert answer != etag
    return clock.pauses


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_long_poll_waits_for_the_rest_of_a_burst_of_progress(monkeypatch, settings):
    settings.PROGRESS_SETTLE_SECONDS = 0.05
    application = bare_application()
    check = Check.objects.create(application=application, library="names", position=0)

    pauses = _long_poll_around(application, lambda: transition(check, "running"), monkeypatch)

    assert pauses == [0.05]


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_long_poll_answers_a_change_of_the_applications_status_at_once(monkeypatch, settings):
    settings.PROGRESS_SETTLE_SECONDS = 0.05
    application = bare_application()

    pauses = _long_poll_around(application, lambda: transition(application, "checking"), monkeypatch)

    assert pauses == []
