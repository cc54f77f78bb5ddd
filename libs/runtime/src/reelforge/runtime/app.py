"""The process every service runs: a Starlette app whose lifespan owns the PostgreSQL pool,
migrations, the Kafka broker and the outbox relay, and which serves health and metrics."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import uvicorn
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .consumer_lag import ConsumerLagMonitor
from .db import OutboxRelay, Pool, apply_migrations, create_pool
from .kafka import RetryPolicy, build_broker
from .logging import configure_logging
from .settings import ServiceSettings

logger = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


@dataclass
class ServiceRuntime:
    """Everything a service's handlers share; built once by the service's bootstrap."""

    service: str
    settings: ServiceSettings
    broker: KafkaBroker
    retry_policy: RetryPolicy
    package: str
    pool: Pool | None = None
    relay: OutboxRelay | None = None
    lag_monitor: ConsumerLagMonitor | None = None
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)

    @property
    def db(self) -> Pool:
        if self.pool is None:
            raise RuntimeError(f"{self.service}: database pool used before startup")
        return self.pool


def create_runtime(service: str, settings: ServiceSettings, package: str) -> ServiceRuntime:
    configure_logging(service, settings.log_level)
    broker, policy = build_broker(settings, service)
    return ServiceRuntime(service, settings, broker, policy, package)


async def start_runtime(runtime: ServiceRuntime) -> None:
    settings = runtime.settings
    runtime.pool = await create_pool(
        settings.database_url, runtime.service, settings.db_pool_max_size
    )
    await apply_migrations(runtime.pool, runtime.service, runtime.package)
    await runtime.broker.start()
    runtime.relay = OutboxRelay(runtime.pool, runtime.broker, runtime.service, runtime.service)
    await runtime.relay.start()
    runtime.lag_monitor = ConsumerLagMonitor.for_broker(
        runtime.broker,
        settings.kafka_bootstrap_servers,
        runtime.service,
        interval_s=settings.consumer_lag_interval_s,
    )
    await runtime.lag_monitor.start()
    for hook in runtime.on_startup:
        await hook()
    logger.info("service started", extra={"http_port": settings.http_port})


async def stop_runtime(runtime: ServiceRuntime) -> None:
    for hook in reversed(runtime.on_shutdown):
        with contextlib.suppress(Exception):
            await hook()
    if runtime.lag_monitor is not None:
        await runtime.lag_monitor.stop()
    if runtime.relay is not None:
        await runtime.relay.stop()
    await runtime.broker.stop()
    if runtime.pool is not None:
        await runtime.pool.close()
    logger.info("service stopped")


def health_routes(runtime: ServiceRuntime) -> list[BaseRoute]:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "alive", "service": runtime.service})

    async def readyz(_: Request) -> Response:
        checks = {"broker": await _broker_ready(runtime), "database": await _db_ready(runtime)}
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]


async def _broker_ready(runtime: ServiceRuntime) -> bool:
    try:
        return bool(await runtime.broker.ping(timeout=2.0))
    except Exception:
        return False


async def _db_ready(runtime: ServiceRuntime) -> bool:
    if runtime.pool is None:
        return False
    try:
        async with runtime.pool.acquire(timeout=2.0) as conn:
            return bool(await conn.fetchval("SELECT 1") == 1)
    except Exception:
        return False


def build_service_app(runtime: ServiceRuntime, routes: Sequence[BaseRoute] = ()) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await start_runtime(runtime)
        try:
            yield
        finally:
            await stop_runtime(runtime)

    return Starlette(routes=[*health_routes(runtime), *routes], lifespan=lifespan)


def serve(app: Starlette, settings: ServiceSettings) -> None:
    """Run the app under uvicorn until SIGINT/SIGTERM."""
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
