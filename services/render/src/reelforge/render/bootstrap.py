"""Wires the render service: settings, runtime, providers, dispatcher, subscribers, HTTP."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID

from faststream.kafka.annotations import KafkaMessage
from pydantic import SecretStr
from starlette.applications import Starlette

from reelforge.contracts import VIDEO_REQUESTED, VIDEO_STATUS, VideoStatus
from reelforge.runtime import callback_tokens
from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.kafka import subscriber_options
from reelforge.runtime.resilience import CircuitBreaker, TokenBucket
from reelforge.runtime.service_asyncapi import declare_publishers

from .adapters.local_catalogue import PROVIDER as LOCAL_CATALOGUE
from .adapters.local_catalogue import LocalCatalogue
from .adapters.local_provider import LocalRenderPool
from .adapters.providers import (
    CachedCatalogue,
    DIdConfig,
    DIdProvider,
    HeyGenConfig,
    HeyGenProvider,
)
from .config import RenderSettings
from .domain.provider import VideoProvider
from .entrypoints.catalogue import catalogue_routes
from .entrypoints.consumer import BatchRouter
from .entrypoints.media import media_routes
from .service_layer.dispatcher import (
    LOCAL,
    CallbackUrls,
    Dispatcher,
    DispatchPolicy,
    ProviderSlot,
)
from .service_layer.handlers import handle_video_requested, handle_video_status

SERVICE = "render"
logger = logging.getLogger(__name__)


def build_provider(name: str, settings: RenderSettings) -> VideoProvider | None:
    """The adapter for a remote provider, or None when it has no API key."""
    timeout = settings.render_provider_timeout_s
    if name == "heygen" and settings.heygen_api_key is not None:
        return HeyGenProvider(
            HeyGenConfig(
                api_key=settings.heygen_api_key,
                base_url=settings.render_heygen_base_url,
                timeout_s=timeout,
            )
        )
    if name == "did" and settings.did_api_key is not None:
        return DIdProvider(
            DIdConfig(
                api_key=settings.did_api_key,
                base_url=settings.render_did_base_url,
                presenters=settings.did_presenters,
                timeout_s=timeout,
            )
        )
    return None


def build_slots(settings: RenderSettings) -> tuple[list[str], list[ProviderSlot]]:
    order: list[str] = []
    slots: list[ProviderSlot] = []
    for name in settings.provider_order:
        if name == LOCAL:
            order.append(name)
            continue
        provider = build_provider(name, settings)
        if provider is None:
            logger.warning("provider %s is not configured (unknown or no API key); skipped", name)
            continue
        order.append(name)
        slots.append(
            ProviderSlot(
                name=name,
                provider=provider,
                breaker=CircuitBreaker(
                    name,
                    settings.render_circuit_failure_threshold,
                    settings.render_circuit_reset_s,
                    settings.render_circuit_half_open_calls,
                ),
                bucket=TokenBucket(settings.rate_limit_for(name), settings.render_rate_burst),
                max_in_flight=settings.max_in_flight_for(name),
            )
        )
    return order, slots


def callback_urls_for(settings: RenderSettings) -> CallbackUrls | None:
    base_url, secret = settings.render_webhook_base_url, settings.render_callback_token_secret
    if not base_url or secret is None:
        return None
    first = secret.get_secret_value().split(",")[0].strip()
    key = SecretStr(first)

    def url(provider: str, job_id: UUID) -> str:
        return callback_tokens.callback_url(base_url, provider, job_id, key)

    return url


def bootstrap(settings: RenderSettings | None = None) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or RenderSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.render")
    media_dir = settings.render_media_dir.resolve()
    order, slots = build_slots(settings)
    local = LocalRenderPool(media_dir, settings.render_local_workers) if LOCAL in order else None
    policy = DispatchPolicy(
        order=tuple(order),
        local_max_in_flight=settings.render_max_in_flight,
        local_lease=timedelta(seconds=settings.render_lease_s),
        submit_lease=timedelta(seconds=settings.render_submit_lease_s),
        submit_max_attempts=settings.render_submit_max_attempts,
        retry_backoff_s=settings.render_retry_backoff_s,
        retry_backoff_max_s=settings.render_retry_backoff_max_s,
        poll_initial_s=settings.render_poll_initial_s,
        poll_factor=settings.render_poll_factor,
        poll_max_s=settings.render_poll_max_s,
        poll_lease=timedelta(seconds=settings.render_poll_lease_s),
        poll_batch=settings.render_poll_batch,
        poll_concurrency=settings.render_poll_concurrency,
        idle_s=settings.render_dispatch_interval_s,
        housekeeping_s=min(1.0, settings.render_dispatch_interval_s),
        metrics_refresh_s=settings.render_metrics_refresh_s,
    )
    dispatcher = Dispatcher(
        policy, slots, local, settings.render_public_base_url, callback_urls_for(settings)
    )
    catalogues = {
        slot.name: CachedCatalogue(slot.provider, settings.render_catalogue_ttl_s) for slot in slots
    }
    catalogues[LOCAL_CATALOGUE] = CachedCatalogue(LocalCatalogue(), settings.render_catalogue_ttl_s)

    async def start_dispatcher() -> None:
        await dispatcher.start(runtime.db)

    runtime.on_startup.append(start_dispatcher)
    runtime.on_shutdown.append(dispatcher.stop)
    deadline = timedelta(seconds=settings.render_deadline_s)

    router = BatchRouter(
        runtime.broker,
        runtime.retry_policy.group_id,
        lambda events: handle_video_requested(events, runtime.db, deadline, dispatcher.wake),
        lambda signal: handle_video_status(signal, runtime.db, dispatcher.wake_poller),
    )

    declare_publishers(
        runtime, {VIDEO_STATUS: VideoStatus}, dead_letters_of=(VIDEO_REQUESTED, VIDEO_STATUS)
    )

    @runtime.broker.subscriber(
        VIDEO_REQUESTED,
        VIDEO_STATUS,
        batch=True,
        max_records=settings.render_consume_batch,
        session_timeout_ms=settings.render_kafka_session_timeout_ms,
        heartbeat_interval_ms=max(100, settings.render_kafka_session_timeout_ms // 3),
        **subscriber_options(runtime.retry_policy),
    )
    async def on_events(message: KafkaMessage) -> None:
        records = message.raw_message
        await router.handle(records if isinstance(records, tuple) else (records,))

    routes = [*media_routes(media_dir), *catalogue_routes(catalogues)]
    app = build_service_app(runtime, routes)
    app.state.dispatcher = dispatcher
    return app, runtime
