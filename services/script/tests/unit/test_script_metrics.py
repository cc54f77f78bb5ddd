"""Scripts, outcomes, latency, retries, regenerations and fallbacks are counted."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY

from reelforge.contracts import VideoType
from reelforge.script.adapters.metrics import MeasuredWriter
from reelforge.script.adapters.openai_writer import FallbackWriter
from reelforge.script.domain.template_writer import TemplateWriter
from reelforge.script.domain.writer import ScriptBrief, ScriptGenerationFailed, WrittenScript

pytestmark = pytest.mark.unit


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def brief(regenerate_of: uuid.UUID | None = None) -> ScriptBrief:
    return ScriptBrief(
        job_id=uuid.uuid4(),
        topic="Should you sell before summer?",
        target_seconds=30,
        video_type=VideoType.CUSTOM,
        regenerate_of=regenerate_of,
    )


class FailingWriter:
    name = "openai"

    def __init__(self) -> None:
        self.calls = 0

    async def write(self, brief: ScriptBrief) -> WrittenScript:
        self.calls += 1
        raise ScriptGenerationFailed("the LLM endpoint answered HTTP 500 (4 attempts)")


class CloseEnoughWriter:
    name = "openai"

    async def write(self, brief: ScriptBrief) -> WrittenScript:
        return WrittenScript(
            scenes=("Hi.",),
            words=1,
            estimated_seconds=0.4,
            within_budget=False,
            attempts=3,
            writer=self.name,
            note="kept the closest",
        )


async def test_a_template_script_is_counted_with_its_type_and_latency():
    labels = {"writer": "template", "video_type": "custom", "outcome": "ok"}
    before = sample("reelforge_scripts_total", **labels)
    timed = sample("reelforge_script_generation_seconds_count", writer="template")

    await MeasuredWriter(TemplateWriter()).write(brief())

    assert sample("reelforge_scripts_total", **labels) == before + 1
    assert sample("reelforge_script_generation_seconds_count", writer="template") == timed + 1


async def test_a_kept_out_of_budget_script_counts_its_extra_drafts():
    outside = {"writer": "openai", "video_type": "custom", "outcome": "out_of_budget"}
    before = sample("reelforge_scripts_total", **outside)
    retries = sample("reelforge_script_retries_total", writer="openai")

    await MeasuredWriter(CloseEnoughWriter()).write(brief())

    assert sample("reelforge_scripts_total", **outside) == before + 1
    assert sample("reelforge_script_retries_total", writer="openai") == retries + 2


async def test_a_failure_is_counted_and_raised():
    failed = {"writer": "openai", "video_type": "custom", "outcome": "failed"}
    before = sample("reelforge_scripts_total", **failed)

    with pytest.raises(ScriptGenerationFailed):
        await MeasuredWriter(FailingWriter()).write(brief())

    assert sample("reelforge_scripts_total", **failed) == before + 1


async def test_regenerations_are_counted():
    before = sample("reelforge_script_regenerations_total")

    await MeasuredWriter(TemplateWriter()).write(brief(regenerate_of=uuid.uuid4()))
    await MeasuredWriter(TemplateWriter()).write(brief())

    assert sample("reelforge_script_regenerations_total") == before + 1


async def test_fallback_writes_with_the_template_and_says_why():
    primary = FailingWriter()
    before = sample("reelforge_script_fallbacks_total")
    ok = {"writer": "template", "video_type": "custom", "outcome": "ok"}
    counted = sample("reelforge_scripts_total", **ok)

    written = await MeasuredWriter(FallbackWriter(primary, TemplateWriter())).write(brief())

    assert primary.calls == 1
    assert written.writer == "template"
    assert written.within_budget
    assert written.note is not None
    assert "openai failed" in written.note
    assert "HTTP 500" in written.note
    assert sample("reelforge_script_fallbacks_total") == before + 1
    assert sample("reelforge_scripts_total", **ok) == counted + 1
