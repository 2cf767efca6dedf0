"""The SSRF guard: a webhook may not reach into the platform's own network.

Standard Webhooks' security notes: an endpoint that resolves to a private, loopback or
link-local address is refused, at registration and again before every attempt (a name may
resolve elsewhere later). `WEBHOOKS_ALLOW_LOOPBACK` lets the embedded demo and the tests use a
receiver on 127.0.0.1; production turns it off.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def _address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if settings.WEBHOOKS_ALLOW_LOOPBACK else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private or address.is_reserved or address.is_multicast or address.is_unspecified:
        return "a private or reserved address"
    if not address.is_global:
        return "an address that is not public"
    return None


def webhook_url_problem(url: str) -> str | None:
    """Why the platform refuses to POST to `url`, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "只允许 http 或 https 地址 / only http and https URLs are allowed"
    if not parts.hostname:
        return "地址缺少主机名 / the URL has no host"
    if parts.username or parts.password:
        return "地址不得包含用户名或密码 / the URL may not carry credentials"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        resolved = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        return "主机名无法解析 / the host name does not resolve"
    for *_, sockaddr in resolved:
        problem = _address_problem(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]))
        if problem:
            return f"地址指向内网，已拒绝 / the URL resolves to {problem}, which is refused"
    return None
