"""API rate limits (DRF throttles): per integrator for authenticated calls, per client address for
the anonymous ones (the verification links, the schema).

The counts live in Django's default cache, which is shared by every process (Redis with
REDIS_URL, files under VAR_DIR/cache in the embedded default; see settings). Rates are read on
every request, so a changed setting applies without a restart of the class.
"""

from __future__ import annotations

import logging
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
            return super().allow_request(request, view)
        except Exception:
            logger.warning("throttle %s: the cache is unavailable; request allowed", self.scope)
            return True


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
