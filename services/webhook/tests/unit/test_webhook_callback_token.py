"""Per-job tokens on unsigned callback URLs (HeyGen callback_url, D-ID webhook)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from reelforge.runtime import callback_tokens as callback_token

pytestmark = pytest.mark.unit

SERVER = SecretStr("server-secret-for-tests")
ROTATED = SecretStr("the-next-server-secret")
JOB = UUID("5a0f8a4e-2d0c-4c1d-9a57-3c7b8a1d2e3f")


def test_the_token_handed_out_in_the_callback_url_verifies_for_its_job() -> None:
    url = callback_token.callback_url("https://edge.example.com/", "heygen", JOB, SERVER)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == "/webhooks/heygen"
    assert query["job_id"] == [str(JOB)]
    assert callback_token.is_valid([SERVER], "heygen", JOB, query["token"][0])


def test_a_token_is_worthless_for_another_job_or_provider() -> None:
    token = callback_token.derive(SERVER, "heygen", JOB)
    assert not callback_token.is_valid([SERVER], "heygen", uuid4(), token)
    assert not callback_token.is_valid([SERVER], "did", JOB, token)


def test_a_token_made_with_another_server_secret_is_refused() -> None:
    token = callback_token.derive(ROTATED, "did", JOB)
    assert not callback_token.is_valid([SERVER], "did", JOB, token)
    assert callback_token.is_valid([SERVER, ROTATED], "did", JOB, token)


def test_tokens_differ_per_job_and_do_not_reveal_the_secret() -> None:
    first = callback_token.derive(SERVER, "did", JOB)
    second = callback_token.derive(SERVER, "did", uuid4())
    assert first != second
    assert SERVER.get_secret_value() not in first
    assert len(first) == 43


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=60))
def test_arbitrary_tokens_are_refused(token: str) -> None:
    assert not callback_token.is_valid([SERVER], "heygen", JOB, token)
