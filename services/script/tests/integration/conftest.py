"""Runs the script service in-process (its real bootstrap and lifespan) for integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

from reelforge.script.bootstrap import bootstrap
from reelforge.script.config import ScriptSettings

RunningService = Callable[[ScriptSettings], AbstractAsyncContextManager[None]]


@asynccontextmanager
async def _running(settings: ScriptSettings) -> AsyncIterator[None]:
    app, _ = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield


@pytest.fixture(scope="session")
def running_script_service() -> RunningService:
    return _running
