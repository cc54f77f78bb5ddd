"""Which provider takes a job, and the polling intervals."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from reelforge.contracts import VideoRequested
from reelforge.render.adapters.providers.heygen import CAPABILITIES as HEYGEN
from reelforge.render.config import RenderSettings
from reelforge.render.domain.routing import (
    Assign,
    Unsupported,
    Wait,
    choose_provider,
    next_poll_delay,
)

pytestmark = pytest.mark.unit

ORDER = ("heygen", "did", "local")


def job(scenes: int = 1, **render: Any) -> VideoRequested:
    scene = {"avatar_id": "amy", "voice_id": "jenny", "script": "Hello there, welcome home."}
    return VideoRequested(
        job_id=uuid.uuid4(), tenant_id="acme", scenes=[scene] * scenes, render=render
    )


CAPS = {"heygen": HEYGEN, "did": HEYGEN, "local": None}


def test_the_first_provider_in_order_with_room_takes_the_job() -> None:
    assert choose_provider(ORDER, job(), CAPS, lambda n: True) == Assign("heygen")


def test_an_open_or_full_primary_sends_the_job_to_the_fallback() -> None:
    assert choose_provider(ORDER, job(), CAPS, lambda n: n != "heygen") == Assign("did")


def test_a_job_only_the_local_renderer_supports_skips_the_remote_ones() -> None:
    assert choose_provider(ORDER, job(scenes=3), CAPS, lambda n: True) == Assign("local")


def test_a_job_waits_when_every_able_provider_is_busy() -> None:
    assert choose_provider(("heygen", "did"), job(), CAPS, lambda n: False) == Wait()


def test_a_job_no_provider_supports_is_unsupported_with_reasons() -> None:
    decision = choose_provider(("heygen",), job(scenes=2), CAPS, lambda n: True)
    assert isinstance(decision, Unsupported)
    assert "2 scenes requested" in decision.reasons[0]


def test_excluded_providers_are_skipped() -> None:
    decision = choose_provider(ORDER, job(), CAPS, lambda n: True, frozenset({"heygen"}))
    assert decision == Assign("did")


def test_a_job_that_may_already_be_rendering_somewhere_waits_for_that_provider() -> None:
    """A replica died mid-submission at did: even with did's circuit open, the job does not go
    to another provider (it could be rendered and paid twice); it waits for did."""
    waiting = choose_provider(ORDER, job(), CAPS, lambda n: n != "did", pinned="did")
    assert waiting == Wait()
    assert choose_provider(ORDER, job(), CAPS, lambda n: True, pinned="did") == Assign("did")


def test_a_pinned_provider_that_gave_up_on_the_job_no_longer_holds_it() -> None:
    decision = choose_provider(ORDER, job(), CAPS, lambda n: True, frozenset({"did"}), pinned="did")
    assert decision == Assign("heygen")


def test_the_requests_preferred_provider_goes_first() -> None:
    assert choose_provider(ORDER, job(provider="did"), CAPS, lambda n: True) == Assign("did")


def test_poll_intervals_grow_and_are_capped() -> None:
    delays = [next_poll_delay(n, 5.0, 1.5, 60.0) for n in range(10)]
    assert delays[:3] == [5.0, 7.5, 11.25]
    assert delays == sorted(delays)
    assert max(delays) == 60.0


def test_per_provider_limits_override_the_defaults() -> None:
    settings = RenderSettings(
        render_max_in_flight_by_provider="heygen=3", render_rate_limit_by_provider="did=12"
    )
    assert settings.max_in_flight_for("heygen") == 3
    assert settings.max_in_flight_for("did") == 10
    assert settings.rate_limit_for("did") == 12.0
    assert settings.rate_limit_for("heygen") == 50.0
