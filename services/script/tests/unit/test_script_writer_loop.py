"""The budget loop: drafts are cleaned, measured and retried until one fits, or the closest is
kept and noted; briefs come from `script.requested`; scripts become `video.requested` scenes."""

from __future__ import annotations

import uuid

import pytest

from reelforge.contracts import SceneCast, ScriptRequested, Speaker, VideoType
from reelforge.script.domain.writer import (
    DraftFeedback,
    InvalidBriefError,
    ScriptBrief,
    ScriptGenerationFailed,
    WrittenScript,
    write_scenes,
)

pytestmark = pytest.mark.unit


def brief(seconds: int = 30, scenes: int = 1) -> ScriptBrief:
    return ScriptBrief(
        job_id=uuid.uuid4(),
        topic="4-bedroom home in Indian Wells",
        target_seconds=seconds,
        video_type=VideoType.PROPERTY_LISTING,
        scene_count=scenes,
    )


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n - 1)) + " end."


class ScriptedDrafts:
    """Returns the given drafts in turn and records the feedback each call received."""

    def __init__(self, *drafts: str) -> None:
        self.drafts = list(drafts)
        self.feedback: list[DraftFeedback | None] = []

    async def __call__(self, _brief: ScriptBrief, feedback: DraftFeedback | None) -> str:
        self.feedback.append(feedback)
        return self.drafts.pop(0)


async def test_a_draft_within_budget_is_kept_at_once():
    drafts = ScriptedDrafts(words(75))

    written = await write_scenes(brief(), drafts, writer="fake", max_attempts=3)

    assert (written.words, written.within_budget, written.attempts) == (75, True, 1)
    assert written.estimated_seconds == 30.0
    assert written.note is None
    assert drafts.feedback == [None]


async def test_an_out_of_budget_draft_is_sent_back_with_its_word_count():
    drafts = ScriptedDrafts(words(120), words(80))

    written = await write_scenes(brief(), drafts, writer="fake", max_attempts=3)

    assert (written.words, written.attempts, written.within_budget) == (80, 2, True)
    feedback = drafts.feedback[1]
    assert feedback is not None
    assert feedback.words == 120
    assert "too long" in feedback.problem
    assert feedback.draft is not None
    assert feedback.draft.endswith("end.")


async def test_the_closest_draft_is_kept_and_noted_when_none_fits():
    drafts = ScriptedDrafts(words(120), words(50), words(95))

    written = await write_scenes(brief(), drafts, writer="fake", max_attempts=3)

    assert (written.words, written.within_budget, written.attempts) == (95, False, 3)
    assert written.note is not None
    assert "kept the closest draft: 95 words" in written.note
    assert "68-82 words" in written.note


async def test_markdown_in_a_draft_is_cleaned_before_it_is_measured():
    drafts = ScriptedDrafts("**Narrator:** [smiles] " + words(75))

    written = await write_scenes(brief(), drafts, writer="fake", max_attempts=1)

    assert written.words == 75
    assert "Narrator" not in written.text
    assert "[" not in written.text


async def test_unusable_drafts_are_retried_and_noted():
    drafts = ScriptedDrafts("", "I'm sorry, I can't help with that.", words(75))

    written = await write_scenes(brief(), drafts, writer="fake", max_attempts=3)

    assert written.within_budget
    assert written.attempts == 3
    assert written.note is not None
    assert "2 unusable draft(s)" in written.note
    assert drafts.feedback[1] is not None
    assert drafts.feedback[1].draft is None


async def test_only_unusable_drafts_fail_with_script_generation_failed():
    drafts = ScriptedDrafts("", "   ", "[pause]")

    with pytest.raises(ScriptGenerationFailed) as failure:
        await write_scenes(brief(), drafts, writer="fake", max_attempts=3)

    assert failure.value.code == "script_generation_failed"
    assert "3 attempt(s)" in failure.value.message
    info = failure.value.to_error_info()
    assert (info.code, info.stage.value) == ("script_generation_failed", "script")


async def test_a_script_is_cut_into_the_requested_scenes_in_order():
    text = " ".join(f"Sentence number {n} is here." for n in range(9))
    drafts = ScriptedDrafts(text)

    written = await write_scenes(brief(scenes=3), drafts, writer="fake", max_attempts=1)

    assert len(written.scenes) == 3
    assert written.scenes[0].startswith("Sentence number 0")
    assert written.scenes[2].endswith("number 8 is here.")
    assert written.text == text


def request(**overrides: object) -> ScriptRequested:
    fields: dict[str, object] = {
        "job_id": uuid.uuid4(),
        "tenant_id": "acme",
        "video_type": "property_listing",
        "topic": "  4-bedroom home in Indian Wells ",
        "key_points": ["gourmet kitchen", "resort-style pool"],
        "target_seconds": 45,
        "speaker": {"name": "Joseph Sardella", "company": "eXp Realty", "phone": "760-899-6988"},
        "scenes": [{"avatar_id": f"a{i}", "voice_id": f"v{i}"} for i in range(3)],
        "regenerate_of": str(uuid.uuid4()),
    }
    fields.update(overrides)
    return ScriptRequested.model_validate(fields)


def test_a_brief_carries_what_the_writer_needs_from_the_request():
    event = request()

    made = ScriptBrief.from_request(event)

    assert made.job_id == event.job_id
    assert made.regenerate_of == event.regenerate_of
    assert made.topic == "4-bedroom home in Indian Wells"
    assert made.key_points == ("gourmet kitchen", "resort-style pool")
    assert (made.scene_count, made.target_seconds) == (3, 45)
    assert made.speaker_names == ("Joseph Sardella",)
    assert made.is_regeneration


def test_more_scenes_than_the_length_can_fill_are_refused_with_a_code():
    with pytest.raises(InvalidBriefError) as refused:
        ScriptBrief(job_id=uuid.uuid4(), topic="Hi", target_seconds=5, scene_count=6)

    assert refused.value.code == "too_many_scenes"


def test_a_scene_over_the_provider_limit_becomes_scenes_with_the_same_cast():
    long_text = " ".join(["This sentence has exactly forty-eight characters."] * 30)
    written = WrittenScript(
        scenes=("Opening line.", long_text),
        words=0,
        estimated_seconds=0,
        within_budget=True,
        attempts=1,
        writer="template",
    )
    casts = [SceneCast(avatar_id="amy", voice_id="v1"), SceneCast(avatar_id="bob", voice_id="v2")]

    scenes = written.to_scenes(casts, max_chars=500)

    assert scenes[0].avatar_id == "amy"
    assert scenes[0].script == "Opening line."
    assert len(scenes) == 1 + 3
    assert all(s.avatar_id == "bob" and s.voice_id == "v2" for s in scenes[1:])
    assert all(len(s.script) <= 500 for s in scenes)
    assert " ".join(s.script for s in scenes[1:]) == long_text


def test_script_info_reports_how_the_script_was_made():
    written = WrittenScript(
        scenes=("Hello there.",),
        words=2,
        estimated_seconds=0.8,
        within_budget=False,
        attempts=3,
        writer="openai",
        note="kept the closest",
    )

    info = written.with_note("written by template").script_info()

    assert (info.writer, info.words, info.attempts, info.within_budget) == ("openai", 2, 3, False)
    assert info.note == "written by template; kept the closest"


def test_speaker_without_name_gives_no_labels_to_strip():
    made = ScriptBrief.from_request(request(speaker=Speaker(phone="1").model_dump()))

    assert made.speaker_names == ()
