"""Which upstream callback URLs reelforge is willing to POST to.

A callback URL comes from a tenant, so without checks it would let anyone make the webhook service
send requests into the private network (SSRF). The static check here runs at submission; the
delivery adapter checks again on the addresses the host name resolves to at send time.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class CallbackUrlError(ValueError):
    """A callback URL reelforge refuses; the message says why."""


def check(url: str, *, allow_insecure: bool) -> None:
    """Refuse non-HTTPS URLs (unless `allow_insecure`), credentials in URLs, and local hosts.

    `allow_insecure` is for local development and tests only: it permits ``http`` and
    private / loopback addresses.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not allow_insecure):
        raise CallbackUrlError("callback_url must use https")
    if parts.username or parts.password:
        raise CallbackUrlError("callback_url must not contain credentials")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise CallbackUrlError("callback_url has no host")
    if allow_insecure:
        return
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise CallbackUrlError("callback_url must name a public host")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not is_public(address):
        raise CallbackUrlError("callback_url must not point at a private or reserved address")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `address` is routable on the public internet (not loopback, private, link-local,
    multicast, reserved or unspecified, including IPv4 mapped into IPv6)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
