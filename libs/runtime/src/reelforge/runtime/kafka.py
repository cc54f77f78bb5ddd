"""Kafka through FastStream: one broker per service with acks=all, tracing, metrics, and
bounded retries that end in `<topic>.dlq` instead of a lost or stuck message.

Offsets are committed only after the handler returned (or its message was dead-lettered):
subscribers use `AckPolicy.NACK_ON_ERROR`, so an exception that escapes every middleware seeks
back and the message is delivered again.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import random
import uuid
from types import TracebackType
from typing import Any, Literal, TypedDict

from aiokafka import ConsumerRecord
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.middlewares import AckPolicy
from prometheus_client import REGISTRY, Counter
from pydantic import ValidationError

from reelforge.contracts import DeadLetter, DeadLetterError, Event, dead_letter_topic, utc_now

from .logging import current_job_id
from .settings import ServiceSettings
from .tracing import configure_tracing

logger = logging.getLogger(__name__)

DLQ_MESSAGES = Counter(
    "reelforge_dlq_messages",
    "Messages sent to a dead-letter topic.",
    ["service", "topic", "reason"],
)
HANDLER_RETRIES = Counter(
    "reelforge_handler_retries", "Handler retries after an error.", ["service", "topic"]
)


class PermanentError(Exception):
    """A handler error that retrying cannot fix: the message goes to the DLQ at once."""


class RetryPolicy:
    def __init__(self, service: str, group_id: str, max_attempts: int, backoff_s: float) -> None:
        self.service = service
        self.group_id = group_id
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.broker: KafkaBroker | None = None

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter for the retry after `attempt` failures."""
        return random.uniform(0, self.backoff_s * 2 ** (attempt - 1))


class DeadLetterMiddleware(BaseMiddleware):
    """Retries a failing handler with backoff, then dead-letters the message and moves on.

    Messages that do not parse (bad JSON, contract violations) are dead-lettered at once.
    If the dead-letter publish itself fails, the error propagates and the message is redelivered.
    """

    def __init__(self, msg: Any, /, *, context: Any, policy: RetryPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy
        self.attempts = 0

    async def on_receive(self) -> None:
        record = self._record()
        if record is not None and record.key:
            current_job_id.set(_text(record.key))

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        record = self._record()
        topic = record.topic if record is not None else "?"
        while True:
            self.attempts += 1
            try:
                return await call_next(msg)
            except (ValidationError, PermanentError):
                raise
            except Exception:
                if self.attempts >= self.policy.max_attempts:
                    raise
                HANDLER_RETRIES.labels(self.policy.service, topic).inc()
                logger.warning(
                    "handler failed, retrying",
                    exc_info=True,
                    extra={"topic": topic, "attempt": self.attempts},
                )
                await asyncio.sleep(self.policy.delay(self.attempts))

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        record = self._record()
        if not isinstance(exc_val, Exception) or record is None or self.policy.broker is None:
            return False
        reason = _reason(exc_val, self.attempts)
        letter = dead_letter_for(record, exc_val, self.policy.group_id, self.attempts, reason)
        target = dead_letter_topic(record.topic)
        try:
            await self.policy.broker.publish(
                letter.model_dump_json().encode(), topic=target, key=record.key
            )
        except Exception:
            logger.exception("dead-letter publish failed; message will be redelivered")
            return False
        DLQ_MESSAGES.labels(self.policy.service, record.topic, reason).inc()
        logger.error(
            "message dead-lettered",
            extra={
                "topic": record.topic,
                "offset": record.offset,
                "reason": reason,
                "error": letter.error.message,
            },
        )
        return True

    def _record(self) -> ConsumerRecord[bytes, bytes] | None:
        return self.msg if isinstance(self.msg, ConsumerRecord) else None


def _reason(exc: Exception, attempts: int) -> str:
    if isinstance(exc, ValidationError | ValueError | UnicodeDecodeError) and attempts <= 1:
        return "unparseable"
    if isinstance(exc, PermanentError):
        return "permanent_error"
    return "retries_exhausted"


def _text(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(raw).decode()


def dead_letter_for(
    record: ConsumerRecord[bytes, bytes],
    error: Exception,
    group_id: str,
    attempts: int,
    reason: str,
) -> DeadLetter:
    job_id: uuid.UUID | None = None
    tenant_id: str | None = None
    with contextlib.suppress(ValueError):
        job_id = uuid.UUID(_text(record.key or b""))
    return DeadLetter(
        event_id=uuid.uuid4(),
        occurred_at=utc_now(),
        job_id=job_id,
        tenant_id=tenant_id,
        consumer_group=group_id,
        original_topic=record.topic,
        original_partition=record.partition,
        original_offset=record.offset,
        original_key=_text(record.key) if record.key is not None else None,
        original_headers={k: _text(v) for k, v in (record.headers or ())},
        payload=_text(record.value or b""),
        error=DeadLetterError(type=type(error).__name__, message=str(error)[:4000]),
        attempts=max(attempts, 1),
        reason=reason,
    )


def build_broker(settings: ServiceSettings, service: str) -> tuple[KafkaBroker, RetryPolicy]:
    """The service's broker and the retry policy its subscribers share."""
    configure_tracing(service, settings.otel_exporter_otlp_endpoint)
    policy = RetryPolicy(
        service=service,
        group_id=f"reelforge-{service}",
        max_attempts=settings.handler_max_attempts,
        backoff_s=settings.handler_retry_backoff_s,
    )

    def dead_letters(msg: Any, /, *, context: Any) -> DeadLetterMiddleware:
        return DeadLetterMiddleware(msg, context=context, policy=policy)

    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        client_id=f"reelforge-{service}",
        middlewares=(
            KafkaTelemetryMiddleware(),
            dead_letters,
            KafkaPrometheusMiddleware(registry=REGISTRY, app_name=service),
        ),
        logger=logging.getLogger(f"reelforge.{service}.broker"),
    )
    policy.broker = broker
    return broker, policy


class SubscriberOptions(TypedDict):
    group_id: str
    ack_policy: AckPolicy
    auto_offset_reset: Literal["earliest"]


def subscriber_options(policy: RetryPolicy) -> SubscriberOptions:
    """Options for every `@broker.subscriber`: one group per service, commit after handling."""
    return {
        "group_id": policy.group_id,
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "auto_offset_reset": "earliest",
    }


def event_headers(event: Event) -> dict[str, str]:
    return {"event_type": event.event_type, "schema_version": str(event.schema_version)}


async def publish_event(broker: KafkaBroker, topic: str, event: Event) -> None:
    """Publish one event directly (keyed by job_id), waiting for the broker's acknowledgement."""
    await broker.publish(
        event.model_dump_json().encode(),
        topic=topic,
        key=event.key,
        headers=event_headers(event),
    )
