"""Wires the webhook service: settings, runtime, publisher, handlers, consumers, HTTP routes."""

from __future__ import annotations

import gc
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from starlette.applications import Starlette

from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime

from .adapters.callback_sender import CallbackSender, Schedule
from .adapters.deliveries import DeliveryLog
from .adapters.notifier import ChangeNotifier
from .adapters.publisher import KafkaPublisher
from .config import WebhookSettings, with_search_path
from .domain import callback_schedule
from .entrypoints import consumers
from .entrypoints.http import HttpDependencies, WebhookFastPath, routes
from .service_layer.webhooks import WebhookHandler, WebhookPolicy

SERVICE = "webhook"
logger = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class WebhookService:
    app: Starlette
    runtime: ServiceRuntime
    settings: WebhookSettings
    publisher: KafkaPublisher
    notifier: ChangeNotifier
    deliveries: DeliveryLog
    senders: list[CallbackSender] = field(default_factory=list)


def tune_process() -> None:
    """Per-request overheads that matter at thousands of webhooks per second.

    - Log records need no caller frame (the JSON formatter prints no file or line), and finding
      it walks the stack on every log call; the logging HOWTO's optimisation section documents
      ``logging._srcfile = None`` for exactly this.
    - Objects alive after start-up are moved out of the collector's way (``gc.freeze``) and young
      collections run less often, which removes most of the collector's latency spikes.
    """
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def bootstrap(
    settings: WebhookSettings | None = None,
    clock: Callable[[], datetime] = _utc_now,
    callback_retry_schedule: Schedule = callback_schedule.next_attempt,
) -> WebhookService:
    settings = settings or WebhookSettings()
    settings = settings.model_copy(
        update={"database_url": with_search_path(settings.database_url, SERVICE)}
    )
    runtime = create_runtime(SERVICE, settings, "reelforge.webhook")
    token_secrets = settings.callback_token_secrets or [_ephemeral("WEBHOOK_CALLBACK_TOKEN_SECRET")]
    try:
        signing_master = settings.signing_master
    except ValueError:
        signing_master = _ephemeral("WEBHOOK_SIGNING_MASTER_SECRET")
    publisher = KafkaPublisher(runtime.broker, settings.webhook_publish_timeout_s)
    notifier = ChangeNotifier()
    delivery_log = DeliveryLog(lambda: runtime.db)
    handler = WebhookHandler(
        WebhookPolicy(
            heygen_secrets=settings.heygen_secrets,
            token_secrets=token_secrets,
            tolerance=timedelta(seconds=settings.webhook_signature_tolerance_s),
        ),
        lookup=delivery_log.context,
        record=delivery_log.record,
        publish=publisher.publish,
        clock=clock,
    )
    http_deps = HttpDependencies(
        pool=lambda: runtime.db,
        webhooks=handler,
        notifier=notifier,
        max_body_bytes=settings.webhook_max_body_bytes,
        allow_insecure_callbacks=settings.webhook_allow_insecure_callbacks,
        public_base_url=settings.webhook_public_base_url,
        clock=clock,
    )
    app = build_service_app(runtime, routes(http_deps))
    app.add_middleware(WebhookFastPath, deps=http_deps)
    service = WebhookService(app, runtime, settings, publisher, notifier, delivery_log)

    def wake_sender() -> None:
        for sender in service.senders:
            sender.wake()

    consumers.register(runtime, clock, wake_sender)

    async def start() -> None:
        await notifier.start(runtime.db)
        sender = CallbackSender(
            runtime.db,
            signing_master,
            timeout_s=settings.webhook_callback_timeout_s,
            allow_insecure=settings.webhook_allow_insecure_callbacks,
            clock=clock,
            schedule=callback_retry_schedule,
        )
        service.senders.append(sender)
        await sender.start()

    async def stop() -> None:
        for sender in service.senders:
            await sender.stop()
        service.senders.clear()
        await delivery_log.stop()
        await publisher.stop()
        await notifier.stop()

    runtime.on_startup.append(start)
    runtime.on_shutdown.append(stop)
    return service


def _ephemeral(variable: str) -> SecretStr:
    logger.warning("%s is not set: using a random secret that dies with this process", variable)
    return SecretStr(secrets.token_urlsafe(32))
