"""The render service with remote providers, on the real broker and PostgreSQL: each provider
completed by webhook and by polling, idempotent submission, deadlines, the concurrency cap, the
circuit breaker with fallback, and the classified errors."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from pydantic import SecretStr

from reelforge.contracts import VIDEO_REQUESTED, VideoRequested
from reelforge.render.bootstrap import bootstrap
from reelforge.runtime.resilience import CircuitState, CircuitTransition
from reelforge.runtime.testing import EventWaiter, for_job, publish
from tests.support.fake_providers import FakeDId, FakeHeyGen

from .conftest import (
    CALLBACK_SECRET,
    SettingsFactory,
    WebhookStandIn,
    running_render,
    statuses_of,
    video_request,
    wait_final,
)

pytestmark = pytest.mark.integration


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def did_request(**kw: object) -> VideoRequested:
    render = {"captions": False, "provider": "did", **kw.pop("render", {})}  # type: ignore[dict-item]
    return video_request("amy", "en-US-JennyNeural", render=render, **kw)


async def fetch_ok(url: str) -> bool:
    async with httpx.AsyncClient() as client:
        video = await client.get(url)
    return video.status_code == 200 and video.content[4:8] == b"ftyp"


@pytest.mark.parametrize("completion", ["webhook", "poll"])
async def test_a_job_through_each_provider_completed_by_webhook_or_by_polling(
    completion: str,
    make_settings: SettingsFactory,
    heygen: FakeHeyGen,
    did: FakeDId,
    webhook_stand_in: WebhookStandIn,
    status_events: EventWaiter,
    kafka_producer: AIOKafkaProducer,
) -> None:
    by_webhook = completion == "webhook"
    settings = make_settings(
        render_provider_order="heygen,did",
        render_heygen_base_url=heygen.base_url,
        render_did_base_url=did.base_url,
        # By webhook: the first poll would come long after the test's timeout.
        render_poll_initial_s=600 if by_webhook else 0.1,
        render_webhook_base_url=webhook_stand_in.base_url if by_webhook else None,
        render_callback_token_secret=SecretStr(CALLBACK_SECRET) if by_webhook else None,
    )
    jobs = {"heygen": video_request(), "did": did_request()}
    cost_before = {p: metric("reelforge_render_cost_usd_total", provider=p) for p in jobs}
    count_before = {p: metric("reelforge_render_duration_seconds_count", provider=p) for p in jobs}
    async with running_render(settings) as dispatcher:
        for request in jobs.values():
            await publish(kafka_producer, VIDEO_REQUESTED, request)
        finals = await wait_final(status_events, [r.job_id for r in jobs.values()], 30)
        await dispatcher.refresh_metrics()

    for provider, request in jobs.items():
        fake = heygen if provider == "heygen" else did
        final = finals[str(request.job_id)]
        assert final["state"] == "rendered", final
        assert final["provider"] == provider
        states = [e["state"] for e in statuses_of(status_events, request.job_id)]
        assert states[0] == "queued"
        assert "submitted" in states
        assert states[-1] == "rendered"
        assert fake.submissions == 1
        if by_webhook:
            # The webhook was confirmed with the status API, never trusted as it came.
            assert fake.requests["status"] == 1
        rendered = final["rendered"]
        assert rendered["cost"]["amount"] > 0
        assert rendered["url_expires_at"] is not None
        assert await fetch_ok(rendered["url"])
        assert metric("reelforge_render_cost_usd_total", provider=provider) == pytest.approx(
            cost_before[provider] + rendered["cost"]["amount"]
        )
        assert metric("reelforge_render_duration_seconds_count", provider=provider) == (
            count_before[provider] + 1
        )
    if by_webhook:
        assert webhook_stand_in.accepted == 2
        assert webhook_stand_in.rejected == 0
    assert metric("reelforge_render_jobs", state="rendered") == 2
    assert metric("reelforge_render_oldest_active_job_age_seconds") == 0


async def test_redelivery_submits_once_and_a_job_past_its_deadline_fails(
    make_settings: SettingsFactory,
    heygen: FakeHeyGen,
    status_events: EventWaiter,
    kafka_producer: AIOKafkaProducer,
) -> None:
    never = FakeDId(completion_delay_s=600)
    async with never.serve():
        settings = make_settings(
            render_provider_order="heygen,did",
            render_heygen_base_url=heygen.base_url,
            render_did_base_url=never.base_url,
            render_deadline_s=3.0,
        )
        request = video_request()
        late = did_request()
        async with running_render(settings):
            await publish(kafka_producer, VIDEO_REQUESTED, late)
            for _ in range(3):
                await publish(kafka_producer, VIDEO_REQUESTED, request)
            await wait_final(status_events, [request.job_id], 30)
            # A redelivery after the job finished changes nothing either.
            await publish(kafka_producer, VIDEO_REQUESTED, request)
            final_late = (await wait_final(status_events, [late.job_id], 30))[str(late.job_id)]

    assert heygen.submissions_for(str(request.job_id)) == 1
    assert str(request.job_id) in heygen.idempotent_answers  # sent as Idempotency-Key
    states = [e["state"] for e in statuses_of(status_events, request.job_id)]
    assert states.count("queued") == 1
    assert states.count("rendered") == 1
    assert final_late["state"] == "failed"
    assert final_late["error"]["code"] == "render_deadline_exceeded"
    assert never.requests["status"] >= 2  # polled on its growing schedule meanwhile


async def test_500_jobs_never_exceed_10_renders_in_flight_and_all_finish(
    make_settings: SettingsFactory,
    status_events: EventWaiter,
    kafka_producer: AIOKafkaProducer,
) -> None:
    fake = FakeHeyGen(completion_delay_s=0.05, max_concurrent_renders=10)
    async with fake.serve():
        settings = make_settings(
            render_heygen_base_url=fake.base_url,
            render_max_in_flight=10,
            render_poll_initial_s=0.05,
            render_poll_max_s=0.2,
            render_deadline_s=300,
        )
        requests = [video_request() for _ in range(500)]
        async with running_render(settings):
            await asyncio.gather(*(
                kafka_producer.send(VIDEO_REQUESTED, r.model_dump_json().encode(), key=r.key)
                for r in requests
            ))  # fmt: skip
            await kafka_producer.flush()
            finals = await wait_final(status_events, [r.job_id for r in requests], 110)

    assert {e["state"] for e in finals.values()} == {"rendered"}
    assert len(finals) == 500
    assert fake.submissions == 500
    assert fake.max_in_flight_seen <= 10
    assert fake.rejected_for_concurrency == 0


async def test_a_failing_primary_opens_its_circuit_jobs_fall_back_and_it_closes_again(
    make_settings: SettingsFactory,
    heygen: FakeHeyGen,
    status_events: EventWaiter,
    kafka_producer: AIOKafkaProducer,
) -> None:
    did = FakeDId(
        completion_delay_s=0.3, presenter_images=["https://presenters.example.com/amy.jpg"]
    )
    async with did.serve():
        settings = make_settings(
            render_provider_order="heygen,did",
            render_heygen_base_url=heygen.base_url,
            render_did_base_url=did.base_url,
            render_did_presenters='{"Amy_public_look_1": "https://presenters.example.com/amy.jpg"}',
            render_max_in_flight_by_provider="did=3",
        )
        heygen.faults.fail(status=503, for_seconds=60, operations={"submit"})
        first = [video_request(voice="en-US-JennyNeural") for _ in range(10)]
        second = [video_request(voice="en-US-JennyNeural") for _ in range(15)]
        transitions: list[CircuitTransition] = []
        closed = asyncio.Event()

        def on_transition(t: CircuitTransition) -> None:
            transitions.append(t)
            if t.to_state is CircuitState.CLOSED:
                closed.set()

        async with running_render(settings) as dispatcher:
            breaker = dispatcher.slots["heygen"].breaker
            breaker.add_listener(on_transition)
            for r in first:
                await publish(kafka_producer, VIDEO_REQUESTED, r)
            finals = await wait_final(status_events, [r.job_id for r in first], 30)
            assert breaker.state is not CircuitState.CLOSED
            heygen.faults.clear()  # HeyGen recovers
            for r in second:
                await publish(kafka_producer, VIDEO_REQUESTED, r)
            finals |= await wait_final(status_events, [r.job_id for r in second], 30)
            await asyncio.wait_for(closed.wait(), 10)

    assert {e["state"] for e in finals.values()} == {"rendered"}
    assert {finals[str(r.job_id)]["provider"] for r in first} == {"did"}
    assert "heygen" in {finals[str(r.job_id)]["provider"] for r in second}
    assert CircuitState.OPEN in {t.to_state for t in transitions}
    assert breaker.state is CircuitState.CLOSED
    # Nothing lost, nothing doubled: one rendered status per job.
    for r in first + second:
        states = [e["state"] for e in statuses_of(status_events, r.job_id)]
        assert states.count("rendered") == 1


async def test_provider_errors_give_retries_or_clear_error_codes(
    make_settings: SettingsFactory,
    heygen: FakeHeyGen,
    did: FakeDId,
    status_events: EventWaiter,
    kafka_producer: AIOKafkaProducer,
) -> None:
    settings = make_settings(
        render_provider_order="heygen,did",
        render_heygen_base_url=heygen.base_url,
        render_did_base_url=did.base_url,
        did_api_key=SecretStr("wrong-did-key-123"),
        render_provider_timeout_s=0.3,
        render_submit_max_attempts=30,
        render_circuit_failure_threshold=50,
    )
    timeouts_before = metric(
        "reelforge_provider_errors_total", provider="heygen", error_class="provider_timeout"
    )
    async with running_render(settings):
        # 429 with Retry-After: 1 s -> retried no sooner than that, then rendered.
        heygen.faults.rate_limit(times=1, retry_after="1", operations={"submit"})
        limited = video_request()
        started = time.monotonic()
        await publish(kafka_producer, VIDEO_REQUESTED, limited)
        submitted = await status_events.wait_for(
            for_job(limited.job_id, state="submitted", source="render"), 20
        )
        assert time.monotonic() - started >= 1.0
        assert submitted["provider"] == "heygen"

        # HTTP 200 whose body is an error: an error (retryable here), not a success.
        heygen.faults.error_in_200(times=1, code="internal_error", operations={"submit"})
        errored = video_request()
        await publish(kafka_producer, VIDEO_REQUESTED, errored)
        await wait_final(status_events, [errored.job_id], 20)

        # A submit that times out is retried under the same Idempotency-Key: billed once.
        heygen.faults.slow(1.0, times=1, operations={"submit"})
        slow = video_request()
        await publish(kafka_producer, VIDEO_REQUESTED, slow)
        await wait_final(status_events, [slow.job_id], 20)

        unknown = video_request(avatar="No_such_look")
        # Two scenes: neither HeyGen v3 nor D-ID renders more than one per video.
        unsupported = video_request()
        unsupported = unsupported.model_copy(
            update={"scenes": [unsupported.scenes[0], unsupported.scenes[0]]}
        )
        bad_key = did_request()
        for request in (unknown, unsupported, bad_key):
            await publish(kafka_producer, VIDEO_REQUESTED, request)

        jobs = [limited, errored, slow, unknown, unsupported, bad_key]
        finals = await wait_final(status_events, [r.job_id for r in jobs], 30)

    for request in (limited, errored, slow):
        assert finals[str(request.job_id)]["state"] == "rendered"
        assert heygen.submissions_for(str(request.job_id)) == 1
    assert (
        metric("reelforge_provider_errors_total", provider="heygen", error_class="provider_timeout")
        > timeouts_before
    )
    failed = finals[str(unknown.job_id)]
    assert failed["state"] == "failed"
    assert failed["error"]["code"] == "unknown_avatar"
    assert "No_such_look" in failed["error"]["message"]
    assert finals[str(unsupported.job_id)]["error"]["code"] == "job_not_supported"
    auth = finals[str(bad_key.job_id)]
    assert auth["error"]["code"] == "provider_auth_failed"
    assert did.requests["submit"] == 1  # not retried
    assert "wrong-did-key-123" not in str(status_events.seen)


async def test_avatars_and_voices_are_served_filtered_and_cached(
    make_settings: SettingsFactory, heygen: FakeHeyGen
) -> None:
    app, _ = bootstrap(make_settings(render_heygen_base_url=heygen.base_url))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://render") as client:
        voices = (await client.get("/v1/providers/heygen/voices", params={"language": "es"})).json()
        again = (await client.get("/v1/providers/heygen/voices")).json()
        avatars = await client.get("/v1/providers/heygen/avatars", params={"gender": "male"})
        unknown = await client.get("/v1/providers/nope/avatars")

    assert [v["id"] for v in voices["voices"]] == ["elena_es"]
    assert len(again["voices"]) == len(heygen.voices)
    assert heygen.requests["voices"] == 1  # the second answer came from the cache
    assert [a["id"] for a in avatars.json()["avatars"]] == ["Josh_public_look_1"]
    assert unknown.status_code == 404
