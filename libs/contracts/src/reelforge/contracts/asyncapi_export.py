"""The AsyncAPI 3.0 document of reelforge's topics, generated from the contracts (`make schemas`).

One channel per topic and per dead-letter topic, one message per event (payload: the pydantic
model's JSON Schema, the same as libs/contracts/schemas/), the Kafka key and headers, and one
operation per service that sends or receives on a channel. Written as sorted JSON so that drift
shows as a diff; a test fails when the checked-in file differs from what the models give.

Run: `python -m reelforge.contracts.asyncapi_export libs/contracts/asyncapi.json`
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .events import DeadLetter, ScriptRequested, VideoReady, VideoRequested, VideoStatus
from .topics import (
    ALL_TOPICS,
    HEADER_EVENT_TYPE,
    HEADER_SCHEMA_VERSION,
    HEADER_TRACEPARENT,
    HEADER_TRACESTATE,
    SCRIPT_REQUESTED,
    VIDEO_READY,
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    dead_letter_topic,
)

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMAS_REF = "#/components/schemas/{model}"

TOPIC_MODELS: dict[str, type[BaseModel]] = {
    SCRIPT_REQUESTED: ScriptRequested,
    VIDEO_REQUESTED: VideoRequested,
    VIDEO_STATUS: VideoStatus,
    VIDEO_READY: VideoReady,
}

# Who sends and who receives on each topic (the design's diagram). "upstream"/"downstream" are
# systems outside reelforge; webhook also reads every topic for its job view.
SENDERS: dict[str, tuple[str, ...]] = {
    SCRIPT_REQUESTED: ("upstream", "webhook"),
    VIDEO_REQUESTED: ("upstream", "script", "webhook"),
    VIDEO_STATUS: ("render", "webhook"),
    VIDEO_READY: ("storage",),
}
RECEIVERS: dict[str, tuple[str, ...]] = {
    SCRIPT_REQUESTED: ("script", "webhook"),
    VIDEO_REQUESTED: ("render", "webhook"),
    VIDEO_STATUS: ("storage", "webhook"),
    VIDEO_READY: ("webhook", "downstream"),
}
# Every consumer group dead-letters what it cannot handle; anyone may read the DLQs.
DLQ_SENDERS: dict[str, tuple[str, ...]] = {topic: RECEIVERS[topic] for topic in ALL_TOPICS}


def _channel_id(topic: str) -> str:
    head, *rest = topic.replace(".", "_").split("_")
    return head + "".join(part.capitalize() for part in rest)


def _component_schemas() -> dict[str, Any]:
    models: list[type[BaseModel]] = [*TOPIC_MODELS.values(), DeadLetter]
    _, top = models_json_schema(
        [(model, "serialization") for model in models], ref_template=SCHEMAS_REF
    )
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    for model in models:
        schemas[model.__name__]["x-event-type"] = model.event_type  # type: ignore[attr-defined]
    return schemas


def _headers(event_type: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            HEADER_EVENT_TYPE: {"type": "string", "const": event_type},
            HEADER_SCHEMA_VERSION: {"type": "string", "pattern": "^[1-9][0-9]*$"},
            HEADER_TRACEPARENT: {"type": "string", "description": "W3C trace context."},
            HEADER_TRACESTATE: {"type": "string", "description": "W3C trace context."},
        },
    }


def _message(model: type[BaseModel], summary: str, key: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": model.__name__,
        "title": model.__name__,
        "summary": summary,
        "contentType": "application/json",
        "payload": {"$ref": SCHEMAS_REF.format(model=model.__name__)},
        "bindings": {"kafka": {"key": key, "bindingVersion": KAFKA_BINDING_VERSION}},
    }
    if model is not DeadLetter:
        message["headers"] = _headers(model.event_type)  # type: ignore[attr-defined]
    return message


def _first_line(model: type[BaseModel]) -> str:
    return (model.__doc__ or model.__name__).strip().splitlines()[0]


def render_asyncapi() -> dict[str, Any]:
    """The AsyncAPI document as a dict (stable content; serialise with sorted keys)."""
    job_key = {"type": "string", "format": "uuid", "description": "The job_id."}
    dlq_key = {"type": "string", "description": "The original message's key, unchanged."}
    messages: dict[str, Any] = {
        model.__name__: _message(model, _first_line(model), job_key)
        for model in TOPIC_MODELS.values()
    }
    messages["DeadLetter"] = _message(DeadLetter, _first_line(DeadLetter), dlq_key)

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, model in TOPIC_MODELS.items():
        for address, message, senders, receivers in (
            (topic, model.__name__, SENDERS[topic], RECEIVERS[topic]),
            (dead_letter_topic(topic), "DeadLetter", DLQ_SENDERS[topic], ()),
        ):
            channel = _channel_id(address)
            channels[channel] = {
                "address": address,
                "title": address,
                "description": (
                    f"Keyed by job_id. Sent by {', '.join(senders)}; "
                    f"received by {', '.join(receivers) or 'operators and tooling'}."
                ),
                "messages": {message: {"$ref": f"#/components/messages/{message}"}},
                "bindings": {"kafka": {"topic": address, "bindingVersion": KAFKA_BINDING_VERSION}},
            }
            for action, parties in (("send", senders), ("receive", receivers)):
                for party in parties:
                    if party in ("upstream", "downstream"):
                        continue
                    operations[f"{party}_{action}_{channel}"] = {
                        "action": action,
                        "channel": {"$ref": f"#/channels/{channel}"},
                        "messages": [{"$ref": f"#/channels/{channel}/messages/{message}"}],
                        "summary": f"{party} {action}s {address}",
                        "tags": [{"name": party}],
                        **(_receive_binding(party) if action == "receive" else {}),
                    }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "reelforge events",
            "version": DOCUMENT_VERSION,
            "description": (
                "Kafka topics of reelforge, generated from the pydantic contracts in "
                "libs/contracts. Producers validate strictly; consumers ignore unknown fields "
                "and drop duplicates by event_id (delivery is at least once). Messages that "
                "cannot be handled go to <topic>.dlq."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The broker of `docker compose up` (the embedded stack writes its "
                "own address to .reelforge/stack.env).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _component_schemas()},
    }


def _receive_binding(service: str) -> dict[str, Any]:
    return {
        "bindings": {
            "kafka": {
                "groupId": {"type": "string", "enum": [f"reelforge-{service}"]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        }
    }


def render_asyncapi_json() -> str:
    return json.dumps(render_asyncapi(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path("libs/contracts/asyncapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_asyncapi_json())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
