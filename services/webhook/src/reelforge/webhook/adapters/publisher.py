"""Publishing to Kafka with the acknowledgement awaited, without serialising the produce calls.

Each request hands its event to the producer without waiting (``no_confirm=True``) and then awaits
its own delivery future: concurrent requests share the producer's batches instead of flushing one
by one, and every caller still learns whether *its* event was acknowledged (acks=all).
"""

from __future__ import annotations

import asyncio
import logging

from faststream.kafka import KafkaBroker

from reelforge.contracts import Event
from reelforge.runtime.kafka import event_headers

logger = logging.getLogger(__name__)


class BrokerUnavailableError(Exception):
    """Kafka did not acknowledge the event in time; the caller must not report success."""


class KafkaPublisher:
    def __init__(self, broker: KafkaBroker, timeout_s: float) -> None:
        self.broker = broker
        self.timeout_s = timeout_s

    async def publish(self, topic: str, event: Event) -> None:
        """Return once the broker acknowledged `event`; raise :class:`BrokerUnavailableError`."""
        try:
            async with asyncio.timeout(self.timeout_s):
                delivery = await self.broker.publish(
                    event.model_dump_json().encode(),
                    topic=topic,
                    key=event.key,
                    headers=event_headers(event),
                    no_confirm=True,
                )
                await delivery
        except TimeoutError as error:
            raise BrokerUnavailableError(
                f"no acknowledgement from Kafka within {self.timeout_s} s"
            ) from error
        except Exception as error:
            logger.warning("publish failed", extra={"topic": topic, "error": repr(error)})
            raise BrokerUnavailableError(
                f"Kafka refused the event: {type(error).__name__}"
            ) from error
