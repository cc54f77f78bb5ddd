"""HTTP plumbing shared by the provider adapters: one httpx client per provider, timeouts,
latency and error metrics, and transport failures turned into classified provider errors."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from ...domain.provider import ProviderError, ProviderTimeoutError, ProviderUnavailableError
from ..metrics import PROVIDER_ERRORS, PROVIDER_REQUEST_DURATION


class ProviderHttp:
    def __init__(
        self,
        provider: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        timeout_s: float,
        connect_timeout_s: float,
        max_connections: int = 20,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=dict(headers),
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            limits=httpx.Limits(max_connections=max_connections),
            transport=transport,
            follow_redirects=False,
        )

    async def request(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; a timeout or connection failure raises a retryable error."""
        started = time.perf_counter()
        try:
            return await self._client.request(
                method, path, json=json, params=params, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise ProviderTimeoutError(
                self.provider, f"{operation}: no answer in time ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise ProviderUnavailableError(
                self.provider, f"{operation}: connection failed ({type(exc).__name__})"
            ) from None
        finally:
            PROVIDER_REQUEST_DURATION.labels(self.provider, operation).observe(
                time.perf_counter() - started
            )

    async def aclose(self) -> None:
        await self._client.aclose()


@contextmanager
def counting_errors(provider: str) -> Iterator[None]:
    """Count every classified error that leaves the block in reelforge_provider_errors_total."""
    try:
        yield
    except ProviderError as error:
        PROVIDER_ERRORS.labels(provider, error.code).inc()
        raise


def json_body(response: httpx.Response) -> Any:
    """The response's JSON, or None when it is not JSON (an HTML error page, an empty body)."""
    try:
        return response.json()
    except ValueError:
        return None


def short(text: object, limit: int = 300) -> str:
    """A provider's message, trimmed for logs and ErrorInfo."""
    value = str(text).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"
