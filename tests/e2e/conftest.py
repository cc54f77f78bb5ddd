"""The four services as real subprocesses on the session's broker and PostgreSQL."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelforge.runtime.stack import Stack

PIPELINE_MODULES = (
    "reelforge.render.adapters.local_renderer.renderer",  # issue 4, in progress
    "reelforge.script.writers",  # issue 7, in progress
)


def missing_pipeline_parts() -> list[str]:
    return [m for m in PIPELINE_MODULES if importlib.util.find_spec(m) is None]


@pytest.fixture(scope="session")
def stack(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    if missing := missing_pipeline_parts():
        pytest.skip(f"pipeline not complete yet, missing: {', '.join(missing)}")
    home: Path = tmp_path_factory.mktemp("stack")
    running = Stack(home=home, bootstrap_servers=kafka_bootstrap, database_url=database_url)
    try:
        running.start_services()
        running.wait_ready()
        yield running
    finally:
        running.stop()
