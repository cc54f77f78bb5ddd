"""What the storage service may download: the rules against SSRF, and the size and time caps.

The render service hands storage a provider URL inside a `rendered` event. A forged or
compromised event must not turn storage into a proxy into our own network, so every hop of a
download is checked here before a connection is made:

1. the scheme is ``https`` (plain ``http`` only for hosts listed for it, e.g. loopback in the
   embedded stack);
2. the host is one the provider is known to serve files from;
3. every address the host resolves to is public (not private, loopback, link-local, multicast,
   reserved, unspecified or otherwise non-global), unless it lies in an explicitly allowed network;
4. at most `max_redirects` redirects, each target checked again from step 1;
5. at most `max_bytes`, declared or received, and at most `timeout_s` in total.

This module is pure: the downloader resolves names and then asks these rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_MAX_REDIRECTS = 3
DEFAULT_TIMEOUT_S = 900.0
_DEFAULT_PORTS = {"https": 443, "http": 80}
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")


class DownloadErrorCode(StrEnum):
    """Stable `error.code` values for a download that failed or was refused."""

    URL_INVALID = "download_url_invalid"
    SCHEME_REFUSED = "download_scheme_refused"
    HOST_NOT_ALLOWED = "download_host_not_allowed"
    ADDRESS_REFUSED = "download_address_refused"
    TOO_LARGE = "download_too_large"
    TOO_MANY_REDIRECTS = "download_too_many_redirects"
    TIMEOUT = "download_timeout"
    SIZE_MISMATCH = "download_size_mismatch"
    CHECKSUM_MISMATCH = "download_checksum_mismatch"
    FAILED = "download_failed"


class DownloadError(Exception):
    """A download that was refused or failed; `code` is what the job's `error.code` becomes.

    `retryable` says whether handling the same event again later could succeed (a network
    failure) or not (a refused URL, an oversize file).
    """

    def __init__(self, code: DownloadErrorCode, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable

    def __repr__(self) -> str:
        return f"DownloadError({self.code.value!r}, {self.message!r}, retryable={self.retryable})"


@dataclass(frozen=True)
class DownloadTarget:
    """One checked hop: where to connect and what to call the host in Host and TLS SNI."""

    url: str
    scheme: str
    host: str
    port: int
    ip_literal: IPAddress | None


def normalise_host(host: str) -> str:
    return host.strip().rstrip(".").lower()


def host_matches(host: str, pattern: str) -> bool:
    """Whether `host` is `pattern`, or a subdomain of it when `pattern` is ``*.domain``.

    ``*.example.com`` matches ``cdn.example.com`` but not ``example.com`` itself, nor
    ``badexample.com``.
    """
    host, pattern = normalise_host(host), normalise_host(pattern)
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def address_refusal(address: IPAddress) -> str | None:
    """Why `address` must not be contacted (e.g. ``"loopback"``), or None if it is public.

    IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are judged by the
    embedded address too, so ``::ffff:169.254.169.254`` is as refused as the plain one.
    """
    for candidate in (*_embedded_ipv4(address), address):
        reason = _refusal_of(candidate)
        if reason is not None:
            return reason
    return None


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    embedded = [address.ipv4_mapped, address.sixtofour]
    if address.teredo is not None:
        embedded.append(address.teredo[1])
    if address in _NAT64_WELL_KNOWN:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [a for a in embedded if a is not None]


def _refusal_of(address: IPAddress) -> str | None:
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings (``127.0.0.0/8``, ``::1/128``) or single addresses, as networks."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


@dataclass(frozen=True)
class DownloadPolicy:
    """The rules one storage service applies to every hop of every download."""

    allowed_hosts: Mapping[str, Sequence[str]]
    """Per provider name, host patterns it may serve files from (``files.heygen.ai``,
    ``*.heygen.ai``)."""
    allow_http_hosts: frozenset[str] = frozenset()
    """Host patterns that may be fetched over plain http (e.g. loopback in the embedded stack)."""
    allowed_networks: tuple[IPNetwork, ...] = ()
    """Otherwise-refused networks that are allowed anyway (e.g. ``127.0.0.0/8`` in tests)."""
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    _normalised_http: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_normalised_http", frozenset(normalise_host(h) for h in self.allow_http_hosts)
        )

    def check_url(self, url: str, provider: str) -> DownloadTarget:
        """Check scheme, host and (for an IP literal) address of one hop, before any DNS lookup."""
        target = _parse(url)
        if target.ip_literal is not None:
            self.check_addresses(target, [target.ip_literal])
        if target.scheme == "http" and not any(
            host_matches(target.host, p) for p in self._normalised_http
        ):
            raise DownloadError(
                DownloadErrorCode.SCHEME_REFUSED,
                f"plain http to {target.host!r} is refused: only https is allowed for this host",
            )
        patterns = self.allowed_hosts.get(provider, ())
        if not any(host_matches(target.host, p) for p in patterns):
            raise DownloadError(
                DownloadErrorCode.HOST_NOT_ALLOWED,
                f"host {target.host!r} is not an allowed download host for provider {provider!r}",
            )
        return target

    def check_addresses(
        self, target: DownloadTarget, addresses: Sequence[IPAddress]
    ) -> tuple[IPAddress, ...]:
        """Refuse the hop unless every address `target.host` resolved to may be contacted.

        All addresses must pass, not just one: a name that resolves to both a public and an
        internal address is treated as hostile.
        """
        if not addresses:
            raise DownloadError(
                DownloadErrorCode.FAILED,
                f"host {target.host!r} did not resolve to any address",
                retryable=True,
            )
        for address in addresses:
            if any(address in network for network in self.allowed_networks):
                continue
            reason = address_refusal(address)
            if reason is not None:
                raise DownloadError(
                    DownloadErrorCode.ADDRESS_REFUSED,
                    f"host {target.host!r} resolves to {reason} address {address}, "
                    "which downloads may not reach",
                )
        return tuple(addresses)

    def check_redirect(self, redirects_followed: int) -> None:
        """Call before following one more redirect, with the number already followed."""
        if redirects_followed >= self.max_redirects:
            raise DownloadError(
                DownloadErrorCode.TOO_MANY_REDIRECTS,
                f"more than {self.max_redirects} redirects",
            )

    def check_declared_size(self, content_length: int | None) -> None:
        if content_length is not None and content_length > self.max_bytes:
            raise DownloadError(
                DownloadErrorCode.TOO_LARGE,
                f"the source declares {content_length} bytes, over the cap of {self.max_bytes}",
            )

    def check_received(self, received: int) -> None:
        if received > self.max_bytes:
            raise DownloadError(
                DownloadErrorCode.TOO_LARGE,
                f"the source sent more than the cap of {self.max_bytes} bytes",
            )


def _parse(url: str) -> DownloadTarget:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise DownloadError(DownloadErrorCode.URL_INVALID, f"the URL is invalid: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise DownloadError(
            DownloadErrorCode.SCHEME_REFUSED,
            f"scheme {scheme or '(none)'!r} is refused: only https downloads are allowed",
        )
    if parts.username is not None or parts.password is not None:
        raise DownloadError(DownloadErrorCode.URL_INVALID, "the URL must not carry credentials")
    host = normalise_host(parts.hostname or "")
    if not host:
        raise DownloadError(DownloadErrorCode.URL_INVALID, "the URL has no host")
    try:
        ip_literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        ip_literal = None
    return DownloadTarget(
        url=url.strip(),
        scheme=scheme,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS[scheme],
        ip_literal=ip_literal,
    )
