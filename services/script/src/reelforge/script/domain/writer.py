"""What every script writer takes and returns, and the loop that keeps a script within its word
budget.

A writer drafts; the loop cleans each draft down to spoken words, measures it and checks it against
the budget. Outside the band it asks for another draft, a bounded number of times, then keeps the
closest one and says so in the note. A draft that is not a script at all (empty, a refusal, an
echo of the prompt) is never kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol
from uuid import UUID

from reelforge.contracts import (
    MAX_SCENES,
    MAX_SCRIPT_CHARS,
    ErrorInfo,
    Scene,
    SceneCast,
    ScriptInfo,
    ScriptRequested,
    Speaker,
    Stage,
    VideoType,
)

from .budget import WordBudget, count_words, estimate_seconds
from .cleaning import clean_script
from .screening import unusable_reason
from .splitting import fit_scenes, split_evenly

MIN_WORDS_PER_SCENE = 3


class ScriptError(Exception):
    """A job that cannot get a script; `code` is the stable `error.code` of its failed status."""

    code = "script_error"

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable

    def to_error_info(self) -> ErrorInfo:
        return ErrorInfo(
            code=self.code,
            message=self.message[:2000],
            retryable=self.retryable,
            stage=Stage.SCRIPT,
        )


class ScriptGenerationFailed(ScriptError):  # noqa: N818 - the name the issue uses
    """The writer produced no usable script: the LLM failed, answered nothing usable, or is
    down."""

    code = "script_generation_failed"


class InvalidBriefError(ScriptError):
    """The brief cannot be scripted as asked (found only once the request is read)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, retryable=False)
        self.code = code


@dataclass(frozen=True)
class ScriptBrief:
    """What to write: the parts of `script.requested` a writer reads."""

    job_id: UUID
    topic: str
    target_seconds: int
    video_type: VideoType = VideoType.CUSTOM
    key_points: tuple[str, ...] = ()
    scene_count: int = 1
    language: str = "en"
    speaker: Speaker | None = None
    regenerate_of: UUID | None = None

    def __post_init__(self) -> None:
        if not self.topic.strip():
            raise InvalidBriefError("invalid_brief", "topic must not be empty or whitespace")
        if self.target_seconds <= 0:
            raise InvalidBriefError("invalid_brief", "target_seconds must be positive")
        if self.scene_count < 1:
            raise InvalidBriefError("invalid_brief", "a script needs at least one scene")
        budget = self.budget
        if budget.max_words < self.scene_count * MIN_WORDS_PER_SCENE:
            raise InvalidBriefError(
                "too_many_scenes",
                f"{self.scene_count} scenes cannot share a {self.target_seconds}-second script "
                f"({budget.max_words} words at most, {MIN_WORDS_PER_SCENE} per scene needed)",
            )

    @classmethod
    def from_request(cls, request: ScriptRequested) -> ScriptBrief:
        return cls(
            job_id=request.job_id,
            topic=request.topic,
            target_seconds=request.target_seconds,
            video_type=request.video_type,
            key_points=tuple(p.strip() for p in request.key_points if p.strip()),
            scene_count=len(request.scenes),
            language=request.language,
            speaker=request.speaker,
            regenerate_of=request.regenerate_of,
        )

    @property
    def budget(self) -> WordBudget:
        return WordBudget.for_seconds(self.target_seconds)

    @property
    def is_regeneration(self) -> bool:
        return self.regenerate_of is not None

    @property
    def speaker_names(self) -> tuple[str, ...]:
        name = self.speaker.name if self.speaker else None
        return (name,) if name and name.strip() else ()


