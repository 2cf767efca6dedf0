"""Change notices for an application's progress, so that a long poll sleeps instead of re-reading.

Every status change announces itself after commit on a Redis channel of its own application. A
waiting status request subscribes to that one channel and blocks on its socket: no query runs
while nothing happens, whatever the number of waiting clients. The notice only wakes the waiter;
the waiter still reads the ETag itself, so a lost notice costs latency (a re-read every
PROGRESS_RECHECK_SECONDS), never a wrong answer.

Without Redis (the embedded default) there is no channel: waiters re-read every
PROGRESS_POLL_SECONDS instead.
"""

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Protocol

import redis
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_CHANNEL_PREFIX = "onewindow:progress:"
# After a failed publish, notices are skipped for this long, so a broken Redis never costs each
# status change a connect timeout; waiters then fall back to their periodic re-read.
_PUBLISH_BACKOFF_SECONDS = 5.0
_client_lock = threading.Lock()
_client: redis.Redis | None = None
_publish_suspended_until = 0.0


def _channel(application_id: object) -> str:
    return f"{_CHANNEL_PREFIX}{application_id}"


def _redis() -> redis.Redis | None:
    global _client
    if not settings.REDIS_URL:
        return None
    with _client_lock:
        if _client is None:
            _client = redis.Redis.from_url(
                settings.REDIS_URL,
                socket_timeout=settings.BROKER_SOCKET_TIMEOUT_SECONDS,
                socket_connect_timeout=settings.BROKER_SOCKET_TIMEOUT_SECONDS,
            )
        return _client


def _publish(application_id: uuid.UUID) -> None:
    global _publish_suspended_until
    client = _redis()
    if client is None or time.monotonic() < _publish_suspended_until:
        return
    try:
        client.publish(_channel(application_id), b"1")
    except redis.RedisError:
        _publish_suspended_until = time.monotonic() + _PUBLISH_BACKOFF_SECONDS
        logger.warning("progress notices suspended: Redis did not take a publish")


def progress_announce(*, application_id: uuid.UUID) -> None:
    """Wakes the application's waiters once the current transaction commits."""
    if settings.REDIS_URL:
        transaction.on_commit(lambda: _publish(application_id))


class ProgressWaiter(Protocol):
    def wait(self, timeout: float) -> bool:
        """Blocks up to `timeout`; True when woken by a notice."""


class _ChannelWaiter:
    def __init__(self, pubsub: redis.client.PubSub) -> None:
        self._pubsub = pubsub

    def wait(self, timeout: float) -> bool:
        # get_message blocks on the socket (select), so a waiter costs no CPU while idle. Notices
        # that arrived meanwhile are drained so one burst of changes wakes the waiter once.
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if message is not None:
                    while self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0) is not None:
                        pass
                    return True
        except redis.RedisError:
            _SleepWaiter().wait(max(0.0, deadline - time.monotonic()))
        return False


class _SleepWaiter:
    def wait(self, timeout: float) -> bool:
        time.sleep(min(timeout, settings.PROGRESS_POLL_SECONDS))
        return False


@contextlib.contextmanager
def progress_subscription(*, application_id: object) -> Iterator[ProgressWaiter]:
    """Subscribes before the caller re-reads, so no change can fall between the read and the wait."""
    client = _redis()
    if client is None:
        yield _SleepWaiter()
        return
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(_channel(application_id))
    except redis.RedisError:
        pubsub.close()
        yield _SleepWaiter()
        return
    try:
        yield _ChannelWaiter(pubsub)
    finally:
        with contextlib.suppress(redis.RedisError):
            pubsub.close()
