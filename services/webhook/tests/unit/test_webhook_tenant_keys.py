"""Tenant API keys: shape, hashing, and reading them from the Authorization header."""

from __future__ import annotations

import hashlib

import pytest

from reelforge.webhook.domain import tenant_keys

pytestmark = pytest.mark.unit


def test_a_new_key_has_the_documented_shape_and_only_its_hash_is_kept() -> None:
    issued = tenant_keys.generate()
    plaintext = issued.plaintext.get_secret_value()
    assert plaintext.startswith(f"rf_live_{issued.key_id}_")
    assert issued.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in repr(issued)
    assert tenant_keys.key_id_of(plaintext) == issued.key_id


def test_keys_are_unique() -> None:
    keys = {tenant_keys.generate().key_hash for _ in range(200)}
    assert len(keys) == 200


def test_the_bearer_credential_is_extracted_from_the_authorization_header() -> None:
    plaintext = tenant_keys.generate().plaintext.get_secret_value()
    assert tenant_keys.from_authorization(f"Bearer {plaintext}") == plaintext
    assert tenant_keys.from_authorization(f"bearer   {plaintext} ") == plaintext


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer rf_live_short", "Bearer sk-123", "Token x"],
)
def test_anything_else_is_refused_without_echoing_it(header: str | None) -> None:
    with pytest.raises(tenant_keys.ApiKeyError) as caught:
        tenant_keys.from_authorization(header)
    presented = (header or "").partition(" ")[2].strip()
    if presented:
        assert presented not in str(caught.value)
