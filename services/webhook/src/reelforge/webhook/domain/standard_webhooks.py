"""Signing of the callbacks reelforge sends upstream, the Standard Webhooks way.

Each delivery carries ``webhook-id`` (the same on every retry of one message),
``webhook-timestamp`` (unix seconds of this attempt) and ``webhook-signature``:
``v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>``. Secrets are written
``whsec_<base64 key>`` so that any Standard Webhooks library verifies them.

A tenant's signing secret is derived from the server's master secret and the tenant id (and a
generation number that a rotation increments), so it never has to be stored in clear.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format prefix, not a secret
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = timedelta(minutes=5)


class InvalidSecretError(ValueError):
    """A signing secret that is not ``whsec_`` followed by base64."""


class CallbackSignatureError(Exception):
    """A delivery that the secret did not sign, or that is not fresh."""


def derive_tenant_secret(master: SecretStr, tenant_id: str, generation: int = 1) -> SecretStr:
    """The ``whsec_...`` secret that signs `tenant_id`'s callbacks; shown to the tenant once."""
    message = f"reelforge-tenant-callback:{tenant_id}:{generation}".encode()
    key = hmac.new(master.get_secret_value().encode(), message, hashlib.sha256).digest()
    return SecretStr(SECRET_PREFIX + base64.b64encode(key).decode())


def secret_key(secret: SecretStr) -> bytes:
    """The HMAC key inside a ``whsec_`` secret."""
    raw = secret.get_secret_value()
    if not raw.startswith(SECRET_PREFIX):
        raise InvalidSecretError(f"a signing secret must start with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(raw.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise InvalidSecretError("a signing secret must be base64 after its prefix") from error
    if not key:
        raise InvalidSecretError("a signing secret must not be empty")
    return key


def sign(secret: SecretStr, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64>`` for this message id, timestamp and raw body."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signed_headers(
    secret: SecretStr, message_id: str, sent_at: datetime, body: bytes
) -> dict[str, str]:
    """The three Standard Webhooks headers for one delivery attempt."""
    timestamp = int(sent_at.timestamp())
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, message_id, timestamp, body),
    }


def verify(
    secret: SecretStr,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Raise :class:`CallbackSignatureError` unless `secret` signed this fresh delivery.

    For tests and for upstream teams that want a reference; `headers` uses lowercase names.
    """
    message_id = headers.get(ID_HEADER)
    raw_timestamp = headers.get(TIMESTAMP_HEADER)
    signatures = headers.get(SIGNATURE_HEADER)
    if not message_id or not raw_timestamp or not signatures:
        raise CallbackSignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not raw_timestamp.isascii() or not raw_timestamp.isdigit():
        raise CallbackSignatureError("webhook-timestamp is not unix seconds")
    timestamp = int(raw_timestamp)
    current = (now or datetime.now(UTC)).timestamp()
    if abs(current - timestamp) > tolerance.total_seconds():
        raise CallbackSignatureError("webhook-timestamp is outside the tolerance")
    expected = sign(secret, message_id, timestamp, body).encode()
    for candidate in signatures.split():
        if hmac.compare_digest(expected, candidate.encode("utf-8", "replace")):
            return
    raise CallbackSignatureError("no signature in webhook-signature matches")
