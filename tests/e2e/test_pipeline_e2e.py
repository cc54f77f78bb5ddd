"""A request goes all the way through: script.requested in, an MP4 in object storage and its
video.ready out, on the real broker, PostgreSQL and services."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlparse

import av
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from reelforge.contracts import SCRIPT_REQUESTED, VIDEO_READY, VIDEO_STATUS, VideoReady
from reelforge.runtime.stack import Stack, demo_request
from reelforge.runtime.testing import EventWaiter, for_job, publish

pytestmark = pytest.mark.e2e


async def test_script_request_becomes_a_stored_mp4_announced_on_video_ready(
    stack: Stack, kafka_producer: AIOKafkaProducer
) -> None:
    request = demo_request()
    async with EventWaiter(stack.bootstrap_servers, VIDEO_STATUS, VIDEO_READY) as events:
        await publish(kafka_producer, SCRIPT_REQUESTED, request)
        ready_event = await events.wait_for(for_job(request.job_id, topic=VIDEO_READY), 240)
        states = [
            e["state"]
            for t, e in events.seen
            if t == VIDEO_STATUS and e.get("job_id") == str(request.job_id)
        ]

    ready = VideoReady.model_validate(ready_event)
    assert ready.tenant_id == request.tenant_id
    assert ready.metadata == request.metadata
    assert {"queued", "submitted", "rendered"} <= set(states)

    path = Path(urlparse(ready.asset.uri).path)
    data = path.read_bytes()
    assert len(data) == ready.asset.size_bytes
    assert hashlib.sha256(data).hexdigest() == ready.asset.sha256
    with av.open(str(path)) as container:
        kinds = {stream.type for stream in container.streams}
        video = container.streams.video[0]
        assert kinds >= {"video", "audio"}
        assert (video.codec_context.width, video.codec_context.height) == (
            ready.asset.width,
            ready.asset.height,
        )
    async with httpx.AsyncClient() as client:
        fetched = await client.get(str(ready.asset.signed_url))
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == ready.asset.sha256
