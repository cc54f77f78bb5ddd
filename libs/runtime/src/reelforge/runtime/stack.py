"""`reelforge-stack up|demo`: the embedded stack on any Linux machine without Docker.

`up` starts a Kafka-compatible broker and PostgreSQL (unless KAFKA_BOOTSTRAP_SERVERS /
DATABASE_URL name running ones), creates the topics, starts the four services as supervised
subprocesses, writes every endpoint to `.reelforge/stack.env`, and runs until Ctrl-C.
`demo` does the same, runs one request through it, and shuts it down.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from reelforge.contracts import (
    SCRIPT_REQUESTED,
    VIDEO_READY,
    VIDEO_STATUS,
    RenderOptions,
    SceneCast,
    ScriptRequested,
    Speaker,
    VideoType,
)

from .embedded import EmbeddedKafka, EmbeddedPostgres, create_topics, free_port

SERVICES = ("script", "render", "storage", "webhook")


@dataclass
class ManagedService:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"reelforge.{self.name}"],
                # Unbuffered, so that the log is complete even when the process is killed.
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Stack:
    home: Path
    partitions: int = 6
    kafka: EmbeddedKafka | None = None
    postgres: EmbeddedPostgres | None = None
    bootstrap_servers: str = ""
    database_url: str = ""
    services: list[ManagedService] = field(default_factory=list)

    @property
    def objects_dir(self) -> Path:
        return self.home / "objects"

    def start_infrastructure(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.bootstrap_servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        if not self.bootstrap_servers:
            self.kafka = EmbeddedKafka(log_path=self.home / "logs" / "kafka.log").start()
            self.bootstrap_servers = self.kafka.bootstrap_servers
        self.database_url = os.environ.get("DATABASE_URL", "")
        if not self.database_url:
            self.postgres = EmbeddedPostgres(self.home / "postgres").start()
            self.database_url = self.postgres.dsn
        asyncio.run(create_topics(self.bootstrap_servers, self.partitions))

    def start_services(self) -> None:
        common = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "DATABASE_URL": self.database_url,
            "HTTP_HOST": "127.0.0.1",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        }
        ports = {name: free_port() for name in SERVICES}
        signing_key = secrets.token_urlsafe(32)
        callback_token_secret = secrets.token_urlsafe(32)
        webhook_url = f"http://127.0.0.1:{ports['webhook']}"
        specific = {
            "render": {
                "RENDER_PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['render']}",
                "RENDER_MEDIA_DIR": str(self.home / "render"),
                "RENDER_WEBHOOK_BASE_URL": webhook_url,
                "RENDER_CALLBACK_TOKEN_SECRET": callback_token_secret,
            },
            "storage": {
                "STORAGE_BACKEND": "local",
                "STORAGE_LOCAL_DIR": str(self.objects_dir),
                "STORAGE_PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['storage']}",
                "STORAGE_SIGNING_KEY": signing_key,
                "STORAGE_DOWNLOAD_ALLOW_HTTP_HOSTS": "127.0.0.1",
                "STORAGE_DOWNLOAD_ALLOWED_HOSTS": "local=127.0.0.1",
                "STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS": "true",
            },
            "webhook": {
                "WEBHOOK_PUBLIC_BASE_URL": webhook_url,
                "WEBHOOK_CALLBACK_TOKEN_SECRET": callback_token_secret,
            },
            "script": {},
        }
        for name in SERVICES:
            env = {**common, "HTTP_PORT": str(ports[name]), **specific[name]}
            service = ManagedService(name, ports[name], env, self.home / "logs" / f"{name}.log")
            service.start()
            self.services.append(service)

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = {s.name: s for s in self.services}
        with httpx.Client(timeout=2.0) as client:
            while pending:
                self.supervise()
                for name, service in list(pending.items()):
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(f"{service.url}/readyz").status_code == 200:
                            del pending[name]
                if time.monotonic() > deadline:
                    logs = ", ".join(str(s.log_path) for s in pending.values())
                    raise TimeoutError(f"services not ready: {sorted(pending)}; see {logs}")
                time.sleep(0.2)

    def supervise(self) -> None:
        """Restart a service that exited, with a growing pause (at most 30 s)."""
        for service in self.services:
            if service.process is not None and service.process.poll() is not None:
                pause = min(30.0, 2.0**service.restarts)
                if time.monotonic() - service.started_at > pause:
                    print(f"! {service.name} exited ({service.process.returncode}); restarting")
                    service.restarts += 1
                    service.start()

    def write_env(self) -> Path:
        lines = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "DATABASE_URL": self.database_url,
            "REELFORGE_OBJECT_STORE": str(self.objects_dir),
            **{f"REELFORGE_{s.name.upper()}_URL": s.url for s in self.services},
        }
        path = self.home / "stack.env"
        path.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        return path

    def describe(self) -> str:
        rows = [
            ("Kafka bootstrap", self.bootstrap_servers),
            ("PostgreSQL", self.database_url),
            ("Object store", str(self.objects_dir)),
            *(
                (f"{s.name} service", f"{s.url}  (/healthz /readyz /metrics)")
                for s in self.services
            ),
        ]
        return "\n".join(f"  {name:<18} {value}" for name, value in rows)

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()
        if self.kafka is not None:
            self.kafka.stop()
        if self.postgres is not None:
            self.postgres.stop()


@contextlib.contextmanager
def running_stack(home: Path, partitions: int) -> Iterator[Stack]:
    stack = Stack(home=home, partitions=partitions)
    try:
        stack.start_infrastructure()
        stack.start_services()
        stack.wait_ready()
        env_path = stack.write_env()
        print(f"reelforge is up; endpoints (also in {env_path}):\n{stack.describe()}", flush=True)
        yield stack
    finally:
        print("stopping reelforge ...", flush=True)
        stack.stop()


@contextlib.contextmanager
def services_on(home: Path, bootstrap_servers: str, database_url: str) -> Iterator[Stack]:
    """The four services as subprocesses on a broker and database that are already running."""
    stack = Stack(home=home, bootstrap_servers=bootstrap_servers, database_url=database_url)
    try:
        stack.start_services()
        stack.wait_ready()
        yield stack
    finally:
        stack.stop()


def demo_request() -> ScriptRequested:
    return ScriptRequested(
        job_id=uuid.uuid4(),
        tenant_id="demo",
        correlation_id="make-demo",
        video_type=VideoType.PROPERTY_LISTING,
        topic="4-bedroom home in Indian Wells",
        key_points=["gourmet kitchen", "resort-style pool", "mountain views"],
        target_seconds=30,
        speaker=Speaker(name="Joseph Sardella", company="eXp Realty", phone="760-899-6988"),
        scenes=[SceneCast(avatar_id="joseph", voice_id="en-us-male")],
        render=RenderOptions(title="Indian Wells listing"),
        metadata={"listing_id": "IW-4BR-001"},
    )


async def run_demo(stack: Stack, timeout_s: float = 300.0) -> dict[str, Any]:
    """Publish a script.requested, show progress from video.status, return the video.ready."""
    request = demo_request()
    consumer = AIOKafkaConsumer(
        VIDEO_STATUS,
        VIDEO_READY,
        bootstrap_servers=stack.bootstrap_servers,
        group_id=f"demo-{request.job_id}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        while not consumer.assignment():  # joined: nothing published from here on is missed
            await consumer.getmany(timeout_ms=200)
        for partition in consumer.assignment():
            await consumer.seek_to_end(partition)
        await producer.send_and_wait(
            SCRIPT_REQUESTED, request.model_dump_json().encode(), key=request.key
        )
        print(f"published script.requested for job {request.job_id}", flush=True)
        async with asyncio.timeout(timeout_s):
            while True:
                batch = await consumer.getmany(timeout_ms=500)
                for record in (r for records in batch.values() for r in records):
                    if (record.key or b"").decode() != str(request.job_id):
                        continue
                    import json

                    event = json.loads(record.value or b"{}")
                    if record.topic == VIDEO_READY:
                        return dict(event)
                    _print_progress(event)
                    if event.get("state") == "failed":
                        raise RuntimeError(f"job failed: {event.get('error')}")
    finally:
        await producer.stop()
        await consumer.stop()


def _print_progress(status: dict[str, Any]) -> None:
    progress = int(status.get("progress", 0))
    bar = "#" * (progress // 4) + "." * (25 - progress // 4)
    source = status.get("source", "?")
    print(f"  [{bar}] {progress:3d}%  {status.get('state'):<10} ({source})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reelforge-stack", description=__doc__)
    parser.add_argument("command", choices=["up", "demo"])
    parser.add_argument("--home", type=Path, default=Path(".reelforge"))
    parser.add_argument(
        "--partitions", type=int, default=int(os.environ.get("REELFORGE_TOPIC_PARTITIONS", "6"))
    )
    args = parser.parse_args(argv)
    home: Path = args.home.resolve()
    if args.command == "up":
        with running_stack(home, args.partitions) as stack:
            print("Ctrl-C stops everything.", flush=True)
            try:
                while True:
                    stack.supervise()
                    time.sleep(1.0)
            except KeyboardInterrupt:
                pass
        return 0
    started = time.monotonic()
    with running_stack(home, args.partitions) as stack:
        ready = asyncio.run(run_demo(stack))
    import json

    print("video.ready:")
    print(json.dumps(ready, indent=2))
    uri = ready["asset"]["uri"]
    if uri.startswith("file://"):
        print(f"finished MP4: {urlparse(uri).path}")
    print(f"demo wall time: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
