"""Topic names, exactly as the design fixes them. Keys are always the job_id."""

from typing import Final

SCRIPT_REQUESTED: Final = "script.requested"
VIDEO_REQUESTED: Final = "video.requested"
VIDEO_STATUS: Final = "video.status"
VIDEO_READY: Final = "video.ready"

ALL_TOPICS: Final = (SCRIPT_REQUESTED, VIDEO_REQUESTED, VIDEO_STATUS, VIDEO_READY)

DLQ_SUFFIX: Final = ".dlq"


def dead_letter_topic(topic: str) -> str:
    """Where messages of `topic` that cannot be handled go: `<topic>.dlq`."""
    return f"{topic}{DLQ_SUFFIX}"


ALL_DLQ_TOPICS: Final = tuple(dead_letter_topic(t) for t in ALL_TOPICS)

# Kafka headers that travel with every event.
HEADER_EVENT_TYPE: Final = "event_type"
HEADER_SCHEMA_VERSION: Final = "schema_version"
HEADER_TRACEPARENT: Final = "traceparent"
HEADER_TRACESTATE: Final = "tracestate"
