"""The four services as real subprocesses on the session's broker and PostgreSQL.

Module-scoped: the stack stops before the webhook's integration tests run, whose jobs it would
otherwise take (its render and storage consume the same topics).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reelforge.runtime.stack import Stack, services_on


@pytest.fixture(scope="module")
def stack(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with services_on(tmp_path_factory.mktemp("stack"), kafka_bootstrap, database_url) as running:
        yield running
