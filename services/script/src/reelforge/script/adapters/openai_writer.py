"""Scripts from any OpenAI-compatible chat-completions endpoint (Groq as in seed 002, OpenAI, a
local Ollama or vLLM), and the writer that falls back to another when one fails.

One request is `POST {base}/chat/completions` with `model` and `messages`; the answer's text is
`choices[0].message.content` and its token counts are in `usage`. 429 and 5xx answers, timeouts
and network errors are retried with exponential backoff and full jitter, never sooner than the
server's Retry-After (or OpenAI's retry-after-ms); a circuit breaker named "llm" stops calling an
endpoint that keeps failing. The API key goes only into the Authorization header: never into
logs, errors or notes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from reelforge.runtime.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    parse_retry_after,
    retry_delay,
)

from ..config import ScriptSettings
from ..domain.prompt import PROMPT_MARKERS, ChatMessage, build_messages, completion_token_limit
from ..domain.writer import (
    DraftFeedback,
    ScriptBrief,
    ScriptGenerationFailed,
    ScriptWriter,
    WrittenScript,
    write_scenes,
)
from .metrics import FALLBACKS, LLM_ERRORS, LLM_REQUEST_SECONDS, LLM_TOKENS, RETRIES

logger = logging.getLogger(__name__)

BREAKER_NAME = "llm"
_KEY_LIKE = re.compile(r"\b(?:sk|gsk|pk|rk)[-_][A-Za-z0-9_\-*]{6,}")


class _RetryableAnswerError(Exception):
    """A 429 or 5xx answer, or one that is not a chat completion: worth another try."""

    def __init__(self, error_class: str, detail: str, retry_after_s: float | None = None) -> None:
        super().__init__(detail)
        self.error_class = error_class
        self.retry_after_s = retry_after_s


class _RejectedRequestError(Exception):
    """A 4xx other than 429: the endpoint answered, and another try would get the same answer."""

    retryable = False


@dataclass(frozen=True)
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int


class OpenAIChatWriter:
    """Writes scripts with a chat-completions model, within the word budget where it can."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: SecretStr | None = None,
        breaker: CircuitBreaker,
        client: httpx.AsyncClient | None = None,
        timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        max_retries: int = 3,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 20.0,
        max_retry_after_s: float = 60.0,
        deadline_s: float = 180.0,
        temperature: float | None = 0.7,
        max_tokens_field: Literal["max_completion_tokens", "max_tokens", "none"] = (
            "max_completion_tokens"
        ),
        budget_attempts: int = 3,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._url = str(httpx.URL(f"{base_url.rstrip('/')}/chat/completions"))
        self._model = model
        self._api_key = api_key
        self._breaker = breaker
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s)
        )
        self._max_retries = max_retries
        self._backoff = (backoff_base_s, backoff_max_s)
        self._max_retry_after_s = max_retry_after_s
        self._deadline_s = deadline_s
        self._temperature = temperature
        self._max_tokens_field = max_tokens_field
        self._budget_attempts = budget_attempts
        self._sleep = sleep

    @classmethod
    def from_settings(
        cls, settings: ScriptSettings, *, client: httpx.AsyncClient | None = None
    ) -> OpenAIChatWriter:
        if not settings.script_llm_model:
            raise ValueError("SCRIPT_LLM_MODEL is required for the openai writer")
        return cls(
            base_url=settings.script_llm_base_url,
            model=settings.script_llm_model,
            api_key=settings.script_llm_api_key,
            breaker=CircuitBreaker(
                BREAKER_NAME,
                failure_threshold=settings.script_llm_breaker_failures,
                reset_timeout_s=settings.script_llm_breaker_reset_s,
            ),
            client=client,
            timeout_s=settings.script_llm_timeout_s,
            connect_timeout_s=settings.script_llm_connect_timeout_s,
            max_retries=settings.script_llm_max_retries,
            backoff_base_s=settings.script_llm_backoff_base_s,
            backoff_max_s=settings.script_llm_backoff_max_s,
            max_retry_after_s=settings.script_llm_max_retry_after_s,
            deadline_s=settings.script_llm_deadline_s,
            temperature=settings.script_llm_temperature,
            max_tokens_field=settings.script_llm_max_tokens_field,
            budget_attempts=settings.script_budget_attempts,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def write(self, brief: ScriptBrief) -> WrittenScript:
        try:
            async with asyncio.timeout(self._deadline_s):
                return await write_scenes(
                    brief,
                    self._draft,
                    writer=self.name,
                    max_attempts=self._budget_attempts,
                    prompt_markers=PROMPT_MARKERS,
                )
        except TimeoutError as error:
            raise ScriptGenerationFailed(
                f"the LLM did not deliver a script within {self._deadline_s:g} s", retryable=True
            ) from error

    async def _draft(self, brief: ScriptBrief, feedback: DraftFeedback | None) -> str:
        completion = await self.complete(build_messages(brief, feedback), brief)
        if completion.finish_reason == "length":
            logger.info("LLM answer cut at the token limit", extra={"job_id": str(brief.job_id)})
        return completion.text

    async def complete(self, messages: list[ChatMessage], brief: ScriptBrief) -> Completion:
        """One chat completion, retried on 429, 5xx, timeouts and network errors."""
        body = self._body(messages, brief)
        last_problem = "no request made"
        for attempt in range(self._max_retries + 1):
            retry_after: float | None = None
            try:
                completion = await self._request(body)
            except CircuitOpenError as error:
                raise ScriptGenerationFailed(
                    f"the LLM endpoint is failing and its circuit is open; next trial in "
                    f"{error.retry_in_s:.0f} s",
                    retryable=True,
                ) from error
            except _RejectedRequestError as error:
                raise ScriptGenerationFailed(str(error), retryable=False) from error
            except _RetryableAnswerError as error:
                last_problem, retry_after = str(error), error.retry_after_s
            except httpx.TimeoutException:
                last_problem = "the LLM endpoint timed out"
            except httpx.RequestError as error:
                last_problem = f"cannot reach the LLM endpoint ({type(error).__name__})"
            else:
                LLM_TOKENS.labels(kind="prompt").inc(completion.prompt_tokens)
                LLM_TOKENS.labels(kind="completion").inc(completion.completion_tokens)
                return completion
            if attempt == self._max_retries:
                break
            if retry_after is not None and retry_after > self._max_retry_after_s:
                raise ScriptGenerationFailed(
                    f"{last_problem}; the endpoint asks to wait {retry_after:.0f} s, more than "
                    f"the {self._max_retry_after_s:g} s allowed",
                    retryable=True,
                )
            logger.warning(
                "LLM request failed, retrying: %s",
                last_problem,
                extra={"job_id": str(brief.job_id), "attempt": attempt + 1},
            )
            RETRIES.labels(writer=self.name).inc()
            await self._sleep(retry_delay(attempt, *self._backoff, retry_after_s=retry_after))
        raise ScriptGenerationFailed(
            f"{last_problem} (after {self._max_retries + 1} attempt(s))", retryable=True
        )

    def _body(self, messages: list[ChatMessage], brief: ScriptBrief) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self._model, "messages": messages, "stream": False}
        if self._temperature is not None:
            body["temperature"] = self._temperature
        if self._max_tokens_field != "none":
            body[self._max_tokens_field] = completion_token_limit(brief.budget)
        return body

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key is not None and self._api_key.get_secret_value():
            headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        return headers

    async def _request(self, body: dict[str, Any]) -> Completion:
        started = time.perf_counter()
        outcome = "ok"
        try:
            async with self._breaker:
                response = await self._client.post(self._url, json=body, headers=self._headers())
                return self._completion(response)
        except CircuitOpenError:
            outcome = "circuit_open"
            raise
        except _RetryableAnswerError as error:
            outcome = error.error_class
            raise
        except _RejectedRequestError:
            outcome = "rejected"
            raise
        except httpx.TimeoutException:
            outcome = "timeout"
            raise
        except httpx.RequestError:
            outcome = "network"
            raise
        finally:
            if outcome != "ok":
                LLM_ERRORS.labels(error_class=outcome).inc()
            LLM_REQUEST_SECONDS.labels(outcome=outcome).observe(time.perf_counter() - started)

    def _completion(self, response: httpx.Response) -> Completion:
        status = response.status_code
        if status == 429 or status >= 500:
            kind = "rate_limited" if status == 429 else "server_error"
            raise _RetryableAnswerError(
                kind,
                f"the LLM endpoint answered HTTP {status}{self._reason(response)}",
                _retry_after(response.headers),
            )
        if status in (401, 403):
            raise _RejectedRequestError(
                f"the LLM endpoint refused the credentials (HTTP {status}); check "
                "SCRIPT_LLM_API_KEY"
            )
        if status >= 400:
            raise _RejectedRequestError(
                f"the LLM endpoint rejected the request (HTTP {status}){self._reason(response)}"
            )
        try:
            return _parse_completion(response.json())
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise _RetryableAnswerError(
                "malformed", f"the LLM endpoint's answer is not a chat completion ({error!r:.80})"
            ) from error

    def _reason(self, response: httpx.Response) -> str:
        """The endpoint's own error message, short and without anything key-like."""
        try:
            error = response.json().get("error")
            message = error.get("message") if isinstance(error, dict) else error
        except (ValueError, AttributeError):
            return ""
        if not isinstance(message, str) or not message.strip():
            return ""
        if self._api_key is not None and self._api_key.get_secret_value():
            message = message.replace(self._api_key.get_secret_value(), "***")
        message = _KEY_LIKE.sub("***", " ".join(message.split()))
        return f": {message[:200]}"


def _retry_after(headers: httpx.Headers) -> float | None:
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    return parse_retry_after(headers.get("retry-after"))


def _parse_completion(data: Any) -> Completion:
    choice = data["choices"][0]
    message = choice["message"]
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    usage = data.get("usage") or {}
    return Completion(
        text=content if isinstance(content, str) else "",
        finish_reason=choice.get("finish_reason"),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
    )


class FallbackWriter:
    """Writes with `primary`; when it cannot (ScriptGenerationFailed), writes with `fallback`."""

    def __init__(self, primary: ScriptWriter, fallback: ScriptWriter) -> None:
        self._primary = primary
        self._fallback = fallback
        self.name = primary.name

    async def write(self, brief: ScriptBrief) -> WrittenScript:
        try:
            return await self._primary.write(brief)
        except ScriptGenerationFailed as error:
            FALLBACKS.inc()
            logger.warning(
                "%s writer failed, falling back to %s",
                self._primary.name,
                self._fallback.name,
                extra={"job_id": str(brief.job_id), "reason": error.message},
            )
            written = await self._fallback.write(brief)
            return written.with_note(
                f"written by {self._fallback.name}: {self._primary.name} failed "
                f"({error.message[:300]})"
            )
