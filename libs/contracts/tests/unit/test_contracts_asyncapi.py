"""The checked-in AsyncAPI document: in sync with the models, valid AsyncAPI 3.0, and its
message payloads accept the events the contracts produce."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reelforge.contracts import (
    ALL_DLQ_TOPICS,
    ALL_TOPICS,
    DeadLetter,
    DeadLetterError,
    Scene,
    VideoRequested,
    utc_now,
)
from reelforge.contracts.asyncapi_export import render_asyncapi, render_asyncapi_json

pytestmark = pytest.mark.unit

CONTRACTS = Path(__file__).resolve().parents[2]
DOCUMENT = CONTRACTS / "asyncapi.json"
SPEC_SCHEMA = CONTRACTS.parents[1] / "deploy" / "schemas" / "asyncapi-3.0.0.json"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())


def test_checked_in_asyncapi_document_matches_the_models() -> None:
    assert DOCUMENT.read_text() == render_asyncapi_json(), (
        "libs/contracts/asyncapi.json drifted from the models: run `make schemas`"
    )


def test_the_document_is_valid_asyncapi_3(document: dict[str, Any]) -> None:
    spec = json.loads(SPEC_SCHEMA.read_text())
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in jsonschema.Draft7Validator(spec).iter_errors(document)
    ]
    assert not errors, "\n".join(errors)


def test_the_spec_schema_rejects_a_broken_document(document: dict[str, Any]) -> None:
    """The vendored schema really checks deep (so the test above is not vacuous)."""
    spec = json.loads(SPEC_SCHEMA.read_text())
    broken = json.loads(json.dumps(document))
    next(iter(broken["operations"].values()))["action"] = "publish"
    assert not jsonschema.Draft7Validator(spec).is_valid(broken)


def test_every_topic_and_dead_letter_topic_is_a_channel(document: dict[str, Any]) -> None:
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {*ALL_TOPICS, *ALL_DLQ_TOPICS}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_reference_resolves_inside_the_document(document: dict[str, Any]) -> None:
    for ref in set(_refs(document)):
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert part in node, f"unresolved $ref {ref}"
            node = node[part]


def _payload_validator(document: dict[str, Any], message: str) -> jsonschema.Validator:
    root = {"$ref": f"#/components/schemas/{message}", "components": document["components"]}
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_message_payloads_accept_real_events_and_refuse_broken_ones() -> None:
    document = render_asyncapi()
    job = uuid.uuid4()
    requested = VideoRequested(
        job_id=job,
        tenant_id="acme",
        scenes=[Scene(avatar_id="amy", voice_id="en-us-female", script="Hello.")],
    )
    letter = DeadLetter(
        event_id=uuid.uuid4(),
        occurred_at=utc_now(),
        consumer_group="reelforge-render",
        original_topic="video.requested",
        original_partition=0,
        original_offset=7,
        payload="{",
        error=DeadLetterError(type="ValueError", message="bad json"),
        attempts=1,
        reason="unparseable",
    )
    for name, event in (("VideoRequested", requested), ("DeadLetter", letter)):
        validator = _payload_validator(document, name)
        data = json.loads(event.model_dump_json())
        assert not list(validator.iter_errors(data)), name
        data["job_id"] = 5
        assert not validator.is_valid(data), name
