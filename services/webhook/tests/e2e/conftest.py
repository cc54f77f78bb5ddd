"""The whole stack (four services as subprocesses) on the session's broker and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reelforge.runtime.stack import Stack


@pytest.fixture(scope="module")
def webhook_stack(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    home: Path = tmp_path_factory.mktemp("webhook-stack")
    running = Stack(home=home, bootstrap_servers=kafka_bootstrap, database_url=database_url)
    try:
        running.start_services()
        running.wait_ready()
        yield running
    finally:
        running.stop()
