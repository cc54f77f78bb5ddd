"""The four services as real subprocesses on the session's broker and PostgreSQL.

Session-scoped: these tests run last, so the stack's consumers never take events that earlier
tests publish for services they run themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reelforge.runtime.stack import Stack, services_on


@pytest.fixture(scope="session")
def stack(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with services_on(tmp_path_factory.mktemp("stack"), kafka_bootstrap, database_url) as running:
        yield running