@dataclass(frozen=True)
class WrittenScript:
    """A script ready to be spoken: one text per requested scene, and how it was made."""

    scenes: tuple[str, ...]
    words: int
    estimated_seconds: float
    within_budget: bool
    attempts: int
    writer: str
    note: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.scenes)

    def script_info(self) -> ScriptInfo:
        return ScriptInfo(
            writer=self.writer,
            words=self.words,
            estimated_seconds=self.estimated_seconds,
            within_budget=self.within_budget,
            attempts=self.attempts,
            note=self.note,
        )

    def with_note(self, note: str) -> WrittenScript:
        combined = f"{note}; {self.note}" if self.note else note
        return replace(self, note=combined)

    def to_scenes(
        self, casts: Sequence[SceneCast], max_chars: int = MAX_SCRIPT_CHARS
    ) -> list[Scene]:
        """`video.requested` scenes: each text with its cast; a text over `max_chars` becomes
        consecutive scenes with the same avatar and voice."""
        if len(casts) != len(self.scenes):
            raise ValueError(f"{len(self.scenes)} scene texts for {len(casts)} scene casts")
        pieces = fit_scenes(self.scenes, min(max_chars, MAX_SCRIPT_CHARS))
        if len(pieces) > MAX_SCENES:
            raise InvalidBriefError(
                "script_too_long_for_provider",
                f"the script needs {len(pieces)} scenes of at most {max_chars} characters; "
                f"a video holds {MAX_SCENES}",
            )
        return [Scene(**casts[index].model_dump(), script=text) for index, text in pieces]


class ScriptWriter(Protocol):
    """Writes the spoken script for a brief. Raises ScriptGenerationFailed when it cannot."""

    name: str

    async def write(self, brief: ScriptBrief) -> WrittenScript: ...


@dataclass(frozen=True)
class DraftFeedback:
    """Why the previous draft was not kept, for the next request to the model."""

    problem: str
    draft: str | None = None
    words: int = 0


Draft = Callable[[ScriptBrief, DraftFeedback | None], Awaitable[str]]
"""Produces one raw draft for a brief, given what was wrong with the previous one (if any)."""


@dataclass(frozen=True)
class _Candidate:
    text: str
    words: int


async def write_scenes(
    brief: ScriptBrief,
    draft: Draft,
    *,
    writer: str,
    max_attempts: int,
    prompt_markers: tuple[str, ...] = (),
    clean: bool = True,
) -> WrittenScript:
    """Draft until a script lands in the budget (at most `max_attempts` drafts), then cut it into
    the brief's scenes. Keeps the closest usable draft when none lands in the band.

    `clean=False` is for writers whose drafts are spoken words by construction (the template
    writer): they are measured as they are.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    budget = brief.budget
    best: _Candidate | None = None
    feedback: DraftFeedback | None = None
    problems: list[str] = []
    attempts = 0
    for attempts in range(1, max_attempts + 1):  # noqa: B007 - `attempts` is reported below
        answer = await draft(brief, feedback)
        text = clean_script(answer, brief.speaker_names) if clean else answer.strip()
        problem = unusable_reason(text, prompt_markers)
        if problem is None and count_words(text) < brief.scene_count * MIN_WORDS_PER_SCENE:
            problem = f"too short to fill {brief.scene_count} scenes"
        if problem is not None:
            problems.append(problem)
            feedback = DraftFeedback(problem=problem)
            continue
        words = count_words(text)
        if best is None or _closer(budget, words, best.words):
            best = _Candidate(text, words)
        if budget.contains(words):
            break
        direction = "too long" if words > budget.max_words else "too short"
        feedback = DraftFeedback(problem=f"{words} words is {direction}", draft=text, words=words)
    if best is None:
        raise ScriptGenerationFailed(
            f"{writer} produced no usable script in {attempts} attempt(s); last problem: "
            f"{problems[-1]}",
            retryable=True,
        )
    within = budget.contains(best.words)
    notes = []
    if not within:
        notes.append(
            f"outside the word budget after {attempts} attempt(s); kept the closest draft: "
            f"{best.words} words, wanted {budget.describe()}"
        )
    if problems:
        notes.append(f"{len(problems)} unusable draft(s): {', '.join(sorted(set(problems)))}")
    return WrittenScript(
        scenes=tuple(split_evenly(best.text, brief.scene_count)),
        words=best.words,
        estimated_seconds=estimate_seconds(best.words),
        within_budget=within,
        attempts=attempts,
        writer=writer,
        note="; ".join(notes) or None,
    )


def _closer(budget: WordBudget, words: int, than: int) -> bool:
    key_new = (budget.distance(words), abs(words - budget.target_words))
    key_old = (budget.distance(than), abs(than - budget.target_words))
    return key_new < key_old
