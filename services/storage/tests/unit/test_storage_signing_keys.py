"""Signed media URLs and object keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest
from pydantic import SecretStr

from reelforge.storage.domain import signing
from reelforge.storage.domain.keys import InvalidKeyPartError, asset_keys, is_safe_key

pytestmark = pytest.mark.unit

SECRET = SecretStr("k" * 40)
OTHER = SecretStr("o" * 40)
KEY = "acme/2026/11/3f0c7a52-2d37-4a40-9d0e-4c1f1b0e2a11/video.mp4"
JOB = UUID("3f0c7a52-2d37-4a40-9d0e-4c1f1b0e2a11")


def parts(url: str) -> tuple[str, str, str]:
    split = urlsplit(url)
    query = parse_qs(split.query)
    return split.path, query["expires"][0], query["signature"][0]


def test_signed_url_is_valid_until_it_expires() -> None:
    url = signing.signed_url("http://media.test:8080/", KEY, 2_000, SECRET)
    path, expires, signature = parts(url)
    assert path == f"/media/{KEY}"
    signing.verify([SECRET], KEY, expires, signature, now=1_999.9)
    with pytest.raises(signing.SignatureRefusedError) as caught:
        signing.verify([SECRET], KEY, expires, signature, now=2_000)
    assert caught.value.reason is signing.RefusalReason.EXPIRED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key, exp, sig: (key.replace("video.mp4", "thumbnail.jpg"), exp, sig),
        lambda key, exp, sig: ("other/" + key, exp, sig),
        lambda key, exp, sig: (key, str(int(exp) + 3600), sig),
        lambda key, exp, sig: (key, exp, sig[:-1] + ("A" if sig[-1] != "A" else "B")),
        lambda key, exp, sig: (key, exp, "é" + sig[1:]),
    ],
    ids=["other-object", "other-prefix", "longer-expiry", "flipped-signature", "non-ascii"],
)
def test_tampered_urls_are_refused(tamper) -> None:  # type: ignore[no-untyped-def]
    _, expires, signature = parts(signing.signed_url("http://m", KEY, 2_000, SECRET))
    key, expires, signature = tamper(KEY, expires, signature)
    with pytest.raises(signing.SignatureRefusedError) as caught:
        signing.verify([SECRET], key, expires, signature, now=1_000)
    assert caught.value.reason is signing.RefusalReason.INVALID


@pytest.mark.parametrize(("expires", "sig"), [(None, "x"), ("10", None), ("-5", "x"), ("1e9", "x")])
def test_malformed_parameters_are_refused(expires: str | None, sig: str | None) -> None:
    with pytest.raises(signing.SignatureRefusedError) as caught:
        signing.verify([SECRET], KEY, expires, sig, now=0)
    assert caught.value.reason is signing.RefusalReason.MALFORMED


def test_a_url_signed_with_another_key_is_refused_unless_that_key_is_still_accepted() -> None:
    _, expires, signature = parts(signing.signed_url("http://m", KEY, 2_000, OTHER))
    with pytest.raises(signing.SignatureRefusedError):
        signing.verify([SECRET], KEY, expires, signature, now=0)
    signing.verify([SECRET, OTHER], KEY, expires, signature, now=0)


def test_short_signing_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        signing.sign(SecretStr("short"), KEY, 1)


def test_keys_follow_the_layout_and_use_the_utc_month() -> None:
    dated = datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    keys = asset_keys("acme", JOB, dated)
    assert keys.video == f"acme/2026/11/{JOB}/video.mp4"
    assert keys.thumbnail == f"acme/2026/11/{JOB}/thumbnail.jpg"
    assert keys.metadata == f"acme/2026/11/{JOB}/metadata.json"
    assert asset_keys("acme", JOB, dated) == keys


@pytest.mark.parametrize("tenant", ["", "../etc", "Acme", "a/b", "a" * 64])
def test_keys_refuse_tenants_that_are_not_plain_segments(tenant: str) -> None:
    with pytest.raises(InvalidKeyPartError):
        asset_keys(tenant, JOB, datetime.now(UTC))


def test_keys_need_an_aware_timestamp() -> None:
    with pytest.raises(InvalidKeyPartError):
        asset_keys("acme", JOB, datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("key", "safe"),
    [
        (KEY, True),
        ("a/b.c/d_e-f", True),
        ("../x", False),
        ("a/../x", False),
        ("/abs", False),
        ("a//b", False),
        ("a/./b", False),
        ("a/.hidden", False),
        ("a\\b", False),
        ("", False),
    ],
)
def test_safe_keys(key: str, safe: bool) -> None:
    assert is_safe_key(key) is safe
