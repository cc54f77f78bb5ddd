"""The script service in-process on the real broker and PostgreSQL: `script.requested` in,
`video.requested` (or a failed `video.status`) out, keyed by the same job_id.

The service joins the `reelforge-script` consumer group; no other script service runs on the
session's broker while these tests do (the stacks of the e2e tests start later in the session).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from reelforge.contracts import (
    SCRIPT_REQUESTED,
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    SceneCast,
    ScriptRequested,
    Speaker,
    VideoType,
)
from reelforge.runtime.testing import EventWaiter, for_job, publish
from reelforge.script.config import ScriptSettings
from reelforge.script.domain.budget import count_words

from .conftest import RunningService

pytestmark = pytest.mark.integration

CASTS = [
    SceneCast(avatar_id="anna_costume1_cameraA", voice_id="en-us-female"),
    SceneCast(avatar_id="josh_lite3_20230714", voice_id="en-us-male"),
    SceneCast(avatar_id="tyler_casual", voice_id="en-gb-male"),
]


def listing(scenes: int = 1, seconds: int = 30) -> ScriptRequested:
    return ScriptRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        video_type=VideoType.PROPERTY_LISTING,
        topic="4-bedroom home in Indian Wells",
        key_points=["gourmet kitchen", "resort-style pool", "mountain views"],
        target_seconds=seconds,
        speaker=Speaker(name="Joseph Sardella", company="eXp Realty", phone="760-899-6988"),
        scenes=CASTS[:scenes],
        metadata={"listing_id": "IW-4BR-001"},
    )


@pytest.fixture(scope="module")
async def template_service(
    kafka_bootstrap: str, database_url: str, running_script_service: RunningService
) -> AsyncIterator[None]:
    settings = ScriptSettings(
        http_port=0, kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url
    )
    async with running_script_service(settings):
        yield


def requested(job_id: uuid.UUID) -> Callable[[str, dict[str, Any]], bool]:
    return for_job(job_id, topic=VIDEO_REQUESTED)


async def test_a_three_scene_brief_becomes_one_video_request_with_each_scenes_cast(
    template_service: None, kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    event = listing(scenes=3, seconds=60)
    async with EventWaiter(kafka_bootstrap, VIDEO_REQUESTED, VIDEO_STATUS) as waiter:
        await publish(kafka_producer, SCRIPT_REQUESTED, event)
        video = await waiter.wait_for(requested(event.job_id), timeout_s=90)
        scripting = await waiter.wait_for(
            for_job(event.job_id, topic=VIDEO_STATUS, state="scripting")
        )

    assert scripting["source"] == "script"
    assert [(s["avatar_id"], s["voice_id"]) for s in video["scenes"]] == [
        (c.avatar_id, c.voice_id) for c in CASTS
    ]
    words = sum(count_words(scene["script"]) for scene in video["scenes"])
    assert 135 <= words <= 165, f"60 s at 2.5 words/s is 150 +-10%, got {words}"
    assert video["script"]["writer"] == "template"
    assert video["metadata"] == {"listing_id": "IW-4BR-001"}
    assert video["tenant_id"] == "acme"
    assert "Joseph Sardella" in video["scenes"][0]["script"]
    assert "760-899-6988" in video["scenes"][-1]["script"]


async def test_a_redelivered_brief_yields_one_video_request(
    template_service: None, kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    event = listing(seconds=10)
    after = listing(seconds=10)
    async with EventWaiter(kafka_bootstrap, VIDEO_REQUESTED) as waiter:
        await publish(kafka_producer, SCRIPT_REQUESTED, event)
        await publish(kafka_producer, SCRIPT_REQUESTED, event)
        # Same Kafka key as the duplicates, so the same partition: handled after both of them.
        await kafka_producer.send_and_wait(
            SCRIPT_REQUESTED, after.model_dump_json().encode(), key=event.key
        )
        await waiter.wait_for(requested(after.job_id), timeout_s=90)

    copies = [e for topic, e in waiter.seen if requested(event.job_id)(topic, e)]
    assert len(copies) == 1
