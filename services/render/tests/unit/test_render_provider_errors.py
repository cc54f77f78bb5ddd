"""How HeyGen and D-ID answers become classified errors with stable codes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from reelforge.contracts import ErrorInfo, Stage
from reelforge.render.adapters.providers import did, heygen
from reelforge.render.domain.provider import ERROR_CODES, ProviderError

pytestmark = pytest.mark.unit


def heygen_error(code: str, message: str = "boom", param: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "param": param, "doc_url": None}}


@pytest.mark.parametrize(
    ("status", "body", "code", "retryable"),
    [
        (429, heygen_error("rate_limit_exceeded"), "provider_rate_limited", True),
        (429, heygen_error("concurrency_limit_exceeded"), "provider_rate_limited", True),
        (500, heygen_error("internal_error"), "provider_unavailable", True),
        (409, heygen_error("request_in_progress"), "provider_request_in_progress", True),
        (502, "<html>Bad gateway</html>", "provider_unavailable", True),
        (503, None, "provider_unavailable", True),
        (401, heygen_error("authentication_failed"), "provider_auth_failed", False),
        (403, heygen_error("forbidden"), "provider_auth_failed", False),
        (402, heygen_error("insufficient_credit"), "insufficient_credit", False),
        (
            400,
            heygen_error("invalid_parameter", "Avatar look 'x' not found.", "avatar_id"),
            "unknown_avatar",
            False,
        ),
        (404, heygen_error("avatar_not_found"), "unknown_avatar", False),
        (
            400,
            heygen_error("invalid_parameter", "Voice 'v' not found.", "voice_id"),
            "unknown_voice",
            False,
        ),
        (
            400,
            heygen_error(
                "invalid_parameter", "'script' must be at most 5000 characters.", "script"
            ),
            "script_too_long",
            False,
        ),
        (
            400,
            heygen_error("invalid_parameter", "'script' must not be empty.", "script"),
            "provider_rejected",
            False,
        ),
        (
            400,
            heygen_error("invalid_parameter", "'aspect_ratio' must be one of ...", "aspect_ratio"),
            "provider_rejected",
            False,
        ),
    ],
)
def test_heygen_error_classification(status: int, body: Any, code: str, retryable: bool):
    error = heygen.classify_error(status, body, None, "submit")
    assert (error.code, error.retryable) == (code, retryable)
    assert error.http_status == status


@pytest.mark.parametrize(
    ("code", "expected", "retryable"),
    [
        ("internal_error", "provider_unavailable", True),
        ("rate_limit_exceeded", "provider_rate_limited", True),
        ("insufficient_credit", "insufficient_credit", False),
        ("authentication_failed", "provider_auth_failed", False),
        ("content_policy_violation", "provider_rejected", False),
    ],
)
def test_heygen_http_200_with_error_object_is_an_error(code: str, expected: str, retryable: bool):
    error = heygen.classify_error(200, {"data": None, **heygen_error(code)}, None, "submit")
    assert (error.code, error.retryable) == (expected, retryable)


def test_heygen_rate_limit_carries_retry_after():
    error = heygen.classify_error(429, heygen_error("rate_limit_exceeded"), "17", "submit")
    assert error.retry_after_s == 17.0
    unreadable = heygen.classify_error(429, heygen_error("rate_limit_exceeded"), "soon", "submit")
    assert unreadable.retry_after_s is None


def test_heygen_message_names_the_operation_and_provider_reason():
    error = heygen.classify_error(
        400,
        heygen_error("invalid_parameter", "Avatar look 'ghost' not found.", "avatar_id"),
        None,
        "submit",
    )
    assert "submit" in str(error)
    assert "ghost" in str(error)
    assert str(error).startswith("heygen:")


def did_error(kind: str, description: str) -> dict[str, str]:
    return {"kind": kind, "description": description}


@pytest.mark.parametrize(
    ("status", "body", "code", "retryable"),
    [
        (
            429,
            did_error("TooManyRequestsError", "too many concurrent talks"),
            "provider_rate_limited",
            True,
        ),
        (
            500,
            did_error("InternalServerError", "internal server error"),
            "provider_unavailable",
            True,
        ),
        (504, {"message": "Endpoint request timed out"}, "provider_unavailable", True),
        (
            401,
            did_error("AuthorizationError", "user unauthenticated"),
            "provider_auth_failed",
            False,
        ),
        (
            402,
            did_error("InsufficientCreditsError", "not enough credits"),
            "insufficient_credit",
            False,
        ),
        (
            400,
            did_error("ValidationError", "voice_id 'x' is not a valid voice"),
            "unknown_voice",
            False,
        ),
        (
            400,
            did_error("BadRequestError", "Failed to download source_url image or no face"),
            "unknown_avatar",
            False,
        ),
        (
            400,
            did_error("ValidationError", "script.input exceeds the maximum of 40000"),
            "script_too_long",
            False,
        ),
        (451, did_error("ContentModerationError", "content rejected"), "provider_rejected", False),
        (200, did_error("InternalServerError", "try again"), "provider_unavailable", True),
        (200, did_error("BadRequestError", "invalid config"), "provider_rejected", False),
    ],
)
def test_did_error_classification(status: int, body: Any, code: str, retryable: bool):
    error = did.classify_error(status, body, None, "submit")
    assert (error.code, error.retryable) == (code, retryable)


def test_every_code_is_a_valid_error_info_code():
    for code in ERROR_CODES:
        ErrorInfo(code=code, message="m", retryable=False, stage=Stage.RENDER)


def test_error_info_keeps_code_and_retryability():
    error = heygen.classify_error(503, None, None, "get_status")
    info = error.to_error_info()
    assert (info.code, info.retryable, info.stage) == ("provider_unavailable", True, Stage.RENDER)
    assert "get_status" in info.message


def test_api_keys_never_appear_in_config_repr_or_auth_errors():
    secret = "sk-live-very-secret-key"
    config = heygen.HeyGenConfig(api_key=SecretStr(secret))
    did_config = did.DIdConfig(api_key=SecretStr(secret))
    error = heygen.classify_error(401, heygen_error("authentication_failed"), None, "submit")
    for text in (repr(config), str(config), repr(did_config), str(error), repr(error)):
        assert secret not in text


def test_provider_errors_are_one_hierarchy():
    for error in (
        heygen.classify_error(429, None, None, "x"),
        heygen.classify_error(400, None, None, "x"),
        did.classify_error(401, None, None, "x"),
    ):
        assert isinstance(error, ProviderError)
        assert error.code in ERROR_CODES
