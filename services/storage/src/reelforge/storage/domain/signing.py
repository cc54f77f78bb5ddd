"""HMAC-SHA256 signed URLs for objects of the local backend.

A signed URL is ``{base}/media/{key}?expires={unix seconds}&signature={mac}`` where the MAC is
HMAC-SHA256 under the storage signing key over the version, the object key and the expiry. So the
URL grants read access to exactly one object until exactly one moment: changing the key or the
expiry, or presenting the URL after it expired, is refused. Comparison is constant-time. Several
keys can be accepted at once so the signing key can be rotated while old URLs are still out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from enum import StrEnum
from urllib.parse import quote, urlencode

from pydantic import SecretStr

SIGNATURE_VERSION = "v1"
MEDIA_ROUTE_PREFIX = "/media"
EXPIRES_PARAM = "expires"
SIGNATURE_PARAM = "signature"
MIN_SECRET_BYTES = 32


class RefusalReason(StrEnum):
    MALFORMED = "malformed"
    EXPIRED = "expired"
    INVALID = "invalid"


class SignatureRefusedError(Exception):
    """A signed URL that does not grant access, with why (never echoes the secret)."""

    def __init__(self, reason: RefusalReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _check_secret(secret: SecretStr) -> bytes:
    raw = secret.get_secret_value().encode()
    if len(raw) < MIN_SECRET_BYTES:
        raise ValueError(f"the signing key must be at least {MIN_SECRET_BYTES} bytes long")
    return raw


def sign(secret: SecretStr, key: str, expires_at: int) -> str:
    """The URL-safe signature granting read access to `key` until `expires_at` (unix seconds)."""
    message = f"reelforge-media:{SIGNATURE_VERSION}:{expires_at}:{key}".encode()
    digest = hmac.new(_check_secret(secret), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_url(base_url: str, key: str, expires_at: int, secret: SecretStr) -> str:
    """The full URL of `key` on the media route of the service reachable at `base_url`."""
    query = urlencode(
        {EXPIRES_PARAM: str(expires_at), SIGNATURE_PARAM: sign(secret, key, expires_at)}
    )
    return f"{base_url.rstrip('/')}{MEDIA_ROUTE_PREFIX}/{quote(key, safe='/')}?{query}"


def verify(
    secrets: Sequence[SecretStr], key: str, expires: str | None, signature: str | None, now: float
) -> None:
    """Raise :class:`SignatureRefusedError` unless the signature is valid for `key` and unexpired.

    `expires` and `signature` are the raw query values as presented; `now` is unix seconds.
    """
    if not expires or not signature or not expires.isdigit() or len(expires) > 12:
        raise SignatureRefusedError(
            RefusalReason.MALFORMED, "the URL lacks a valid `expires` or `signature` parameter"
        )
    expires_at = int(expires)
    try:
        presented = signature.encode("ascii")
    except UnicodeEncodeError:
        raise SignatureRefusedError(RefusalReason.INVALID, "the signature does not match") from None
    matches = [hmac.compare_digest(sign(s, key, expires_at).encode(), presented) for s in secrets]
    if not any(matches):
        raise SignatureRefusedError(RefusalReason.INVALID, "the signature does not match")
    if now >= expires_at:
        raise SignatureRefusedError(RefusalReason.EXPIRED, "the signed URL has expired")
