"""Shorter sessions for the people who see the most: reviewers (full ID numbers on the case page)
and staff (the admin)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from accounts.models import Role

LAST_SEEN_KEY = "onewindow_last_seen"
# The session is written at most this often just to move the idle clock: not on every request.
LAST_SEEN_RESOLUTION_SECONDS = 30


def _is_privileged(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or user.groups.filter(name=Role.REVIEWER.value).exists()


class PrivilegedSessionMiddleware:
    """Reviewers' and staff sessions end when the browser closes, and after
    PRIVILEGED_SESSION_IDLE_SECONDS without a request (then the next request asks for a login).

    The idle clock is kept in the session itself, on the server: a stolen cookie is no good once
    its owner has been away that long.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_privileged(request):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.PRIVILEGED_SESSION_IDLE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                request.session[LAST_SEEN_KEY] = now
            if request.session.get_expire_at_browser_close() is False:
                request.session.set_expiry(0)
        return self.get_response(request)
