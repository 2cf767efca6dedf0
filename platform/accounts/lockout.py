"""Login lockout (django-axes): after too many failed logins, the username and the client address
are each locked out for a while, on the site's login page and the admin's alike.

Failures are counted in the database, so every web server process sees the same count.
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out login before any password is checked.

    A login without a request is not a login over the web: the test client's ``login()``, a
    management command. Lockout is about web logins, so those are left to the next backend
    instead of failing outright as axes' own backend does.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies it is taken from
    X-Forwarded-For, counted from the right (the part our own proxies wrote); otherwise a
    forged header would let an attacker pick a fresh address for every guess."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
