"""Verification of HeyGen's signed deliveries to a registered webhook endpoint.

HeyGen signs the raw request body: ``Heygen-Signature`` is the lowercase hex HMAC-SHA256 of the
body keyed with the endpoint secret (the ``whsec_...`` string as HeyGen returned it).
``Heygen-Timestamp`` (unix seconds) must lie within the tolerance of our clock, and
``Heygen-Event-Id`` names the delivery (the same on every retry) so that duplicates can be dropped.

The timestamp is not part of the signed content, so it only bounds how long a captured delivery
stays useful; dedupe on the event id is the replay defence, and a webhook is only ever a hint that
the render service confirms with HeyGen's API.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import SecretStr

SIGNATURE_HEADER = "heygen-signature"
TIMESTAMP_HEADER = "heygen-timestamp"
EVENT_ID_HEADER = "heygen-event-id"
DEFAULT_TOLERANCE = timedelta(minutes=5)
MAX_EVENT_ID_LENGTH = 200

_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_UNIX_SECONDS = re.compile(r"\d{1,11}(\.\d{1,9})?", re.ASCII)
_EVENT_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_EVENT_ID_LENGTH}}}")


class Rejection(StrEnum):
    """Why a delivery was refused; stable values for logs and metrics."""

    NO_SECRET_CONFIGURED = "no_secret_configured"  # noqa: S105 - a reason code
    MISSING_SIGNATURE = "missing_signature"
    MALFORMED_SIGNATURE = "malformed_signature"
    BAD_SIGNATURE = "bad_signature"
    MISSING_TIMESTAMP = "missing_timestamp"
    MALFORMED_TIMESTAMP = "malformed_timestamp"
    STALE_TIMESTAMP = "stale_timestamp"
    MALFORMED_EVENT_ID = "malformed_event_id"


class SignatureError(Exception):
    """The delivery is not provably HeyGen's, or no longer fresh."""

    def __init__(self, reason: Rejection, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class VerifiedDelivery:
    """What a verified delivery tells us besides its body."""

    event_id: str
    """HeyGen's delivery id, or ``body-sha256:<hex>`` when HeyGen sent none (dedupe key)."""
    sent_at: datetime


def expected_signature(body: bytes, secret: SecretStr) -> str:
    """The hex HMAC-SHA256 that HeyGen puts in ``Heygen-Signature`` for this body."""
    return hmac.digest(secret.get_secret_value().encode(), body, "sha256").hex()


def signed_headers(
    body: bytes, secret: SecretStr, *, event_id: str, sent_at: datetime
) -> dict[str, str]:
    """The headers of a delivery as HeyGen sends it (tests, benchmarks, local providers)."""
    return {
        SIGNATURE_HEADER: expected_signature(body, secret),
        TIMESTAMP_HEADER: str(int(sent_at.timestamp())),
        EVENT_ID_HEADER: event_id,
    }


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Sequence[SecretStr],
    *,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> VerifiedDelivery:
    """Accept the delivery only if one of `secrets` signed exactly `body` and it is fresh.

    `headers` must look names up case-insensitively (Starlette's ``Headers`` does) or carry
    lowercase names. Several secrets are accepted so that an endpoint secret can be rotated
    without refusing deliveries signed just before the switch.
    """
    if not secrets:
        raise SignatureError(Rejection.NO_SECRET_CONFIGURED, "no HeyGen webhook secret is set")
    signature = _header(headers, SIGNATURE_HEADER)
    if signature is None:
        raise SignatureError(Rejection.MISSING_SIGNATURE, f"header {SIGNATURE_HEADER} missing")
    if not _HEX_SHA256.fullmatch(signature):
        raise SignatureError(
            Rejection.MALFORMED_SIGNATURE, f"{SIGNATURE_HEADER} is not 64 hex characters"
        )
    provided = signature.lower().encode()
    if not any(
        hmac.compare_digest(expected_signature(body, secret).encode(), provided)
        for secret in secrets
    ):
        raise SignatureError(Rejection.BAD_SIGNATURE, "signature does not match the body")
    sent_at = _sent_at(headers)
    skew = abs(now - sent_at)
    if skew > tolerance:
        raise SignatureError(
            Rejection.STALE_TIMESTAMP,
            f"{TIMESTAMP_HEADER} is {int(skew.total_seconds())} s away from now "
            f"(allowed {int(tolerance.total_seconds())} s)",
        )
    return VerifiedDelivery(event_id=_event_id(headers, body), sent_at=sent_at)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _sent_at(headers: Mapping[str, str]) -> datetime:
    raw = _header(headers, TIMESTAMP_HEADER)
    if raw is None:
        raise SignatureError(Rejection.MISSING_TIMESTAMP, f"header {TIMESTAMP_HEADER} missing")
    if not _UNIX_SECONDS.fullmatch(raw):
        raise SignatureError(
            Rejection.MALFORMED_TIMESTAMP, f"{TIMESTAMP_HEADER} is not unix seconds"
        )
    return datetime.fromtimestamp(float(raw), UTC)


def _event_id(headers: Mapping[str, str], body: bytes) -> str:
    raw = _header(headers, EVENT_ID_HEADER)
    if raw is None:
        return "body-sha256:" + hashlib.sha256(body).hexdigest()
    if not _EVENT_ID.fullmatch(raw):
        raise SignatureError(
            Rejection.MALFORMED_EVENT_ID,
            f"{EVENT_ID_HEADER} must be 1-{MAX_EVENT_ID_LENGTH} printable ASCII characters",
        )
    return raw
