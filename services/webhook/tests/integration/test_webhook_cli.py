"""The reelforge-webhook CLI as an operator and an upstream developer use it."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from reelforge.contracts import (
    VIDEO_READY,
    VIDEO_STATUS,
    Asset,
    JobState,
    StatusSource,
    VideoReady,
    VideoStatus,
)
from reelforge.runtime.testing import publish

pytestmark = pytest.mark.integration

RunningWebhook = Any


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reelforge.webhook.entrypoints.cli",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_create_tenant_submit_watch_and_revoke(
    webhook: RunningWebhook, kafka_producer: AIOKafkaProducer
) -> None:
    tenant = f"cli{uuid.uuid4().hex[:8]}"
    db_env = {"DATABASE_URL": webhook.database_url}
    code, output = await _cli(db_env, "tenants", "create", tenant)
    assert code == 0, output
    key = re.search(r"api key: (rf_live_\S+)", output)
    key_id = re.search(r"key id:  (\S+)", output)
    assert key is not None
    assert key_id is not None
    again, refused = await _cli(db_env, "tenants", "create", tenant)
    assert again != 0
    assert "already exists" in refused

    api_env = {"REELFORGE_WEBHOOK_URL": webhook.base_url, "REELFORGE_API_KEY": key.group(1)}
    code, output = await _cli(
        api_env, "submit", "--script", "Welcome home.", "--avatar", "Amy", "--voice", "Jenny"
    )
    assert code == 0, output
    job_id = uuid.UUID(output.strip().splitlines()[-1])

    watcher = asyncio.create_task(_cli(api_env, "watch", str(job_id)))
    for state in (JobState.QUEUED, JobState.RENDERING):
        await publish(
            kafka_producer,
            VIDEO_STATUS,
            VideoStatus(job_id=job_id, tenant_id=tenant, state=state, source=StatusSource.RENDER),
        )
    asset = Asset(
        uri="file:///x.mp4",
        signed_url="http://127.0.0.1:9/x.mp4",
        signed_url_expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        size_bytes=10,
        sha256="c" * 64,
        duration_s=1.0,
        width=640,
        height=360,
    )
    await publish(
        kafka_producer,
        VIDEO_READY,
        VideoReady(job_id=job_id, tenant_id=tenant, asset=asset, provider="local"),
    )
    code, output = await watcher
    assert code == 0, output
    assert '"state": "ready"' in output

    code, output = await _cli(db_env, "tenants", "revoke", "--key", key_id.group(1))
    assert code == 0, output
    async with httpx.AsyncClient(base_url=webhook.base_url) as client:
        revoked = await client.get(
            f"/v1/videos/{job_id}", headers={"authorization": f"Bearer {key.group(1)}"}
        )
    assert revoked.status_code == 401
