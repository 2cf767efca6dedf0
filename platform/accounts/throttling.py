"""API rate limits (DRF throttles): per integrator for authenticated calls, per client address for
the anonymous ones (the verification links, the schema).

The counts live in Django's default cache, which is shared by every process (Redis with
REDIS_URL, files under VAR_DIR/cache in the embedded default; see settings). Rates are read on
every request, so a changed setting applies without a restart of the class.

Each limit counts in fixed windows (one atomic increment per request) rather than DRF's sliding
log, which reads and rewrites the list of every request's timestamp in the window: at the
default 6,000 a minute that list costs milliseconds per request. A fixed window lets a client
spend up to twice its rate across a window boundary, which is fine for a limit meant to stop a
runaway or hostile client.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.lockout import client_address
from accounts.models import ApiClient

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes named in the settings
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # DRF binds THROTTLE_RATES when the module is imported; read the current settings instead.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: APIView) -> bool:
        # The counts are a guard, not a dependency: while the cache (Redis) is unreachable the
        # API keeps answering, unthrottled, instead of failing every request with a 500.
        try:
            return self._count_in_window(request, view)
        except Exception:
            logger.warning("throttle %s: the cache is unavailable; request allowed", self.scope)
            return True

    def _count_in_window(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.window_ends = (window + 1) * self.duration
        self.now = now
        window_key = _window_key(key, duration=self.duration, window=window)
        try:
            count = self.cache.incr(window_key)
        except ValueError:  # the window's first request (or its key expired)
            if self.cache.add(window_key, 1, timeout=self.duration + 1):
                count = 1
            else:
                count = self.cache.incr(window_key)
        return count <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.now)


def _window_key(key: str, *, duration: int, window: int) -> str:
    return f"{key}:{duration}:{window}"


# Every duration DRF's rate strings can name: second, minute, hour, day.
_DURATIONS = (1, 60, 3600, 86400)


def throttle_counts_forget(*, scope: str, ident: object) -> None:
    """Forgets what one caller has spent in the current windows (an operator's unblock, or tests)."""
    key = SimpleRateThrottle.cache_format % {"scope": scope, "ident": ident}
    now = time.time()
    SimpleRateThrottle.cache.delete_many(
        [_window_key(key, duration=duration, window=int(now // duration)) for duration in _DURATIONS]
    )


class ApiClientRateThrottle(_SettingsRate):
    scope = "api_client"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.user, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousRateThrottle(_SettingsRate):
    scope = "api_anonymous"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.user, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_address(request._request) or "unknown"}
