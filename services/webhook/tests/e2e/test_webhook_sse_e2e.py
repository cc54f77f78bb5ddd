"""An upstream system submits over HTTP and follows the job's progress by SSE until it is ready,
through the real render (local provider) and storage services."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import uuid

import httpx
import pytest

from reelforge.runtime.stack import Stack

pytestmark = pytest.mark.e2e


async def test_a_submitted_video_is_followed_by_sse_from_accepted_to_ready(
    stack: Stack,
) -> None:
    tenant = f"e2e{uuid.uuid4().hex[:8]}"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reelforge.webhook.entrypoints.cli",
        "tenants",
        "create",
        tenant,
        env={**os.environ, "DATABASE_URL": stack.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    key = re.search(r"api key: (rf_live_\S+)", output.decode())
    assert key is not None, output.decode()
    base = next(s.url for s in stack.services if s.name == "webhook")
    headers = {"authorization": f"Bearer {key.group(1)}"}
    states: list[str] = []
    last: dict[str, object] = {}
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30, read=None)) as client:
        submitted = await client.post(
            "/v1/videos",
            json={
                "script": "Welcome to this four bedroom home with a resort-style pool.",
                "avatar_id": "joseph",
                "voice_id": "en-us-male",
                "video_type": "property_listing",
            },
            headers=headers,
        )
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["job_id"]
        async with asyncio.timeout(300):
            async with client.stream("GET", f"/v1/videos/{job_id}/events", headers=headers) as sse:
                event = "message"
                async for line in sse.aiter_lines():
                    if line.startswith("event:"):
                        event = line.removeprefix("event:").strip()
                    elif line.startswith("data:"):
                        data = json.loads(line.removeprefix("data:"))
                        if event == "end":
                            break
                        states.append(str(data["state"]))
                        last = data
        view = (await client.get(f"/v1/videos/{job_id}", headers=headers)).json()
    assert states[0] == "accepted"
    assert states[-1] == "ready", (states, view.get("error"))
    assert view["asset"]["size_bytes"] > 0
    assert last["progress"] == 100
