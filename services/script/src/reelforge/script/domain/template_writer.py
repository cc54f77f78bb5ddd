"""The offline writer: a natural script from the brief alone, deterministic per job.

It says the hook first, then who is speaking, the key points and a call to action using the
speaker's name, company and phone, as seed 002's example script does. Several phrasings per part
are chosen from the job (see `variation`), and supporting sentences fill longer videos, so that it
lands within the word budget from 5 to 300 seconds and two listings do not read the same.
"""

from __future__ import annotations

from dataclasses import replace

from reelforge.contracts import Speaker, VideoType

from .cleaning import clean_fragment
from .template_fit import fit
from .template_parts import build
from .variation import Variation
from .writer import DraftFeedback, ScriptBrief, WrittenScript, write_scenes


class TemplateWriter:
    """Writes scripts offline from the brief; the same job always gets the same script."""

    name = "template"

    async def write(self, brief: ScriptBrief) -> WrittenScript:
        async def draft(brief: ScriptBrief, _feedback: DraftFeedback | None) -> str:
            return compose(brief)

        written = await write_scenes(brief, draft, writer=self.name, max_attempts=1, clean=False)
        if not brief.language.lower().startswith("en"):
            written = written.with_note(
                f"the template writer writes English; '{brief.language}' was requested"
            )
        return written


REGENERATION_TRIES = 8


DEFAULT_TOPICS: dict[VideoType, str] = {
    VideoType.PROPERTY_LISTING: "home",
    VideoType.MARKET_UPDATE: "local market",
    VideoType.PERSONAL_MESSAGE: "Checking in to see how you're doing",
    VideoType.CUSTOM: "real estate",
}
"""Said when nothing speakable is left of the topic once markup and symbols are removed."""


def compose(brief: ScriptBrief) -> str:
    """The script for `brief`, as one text, fitted to its word budget where the brief allows.

    The customer's text (topic, key points, speaker) is first reduced to plain words, so the
    script holds nothing but speech whatever was typed. A regeneration never repeats the script
    of the job it names (when that job was a first generation): where the job's own choices
    happen to give the same text, other choices are tried.
    """
    brief = _speakable(brief)
    text = _compose(brief, Variation(brief.job_id, brief.regenerate_of))
    if brief.regenerate_of is None:
        return text
    earlier = _compose(brief, Variation(brief.regenerate_of))
    for salt in range(1, REGENERATION_TRIES + 1):
        if text != earlier:
            break
        text = _compose(brief, Variation(brief.job_id, brief.regenerate_of, salt))
    return text


def _speakable(brief: ScriptBrief) -> ScriptBrief:
    speaker = brief.speaker
    if speaker is not None:
        speaker = Speaker(
            **{
                field: clean_fragment(value) or None if value else None
                for field, value in speaker.model_dump().items()
            }
        )
    return replace(
        brief,
        topic=clean_fragment(brief.topic) or DEFAULT_TOPICS[brief.video_type],
        key_points=tuple(p for p in map(clean_fragment, brief.key_points) if p),
        speaker=speaker,
    )


def _compose(brief: ScriptBrief, variation: Variation) -> str:
    script, supporting = build(brief, variation)
    fit(script, brief.budget, supporting)
    return script.text()
