"""Cursors, callback retry schedule and callback URL checks."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from reelforge.webhook.domain import callback_schedule, callback_urls
from reelforge.webhook.domain.pagination import Cursor, CursorError, parse_limit

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_cursor_round_trips() -> None:
    cursor = Cursor(created_at=T0, job_id=uuid4())
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize("token", ["", "garbage", "eyJ0IjogMX0", "////", "ü"])
def test_a_forged_cursor_is_refused(token: str) -> None:
    with pytest.raises(CursorError):
        Cursor.decode(token)


@pytest.mark.parametrize(("raw", "limit"), [(None, 20), ("", 20), ("1", 1), ("100", 100)])
def test_limits(raw: str | None, limit: int) -> None:
    assert parse_limit(raw) == limit


@pytest.mark.parametrize("raw", ["0", "101", "-1", "ten", "1.5"])
def test_bad_limits_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="limit"):
        parse_limit(raw)


def test_callbacks_are_retried_with_growing_intervals_for_one_day_then_given_up() -> None:
    rng = random.Random(7)
    now = T0
    attempts = 1
    gaps = []
    while True:
        at = callback_schedule.next_attempt(attempts, T0, now, rng=rng)
        if at is None:
            break
        gaps.append(at - now)
        now = at
        attempts += 1
    assert gaps[0] < timedelta(seconds=13)
    assert gaps[:6] == sorted(gaps[:6])
    assert now - T0 <= timedelta(days=1)
    assert now - T0 > timedelta(hours=20)
    assert 15 <= attempts <= 25


@pytest.mark.parametrize(
    "url",
    [
        "http://upstream.example.com/hook",
        "ftp://upstream.example.com/hook",
        "https://user:pw@upstream.example.com/hook",
        "https://localhost/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://metadata.internal/hook",
    ],
)
def test_callback_urls_into_private_networks_are_refused(url: str) -> None:
    with pytest.raises(callback_urls.CallbackUrlError):
        callback_urls.check(url, allow_insecure=False)


def test_public_https_callbacks_are_allowed_and_local_ones_only_when_insecure_is_allowed() -> None:
    callback_urls.check("https://upstream.example.com/hook", allow_insecure=False)
    callback_urls.check("https://93.184.216.34/hook", allow_insecure=False)
    callback_urls.check("http://127.0.0.1:8080/hook", allow_insecure=True)


def test_is_public_refuses_mapped_private_addresses() -> None:
    assert callback_urls.is_public(ipaddress.ip_address("8.8.8.8"))
    assert not callback_urls.is_public(ipaddress.ip_address("::ffff:192.168.1.1"))
    assert not callback_urls.is_public(ipaddress.ip_address("224.0.0.1"))
