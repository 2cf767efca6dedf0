from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import ApiClient
from accounts.selectors import api_client_by_key


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>` identifies an integrator (CONTRACT §5)."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[ApiClient, str] | None:
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Token <key>'.")
        client = api_client_by_key(key=header[1])
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or inactive API key.")
        return client, header[1]

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
