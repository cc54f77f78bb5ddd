"""The local provider's avatars and voices over the render service's catalogue API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from reelforge.render.adapters.local_catalogue import LocalCatalogue
from reelforge.render.adapters.providers.catalogue_cache import CachedCatalogue
from reelforge.render.entrypoints.catalogue import catalogue_routes

pytestmark = pytest.mark.integration


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=catalogue_routes({"local": CachedCatalogue(LocalCatalogue())}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://render") as client:
        yield client


async def test_local_is_listed_among_the_providers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/providers")
    assert "local" in answer.json()["providers"]


async def test_local_voices_filter_by_language_and_gender(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/v1/providers/local/voices", params={"language": "en-GB", "gender": "male"}
    )

    assert answer.status_code == 200
    voices = answer.json()["voices"]
    assert [v["id"] for v in voices] == ["en-gb-male"]
    assert voices[0]["provider"] == "local"


async def test_every_installed_language_has_a_female_and_a_male_voice(
    client: httpx.AsyncClient,
) -> None:
    voices = (await client.get("/v1/providers/local/voices")).json()["voices"]
    by_language: dict[str, set[str]] = {}
    for voice in voices:
        by_language.setdefault(voice["language"], set()).add(voice["gender"])
    assert len(by_language) > 50
    assert all(genders == {"female", "male"} for genders in by_language.values())


async def test_local_avatars_filter_by_gender(client: httpx.AsyncClient) -> None:
    female = (await client.get("/v1/providers/local/avatars", params={"gender": "female"})).json()[
        "avatars"
    ]

    assert female
    assert {a["gender"] for a in female} == {"female"}
