"""Per-job secret tokens for provider callbacks that carry no signature (shared by the render
service, which hands the callback URLs out, and the webhook service, which checks them).

HeyGen's per-request ``callback_url`` and D-ID's talk ``webhook`` are called without any signature,
so the URL itself must prove that we handed it out: it carries the job id and a token that is the
HMAC of (provider, job id) under a server secret. Nothing is stored; the token can be recomputed for
any job, and a token for one job or provider is worthless for another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import urlencode
from uuid import UUID

from pydantic import SecretStr

TOKEN_VERSION = "v1"  # noqa: S105 - a format version, not a secret
JOB_ID_PARAM = "job_id"
TOKEN_PARAM = "token"  # noqa: S105 - a query parameter name


def derive(secret: SecretStr, provider: str, job_id: UUID) -> str:
    """The token for `job_id`'s callbacks from `provider` (URL-safe, 43 characters)."""
    message = f"reelforge-callback:{TOKEN_VERSION}:{provider}:{job_id}".encode()
    digest = hmac.new(secret.get_secret_value().encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_valid(secrets: Sequence[SecretStr], provider: str, job_id: UUID, token: str) -> bool:
    """Whether `token` was derived for this provider and job under any of `secrets`.

    Constant-time per secret; several secrets allow the server secret to be rotated while
    callbacks handed out under the old one are still in flight.
    """
    try:
        presented = token.encode("ascii")
    except UnicodeEncodeError:
        return False
    return any(
        hmac.compare_digest(derive(secret, provider, job_id).encode(), presented)
        for secret in secrets
    )


def callback_url(base_url: str, provider: str, job_id: UUID, secret: SecretStr) -> str:
    """The URL to give `provider` as the callback of `job_id`, e.g. for HeyGen's ``callback_url``.

    `base_url` is the public URL of the webhook service; the provider's route is
    ``/webhooks/<provider>``.
    """
    query = urlencode({JOB_ID_PARAM: str(job_id), TOKEN_PARAM: derive(secret, provider, job_id)})
    return f"{base_url.rstrip('/')}/webhooks/{provider}?{query}"
