"""Cost estimates by provider, duration and quality."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import SecretStr

from reelforge.contracts import Resolution, VideoRequested
from reelforge.render.adapters.providers import did, heygen
from reelforge.render.domain.provider import Pricing, estimate_cost, estimate_speech_seconds

pytestmark = pytest.mark.unit


def request(words: int, *, speed: float = 1.0, scenes: int = 1, **render: Any) -> VideoRequested:
    script = " ".join(["word"] * words)
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        scenes=[
            {"avatar_id": "a", "voice_id": "v", "script": script, "voice_speed": speed}
            for _ in range(scenes)
        ],
        render=render,
    )


PRICING = Pricing(usd_per_second={Resolution.HD: 0.10, Resolution.FULL_HD: 0.15})


def test_speech_length_follows_words_scenes_and_voice_speed():
    assert estimate_speech_seconds(request(75)) == pytest.approx(30.0)
    assert estimate_speech_seconds(request(75, scenes=3)) == pytest.approx(90.0)
    assert estimate_speech_seconds(request(75, speed=1.5)) == pytest.approx(20.0)


def test_cost_scales_with_duration_and_resolution():
    assert estimate_cost(request(75), PRICING).amount == pytest.approx(3.0)
    assert estimate_cost(request(150), PRICING).amount == pytest.approx(6.0)
    assert estimate_cost(request(75, resolution="1080p"), PRICING).amount == pytest.approx(4.5)


def test_preview_costs_nothing_where_the_provider_renders_previews_for_free():
    free_preview = Pricing(usd_per_second={Resolution.HD: 0.10}, free_preview=True)
    preview = request(75, quality="preview")
    assert estimate_cost(preview, free_preview).amount == 0.0
    assert estimate_cost(request(75), free_preview).amount == pytest.approx(3.0)


def test_credits_per_minute():
    pricing = Pricing(usd_per_second={Resolution.HD: 0.0}, credits_per_minute=1.0)
    assert estimate_cost(request(150), pricing).credits == pytest.approx(1.0)


def test_heygen_v3_has_no_free_test_render_so_a_preview_is_billed():
    provider = heygen.HeyGenProvider(heygen.HeyGenConfig(api_key=SecretStr("k")))
    production = provider.estimate_cost(request(75))
    preview = provider.estimate_cost(request(75, quality="preview"))
    assert production.amount == pytest.approx(3.0)
    assert preview == production
    assert not provider.capabilities().free_preview


def test_did_prices_come_from_configuration():
    config = did.DIdConfig(
        api_key=SecretStr("k"), usd_per_second={Resolution.HD: 0.05, Resolution.FULL_HD: 0.05}
    )
    assert did.DIdProvider(config).estimate_cost(request(25)).amount == pytest.approx(0.5)
