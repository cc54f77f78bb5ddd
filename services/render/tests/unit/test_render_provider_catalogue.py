"""Filtering avatars and voices, and the 18-hour catalogue cache."""

from __future__ import annotations

import asyncio

import pytest

from reelforge.render.adapters.providers import CachedCatalogue
from reelforge.render.adapters.providers.catalogue_cache import DEFAULT_TTL_S
from reelforge.render.domain.catalogue import (
    Avatar,
    CatalogueQuery,
    Voice,
    filter_avatars,
    filter_voices,
    language_matches,
)
from reelforge.render.domain.provider import ProviderUnavailableError

pytestmark = pytest.mark.unit

VOICES = [
    Voice("jenny", "Jenny", "did", "English (United States)", ("en-US",), "female", "Adult"),
    Voice("ryan", "Ryan", "did", "English (United Kingdom)", ("en-GB",), "male", "Adult"),
    Voice("elvira", "Elvira", "did", "Spanish (Spain)", ("es-ES",), "female", "Young Adult"),
    Voice("sara", "Sara", "heygen", "English", (), "female"),
    Voice("hans", "Hans", "heygen", "German", (), "male", accent="Bavarian"),
]


def ids(voices: list[Voice]) -> list[str]:
    return [v.id for v in voices]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (CatalogueQuery(), ["jenny", "ryan", "elvira", "sara", "hans"]),
        (CatalogueQuery(language="en"), ["jenny", "ryan", "sara"]),
        (CatalogueQuery(language="English"), ["jenny", "ryan", "sara"]),
        (CatalogueQuery(language="en-GB"), ["ryan", "sara"]),
        (CatalogueQuery(language="es", gender="female"), ["elvira"]),
        (CatalogueQuery(gender="MALE"), ["ryan", "hans"]),
        (CatalogueQuery(age_group="young adult"), ["elvira"]),
        (CatalogueQuery(accent="GB"), ["ryan"]),
        (CatalogueQuery(accent="bavarian"), ["hans"]),
        (CatalogueQuery(language="ja"), []),
    ],
)
def test_voice_filters(query: CatalogueQuery, expected: list[str]):
    assert ids(filter_voices(VOICES, query)) == expected


def test_language_codes_and_names_are_interchangeable():
    assert language_matches("de", "German", ())
    assert language_matches("german", None, ("de-DE",))
    assert not language_matches("de-AT", None, ("de-DE",))
    assert not language_matches("en", None, ())


def test_avatar_filters_use_gender_and_age_group():
    avatars = [
        Avatar("a", "Amy", "heygen", gender="female"),
        Avatar("j", "Josh", "heygen", gender="male", age_group="young"),
        Avatar("x", "Unknown", "heygen"),
    ]
    assert [a.id for a in filter_avatars(avatars, CatalogueQuery(gender="male"))] == ["j"]
    assert [a.id for a in filter_avatars(avatars, CatalogueQuery(language="en"))] == ["a", "j", "x"]


class StubProvider:
    name = "stub"

    def __init__(self) -> None:
        self.voice_fetches = 0
        self.avatar_fetches = 0
        self.fail = False
        self.release = asyncio.Event()
        self.release.set()

    async def list_voices(self) -> list[Voice]:
        self.voice_fetches += 1
        await self.release.wait()
        if self.fail:
            raise ProviderUnavailableError("stub", "down")
        return list(VOICES)

    async def list_avatars(self) -> list[Avatar]:
        self.avatar_fetches += 1
        return [Avatar("a", "Amy", "stub", gender="female")]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_catalogue_is_fetched_once_per_ttl():
    provider, clock = StubProvider(), Clock()
    catalogue = CachedCatalogue(provider, clock=clock)  # type: ignore[arg-type]
    assert ids(await catalogue.voices(CatalogueQuery(language="es"))) == ["elvira"]
    assert len(await catalogue.voices()) == 5
    clock.now = DEFAULT_TTL_S - 1
    await catalogue.voices()
    assert provider.voice_fetches == 1
    clock.now = DEFAULT_TTL_S + 1
    await catalogue.voices()
    assert provider.voice_fetches == 2
    assert DEFAULT_TTL_S == 18 * 3600


async def test_concurrent_readers_share_one_fetch():
    provider = StubProvider()
    provider.release.clear()
    catalogue = CachedCatalogue(provider, clock=Clock())  # type: ignore[arg-type]
    readers = [asyncio.create_task(catalogue.voices()) for _ in range(20)]
    await asyncio.sleep(0)
    provider.release.set()
    results = await asyncio.gather(*readers)
    assert provider.voice_fetches == 1
    assert all(len(r) == 5 for r in results)


async def test_failed_refresh_serves_the_previous_list_but_first_fetch_fails_loudly():
    provider, clock = StubProvider(), Clock()
    catalogue = CachedCatalogue(provider, ttl_s=10, clock=clock)  # type: ignore[arg-type]
    provider.fail = True
    with pytest.raises(ProviderUnavailableError):
        await catalogue.voices()
    provider.fail = False
    assert len(await catalogue.voices()) == 5
    provider.fail = True
    clock.now = 11
    assert len(await catalogue.voices()) == 5
    provider.fail = False
    catalogue.invalidate()
    assert len(await catalogue.voices()) == 5
    assert [a.id for a in await catalogue.avatars(CatalogueQuery(gender="female"))] == ["a"]
