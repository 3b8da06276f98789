"""Who is at the other end of a request: the one place the client's address is decided.

Behind a reverse proxy every request arrives from the proxy, so the proxy's
`X-Forwarded-For` must be read; but a client can send that header too, so it is believed only
when the request came from a configured trusted proxy (`CARESIGNALS_TRUSTED_PROXIES`), and then
only the addresses that trusted proxies added: reading from the right, the first address that
is not itself a trusted proxy is the client.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted_networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in configured)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is None:
        return False
    networks = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    if not _is_trusted(_address(remote)):
        return remote
    hops = [h for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not written by a proxy we trust: stop believing the header here
        if not _is_trusted(address):
            return str(address)
    return remote
