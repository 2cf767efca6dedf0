"""Change notices: a long poll sleeps until its application changes, and is woken when it does."""

import threading

import pytest
from django.db import transaction

from applications.models import Application
from applications.progress import progress_subscription
from applications.transitions import transition


def _submitted() -> Application:
    # A bare row with no checks or work items: no worker of the session can touch it, so only
    # the test's own change can wake its waiter.
    return Application.objects.create(
        company_name="深圳市晨曦科技有限公司",
        address="深圳市南山区科苑路15号",
        business_scope="软件开发",
        registered_capital=1,
    )


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_committed_status_change_wakes_the_applications_waiter_and_no_other():
    application, other = _submitted(), _submitted()
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
    application = _submitted()
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
