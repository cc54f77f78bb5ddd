"""Property: whatever headers and body arrive, the answer is never a 5xx and nothing unverified
reaches Kafka."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelforge.contracts import VIDEO_STATUS
from reelforge.runtime.testing import EventWaiter, for_job
from reelforge.webhook.adapters import jobs
from reelforge.webhook.domain import job_view

pytestmark = pytest.mark.integration

RunningWebhook = Any
FUZZ_JOB = uuid.uuid4()

_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
_headers = st.dictionaries(
    st.sampled_from(
        ["heygen-signature", "heygen-timestamp", "heygen-event-id", "content-type", "x-other"]
    ),
    st.one_of(_text.map(str.strip), st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
    max_size=4,
)
_bodies = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda event_type, data: json.dumps(
            {"event_type": event_type, "event_data": data}
        ).encode(),
        st.sampled_from(["avatar_video.success", "avatar_video.fail", "other", ""]),
        st.fixed_dictionaries(
            {"callback_id": st.just(str(FUZZ_JOB)), "video_id": _text},
            optional={"url": _text, "msg": _text},
        ),
    ),
)
_query = st.fixed_dictionaries(
    {}, optional={"job_id": st.one_of(_text, st.just(str(FUZZ_JOB))), "token": _text}
)


@pytest.fixture(scope="module")
async def fuzz_job(webhook: RunningWebhook) -> uuid.UUID:
    """FUZZ_JOB, known to the service, so a wrongly accepted body would be published."""
    tenant, _ = await webhook.tenant()
    view = job_view.accepted(FUZZ_JOB, tenant, at=datetime.now(UTC), event_id=uuid.uuid4())
    async with webhook.service.runtime.db.acquire() as conn:
        await jobs.save(conn, view)
    return FUZZ_JOB


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    provider=st.sampled_from(["heygen", "did"]),
    headers=_headers,
    body=_bodies,
    query=_query,
)
async def test_fuzzed_webhooks_never_get_a_5xx_nor_publish(
    webhook: RunningWebhook,
    client: httpx.AsyncClient,
    fuzz_job: uuid.UUID,
    provider: str,
    headers: dict[str, str],
    body: bytes,
    query: dict[str, str],
) -> None:
    response = await client.post(
        f"/webhooks/{provider}", content=body, headers=headers, params=query
    )
    assert response.status_code < 500, response.text
    assert response.json()["outcome"] not in ("accepted", "duplicate")


async def test_after_the_fuzz_only_the_genuine_delivery_is_on_kafka(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_bootstrap: str, fuzz_job: uuid.UUID
) -> None:
    body = webhook.heygen_body(fuzz_job)
    async with EventWaiter(kafka_bootstrap, VIDEO_STATUS) as statuses:
        genuine = await client.post(
            "/webhooks/heygen", content=body, headers=webhook.heygen_headers(body)
        )
        assert genuine.status_code == 200
        await statuses.wait_for(for_job(fuzz_job, source="webhook"), 30)
    published = [e for _, e in statuses.seen if e.get("job_id") == str(fuzz_job)]
    assert len(published) == 1
