"""HeyGen registered-endpoint deliveries: what verifies and what is refused, and why."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from reelforge.webhook.domain import heygen_signature as sig
from reelforge.webhook.domain.heygen_signature import Rejection, SignatureError

pytestmark = pytest.mark.unit

SECRET = SecretStr("whsec_k7x9m2testsecret")
OTHER = SecretStr("whsec_someoneelse")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BODY = json.dumps(
    {
        "event_type": "avatar_video.success",
        "event_data": {
            "video_id": "v_abc",
            "url": "https://files.heygen.ai/v_abc.mp4",
            "callback_id": "5a0f8a4e-2d0c-4c1d-9a57-3c7b8a1d2e3f",
        },
    }
).encode()


def _headers(body: bytes = BODY, secret: SecretStr = SECRET, at: datetime = NOW) -> dict[str, str]:
    return sig.signed_headers(body, secret, event_id="evt_01", sent_at=at)


def _reason(headers: dict[str, str], body: bytes = BODY, **kwargs: object) -> Rejection:
    with pytest.raises(SignatureError) as caught:
        sig.verify(headers, body, [SECRET], now=NOW, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason


def test_signature_is_hex_hmac_sha256_of_the_raw_body_keyed_with_the_secret_string() -> None:
    independent = hmac.new(b"whsec_k7x9m2testsecret", BODY, hashlib.sha256).hexdigest()
    assert sig.expected_signature(BODY, SECRET) == independent


def test_a_correctly_signed_fresh_delivery_verifies_and_keeps_its_event_id() -> None:
    delivery = sig.verify(_headers(), BODY, [SECRET], now=NOW)
    assert delivery.event_id == "evt_01"
    assert delivery.sent_at == NOW


def test_uppercase_hex_and_surrounding_spaces_are_accepted() -> None:
    headers = _headers()
    headers[sig.SIGNATURE_HEADER] = f"  {headers[sig.SIGNATURE_HEADER].upper()} "
    assert sig.verify(headers, BODY, [SECRET], now=NOW).event_id == "evt_01"


def test_a_tampered_body_is_refused() -> None:
    assert _reason(_headers(), BODY.replace(b"v_abc", b"v_xyz")) is Rejection.BAD_SIGNATURE


def test_a_body_signed_with_another_secret_is_refused() -> None:
    assert _reason(_headers(secret=OTHER)) is Rejection.BAD_SIGNATURE


def test_the_previous_secret_still_verifies_during_a_rotation() -> None:
    headers = _headers(secret=OTHER)
    assert sig.verify(headers, BODY, [SECRET, OTHER], now=NOW).event_id == "evt_01"


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), timedelta(hours=3)])
def test_a_delivery_older_than_five_minutes_is_stale(age: timedelta) -> None:
    assert _reason(_headers(at=NOW - age)) is Rejection.STALE_TIMESTAMP


def test_a_timestamp_from_the_future_beyond_the_tolerance_is_stale() -> None:
    assert _reason(_headers(at=NOW + timedelta(minutes=6))) is Rejection.STALE_TIMESTAMP


def test_a_delivery_just_inside_the_window_verifies() -> None:
    headers = _headers(at=NOW - timedelta(minutes=4, seconds=59))
    assert sig.verify(headers, BODY, [SECRET], now=NOW).event_id == "evt_01"


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [
        (sig.SIGNATURE_HEADER, None, Rejection.MISSING_SIGNATURE),
        (sig.SIGNATURE_HEADER, "", Rejection.MISSING_SIGNATURE),
        (sig.SIGNATURE_HEADER, "sha256=abc", Rejection.MALFORMED_SIGNATURE),
        (sig.SIGNATURE_HEADER, "z" * 64, Rejection.MALFORMED_SIGNATURE),
        (sig.TIMESTAMP_HEADER, None, Rejection.MISSING_TIMESTAMP),
        (sig.TIMESTAMP_HEADER, "yesterday", Rejection.MALFORMED_TIMESTAMP),
        (sig.TIMESTAMP_HEADER, "-1", Rejection.MALFORMED_TIMESTAMP),
        (sig.TIMESTAMP_HEADER, "99999999999999999999", Rejection.MALFORMED_TIMESTAMP),
        (sig.EVENT_ID_HEADER, "evt with spaces", Rejection.MALFORMED_EVENT_ID),
        (sig.EVENT_ID_HEADER, "e" * 201, Rejection.MALFORMED_EVENT_ID),
    ],
)
def test_missing_or_malformed_headers_are_refused_with_a_reason(
    header: str, value: str | None, reason: Rejection
) -> None:
    headers = _headers()
    if value is None:
        del headers[header]
    else:
        headers[header] = value
    assert _reason(headers) is reason


def test_a_bad_signature_is_reported_before_the_timestamp_is_trusted() -> None:
    headers = _headers(secret=OTHER, at=NOW - timedelta(days=1))
    assert _reason(headers) is Rejection.BAD_SIGNATURE


def test_without_a_configured_secret_nothing_verifies() -> None:
    with pytest.raises(SignatureError) as caught:
        sig.verify(_headers(), BODY, [], now=NOW)
    assert caught.value.reason is Rejection.NO_SECRET_CONFIGURED


def test_a_delivery_without_event_id_is_deduped_by_its_body_hash() -> None:
    headers = _headers()
    del headers[sig.EVENT_ID_HEADER]
    first = sig.verify(headers, BODY, [SECRET], now=NOW)
    again = sig.verify(headers, BODY, [SECRET], now=NOW)
    assert first.event_id == again.event_id == "body-sha256:" + hashlib.sha256(BODY).hexdigest()


def test_the_rejection_never_contains_the_secret_or_the_signature() -> None:
    headers = _headers(secret=OTHER)
    with pytest.raises(SignatureError) as caught:
        sig.verify(headers, BODY, [SECRET], now=NOW)
    text = str(caught.value)
    assert SECRET.get_secret_value() not in text
    assert headers[sig.SIGNATURE_HEADER] not in text


_header_value = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.text(alphabet="0123456789abcdefABCDEF", min_size=64, max_size=64),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=512),
    signature=_header_value,
    timestamp=_header_value,
    event_id=_header_value,
)
def test_arbitrary_headers_and_bodies_never_verify_unless_signed(
    body: bytes, signature: str | None, timestamp: str | None, event_id: str | None
) -> None:
    headers = {
        name: value
        for name, value in (
            (sig.SIGNATURE_HEADER, signature),
            (sig.TIMESTAMP_HEADER, timestamp),
            (sig.EVENT_ID_HEADER, event_id),
        )
        if value is not None
    }
    genuinely_signed = signature is not None and hmac.compare_digest(
        signature.strip().lower().encode("utf-8", "replace"),
        hmac.new(SECRET.get_secret_value().encode(), body, hashlib.sha256).hexdigest().encode(),
    )
    try:
        sig.verify(headers, body, [SECRET], now=NOW)
    except SignatureError:
        return
    assert genuinely_signed, "an unsigned delivery verified"


@settings(max_examples=100, deadline=None)
@given(body=st.binary(max_size=512), flip=st.integers(min_value=0, max_value=511))
def test_changing_any_byte_of_a_signed_body_breaks_the_signature(body: bytes, flip: int) -> None:
    headers = _headers(body=body)
    if not body:
        tampered = b"x"
    else:
        index = flip % len(body)
        tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    with pytest.raises(SignatureError):
        sig.verify(headers, tampered, [SECRET], now=NOW)
