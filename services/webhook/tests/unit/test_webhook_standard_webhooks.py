"""Upstream callbacks are signed so that the Standard Webhooks reference library verifies them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from reelforge.webhook.domain import standard_webhooks as sw

pytestmark = pytest.mark.unit

MASTER = SecretStr("master-secret-for-tests")
BODY = json.dumps({"type": "video.ready", "data": {"job_id": "j1"}}).encode()


def _secret(tenant: str = "acme", generation: int = 1) -> SecretStr:
    return sw.derive_tenant_secret(MASTER, tenant, generation)


def test_the_reference_library_verifies_our_signature() -> None:
    secret = _secret()
    headers = sw.signed_headers(secret, "msg_1", datetime.now(UTC), BODY)
    payload = Webhook(secret.get_secret_value()).verify(BODY, headers)
    assert payload == json.loads(BODY)


def test_the_reference_library_refuses_a_tampered_body_or_another_tenants_secret() -> None:
    headers = sw.signed_headers(_secret(), "msg_1", datetime.now(UTC), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(_secret().get_secret_value()).verify(BODY.replace(b"j1", b"j2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(_secret("globex").get_secret_value()).verify(BODY, headers)


def test_our_verifier_agrees_with_signatures_made_by_the_reference_library() -> None:
    secret = _secret()
    now = datetime.now(UTC)
    reference = Webhook(secret.get_secret_value()).sign("msg_2", now, BODY.decode())
    headers = {
        sw.ID_HEADER: "msg_2",
        sw.TIMESTAMP_HEADER: str(int(now.timestamp())),
        sw.SIGNATURE_HEADER: f"v1,bogus {reference}",
    }
    sw.verify(secret, headers, BODY, now=now)


def test_a_stale_delivery_is_refused() -> None:
    secret = _secret()
    sent = datetime.now(UTC) - timedelta(minutes=10)
    headers = sw.signed_headers(secret, "msg_3", sent, BODY)
    with pytest.raises(sw.CallbackSignatureError):
        sw.verify(secret, headers, BODY)


def test_tenant_secrets_are_whsec_base64_and_change_with_the_generation() -> None:
    first, rotated = _secret(), _secret(generation=2)
    assert first.get_secret_value().startswith("whsec_")
    assert len(sw.secret_key(first)) == 32
    assert first.get_secret_value() != rotated.get_secret_value()
    assert _secret().get_secret_value() == first.get_secret_value()


@pytest.mark.parametrize("raw", ["not-prefixed", "whsec_", "whsec_%%%"])
def test_malformed_secrets_are_refused(raw: str) -> None:
    with pytest.raises(sw.InvalidSecretError):
        sw.secret_key(SecretStr(raw))
