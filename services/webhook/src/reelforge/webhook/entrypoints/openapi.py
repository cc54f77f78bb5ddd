"""The OpenAPI 3.1 document served at ``/docs``, built from the same models that validate."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..domain.api_models import CreateScriptRequest, CreateVideoRequest
from ..domain.job_view import JobView

_REF = "#/components/schemas/{model}"
_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "Stable machine code."},
        "message": {"type": "string"},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["error", "message"],
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Malformed body or query.",
        401: "Unknown or revoked API key; (webhooks) bad signature, stale, or bad token.",
        404: "No such job for this tenant.",
        409: "Idempotency-Key reused for a different request.",
        413: "Body over 1 MB.",
        422: "Validation failed; `problems` names each field.",
        503: "Kafka or PostgreSQL unavailable: retry later.",
    }
    return {str(code): _json({"$ref": _REF.format(model="Error")}, text[code]) for code in codes}


@cache
def openapi_document(public_base_url: str) -> dict[str, Any]:
    """The API's OpenAPI 3.1 document; `public_base_url` is where clients reach this service."""
    _, definitions = models_json_schema(
        [(m, "validation") for m in (CreateVideoRequest, CreateScriptRequest)]
        + [(JobView, "serialization")],
        ref_template=_REF,
    )
    schemas = dict(definitions.get("$defs", {}))
    schemas["Error"] = _ERROR
    accepted = {
        "type": "object",
        "properties": {
            "job_id": {"type": "string", "format": "uuid"},
            "state": {"type": "string"},
            "replayed": {"type": "boolean"},
        },
    }
    bearer: list[dict[str, list[str]]] = [{"apiKey": []}]
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 255},
        "description": "The same key returns the same job.",
    }
    job_id = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
    webhook = {
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "200": {"description": "Accepted (after Kafka's ack), duplicate, or ignored."},
            **_errors(400, 401, 404, 413, 503),
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "reelforge webhook service", "version": "1"},
        "servers": [{"url": public_base_url}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/v1/videos": {
                "post": {
                    "summary": "Submit a video (a script or scenes) -> video.requested",
                    "security": bearer,
                    "parameters": [idempotency],
                    "requestBody": {
                        "content": {"application/json": {"schema": _ref(CreateVideoRequest)}}
                    },
                    "responses": {
                        "202": _json(accepted, "Accepted; Location names the job."),
                        **_errors(400, 401, 409, 413, 422),
                    },
                },
                "get": {
                    "summary": "The tenant's jobs, newest first",
                    "security": bearer,
                    "parameters": [
                        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                        for n in ("state", "type", "limit", "cursor")
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "items": {"type": "array", "items": _ref(JobView)},
                                    "next_cursor": {"type": ["string", "null"]},
                                },
                            },
                            "One page.",
                        ),
                        **_errors(400, 401),
                    },
                },
            },
            "/v1/scripts": {
                "post": {
                    "summary": "Submit a topic and key points -> script.requested",
                    "security": bearer,
                    "parameters": [idempotency],
                    "requestBody": {
                        "content": {"application/json": {"schema": _ref(CreateScriptRequest)}}
                    },
                    "responses": {
                        "202": _json(accepted, "Accepted; Location names the job."),
                        **_errors(400, 401, 409, 413, 422),
                    },
                },
            },
            "/v1/videos/{job_id}": {
                "get": {
                    "summary": "The job view",
                    "security": bearer,
                    "parameters": [job_id],
                    "responses": {"200": _json(_ref(JobView), "The job."), **_errors(401, 404)},
                }
            },
            "/v1/videos/{job_id}/events": {
                "get": {
                    "summary": "Server-sent events: every status change, ending at ready or failed",
                    "security": bearer,
                    "parameters": [job_id],
                    "responses": {"200": {"description": "text/event-stream"}, **_errors(401, 404)},
                }
            },
            "/webhooks/heygen": {
                "post": {"summary": "HeyGen webhook (signed, or ?job_id=&token=)", **webhook}
            },
            "/webhooks/did": {
                "post": {"summary": "D-ID talk webhook (?job_id=&token=)", **webhook}
            },
        },
    }
