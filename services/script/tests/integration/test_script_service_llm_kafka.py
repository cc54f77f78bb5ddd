"""The script service with an OpenAI-compatible writer, in-process on the real broker and database.

Its own module: the template-writer service of test_script_service_kafka.py has stopped before this
one joins the same `reelforge-script` consumer group (two members at once make the group rebalance).
"""

from __future__ import annotations

import uuid

import pytest
from aiokafka import AIOKafkaProducer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reelforge.contracts import SCRIPT_REQUESTED, VIDEO_STATUS, SceneCast, ScriptRequested
from reelforge.runtime.testing import EventWaiter, for_job, publish
from reelforge.script.config import ScriptSettings
from tests.support.fake_providers import serve_app

from .conftest import RunningService

pytestmark = pytest.mark.integration


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
    service_env: dict[str, str],
    kafka_bootstrap: str,
    kafka_producer: AIOKafkaProducer,
    running_script_service: RunningService,
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
        event = ScriptRequested(
            job_id=uuid.uuid4(),
            tenant_id="acme",
            topic="Should you sell before summer?",
            target_seconds=10,
            scenes=[SceneCast(avatar_id="anna", voice_id="en-us-female")],
        )
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
