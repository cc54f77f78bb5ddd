"""Tenant API keys: ``rf_live_<key id>_<secret>``, stored only as a SHA-256 hash.

Why a plain SHA-256 and not bcrypt/argon2: slow hashes protect low-entropy secrets (passwords)
against offline guessing. These keys are 256 random bits, so guessing is hopeless whatever the
hash, and a fast deterministic hash lets every request find its key with one indexed lookup
instead of a deliberately slow comparison per request. The key id (the part after ``rf_live_``)
is not secret: it names the key in listings, logs and the revoke command.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from pydantic import SecretStr

KEY_PREFIX = "rf_live_"
SECRET_BYTES = 32
_KEY = re.compile(r"rf_live_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})", re.ASCII)
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class ApiKeyError(ValueError):
    """The presented credential is not shaped like a reelforge API key."""


@dataclass(frozen=True)
class IssuedKey:
    """A new key: the plaintext goes to the tenant once; only `key_id` and `key_hash` are kept."""

    plaintext: SecretStr
    key_id: str
    key_hash: str


def generate() -> IssuedKey:
    key_id = "".join(secrets.choice(_ALPHANUMERIC) for _ in range(8))
    plaintext = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return IssuedKey(plaintext=SecretStr(plaintext), key_id=key_id, key_hash=hash_key(plaintext))


def hash_key(plaintext: str) -> str:
    """Hex SHA-256 of the whole key; what the tenants table stores and is looked up by."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def key_id_of(plaintext: str) -> str:
    """The public id inside a key, e.g. for logs; raises :class:`ApiKeyError`."""
    match = _KEY.fullmatch(plaintext)
    if match is None:
        raise ApiKeyError("not a reelforge API key (expected rf_live_<id>_<secret>)")
    return match.group(1)


def from_authorization(header: str | None) -> str:
    """The key in an ``Authorization: Bearer rf_live_...`` header; raises :class:`ApiKeyError`.

    The messages never repeat the presented value.
    """
    if not header:
        raise ApiKeyError("missing Authorization header (expected: Bearer rf_live_...)")
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise ApiKeyError("Authorization must use the Bearer scheme")
    credential = credential.strip()
    key_id_of(credential)
    return credential
