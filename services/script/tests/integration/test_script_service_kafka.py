"""The script service in-process on the real broker and PostgreSQL: `script.requested` in,
`video.requested` (or a failed `video.status`) out, keyed by the same job_id.

The service joins the `reelforge-script` consumer group; no other script service runs on the
session's broker while these tests do (the stacks of the e2e tests start later in the session).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

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
from reelforge.script.bootstrap import bootstrap
from reelforge.script.config import ScriptSettings
from reelforge.script.domain.budget import count_words
from tests.support.fake_providers import serve_app

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


@asynccontextmanager
async def running_script_service(settings: ScriptSettings) -> AsyncIterator[None]:
    app, _ = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield


@pytest.fixture(scope="module")
async def template_service(kafka_bootstrap: str, database_url: str) -> AsyncIterator[None]:
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


class GarbageModel:
    """A chat-completions endpoint whose model answers with nothing a presenter could say."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle(self, request: Request) -> JSONResponse:
        self.calls += 1
        body = await request.json()
        return JSONResponse(
            {
                "id": "chatcmpl-garbage",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "#### *** ----"}}
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
            }
        )


async def test_an_llm_that_answers_garbage_fails_the_job_with_script_generation_failed(
    service_env: dict[str, str], kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    model = GarbageModel()
    app = Starlette(routes=[Route("/v1/chat/completions", model.handle, methods=["POST"])])
    async with serve_app(app) as base_url:
        settings = ScriptSettings(
            http_port=0,
            script_writer="openai",
            script_llm_base_url=f"{base_url}/v1",
            script_llm_model="test-model",
            script_llm_backoff_base_s=0.01,
            script_fallback_to_template=False,
        )
        event = listing(seconds=10)
        async with (
            running_script_service(settings),
            EventWaiter(kafka_bootstrap, VIDEO_STATUS) as waiter,
        ):
            await publish(kafka_producer, SCRIPT_REQUESTED, event)
            failed = await waiter.wait_for(
                for_job(event.job_id, topic=VIDEO_STATUS, state="failed"), timeout_s=90
            )

    assert failed["error"]["code"] == "script_generation_failed"
    assert failed["error"]["stage"] == "script"
    assert model.calls >= 2, "the garbage answer is retried before the job fails"
