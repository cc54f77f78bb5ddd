"""The local provider's catalogue (voices and avatars) and how a request's voice ids resolve.

Voice ids are ``<language>-<gender>``: the espeak-ng language tag of an installed voice, lowercase,
then ``female`` or ``male`` (``en-us-female``, ``en-gb-male``, ``de-female``, ``pt-br-male``).
``list_voices()`` lists them all.

How a scene's ``voice_id`` resolves (:func:`resolve_scene_voices`):

1. A catalogue id is that voice.
2. An id in the local form whose language is not installed (``xx-female``) fails with
   ``unknown_voice``: it was meant for this provider and names nothing.
3. Any other id (another provider's, e.g. a HeyGen id or ``voice_1``, as when the local provider is
   the fallback) is mapped onto the voices of the request's ``language``: distinct ids in order of
   first appearance take that language's voices in turn (female, male, then other regions), so
   different speakers stay different and the same id keeps one voice within a request. A word
   ``female``/``woman`` or ``male``/``man`` in the id picks that gender.

The request's ``language`` must have an espeak-ng voice (``en``, ``en-GB``, ``de``, ...), else
``unknown_language``; a bare language prefers its main region (``en`` -> ``en-us``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .errors import LocalRenderError, LocalRenderErrorCode
from .espeak import EspeakVoice, engine


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"


_VARIANT_BY_GENDER = {Gender.FEMALE: "+f3", Gender.MALE: ""}
_PREFERRED_REGION = {"en": "en-us", "es": "es", "pt": "pt-br", "fr": "fr-fr", "zh": "cmn"}
_EXCLUDED_IDENTIFIERS = frozenset({"art/xex"})
_LOCAL_FORM = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*-(?:female|male)$")
_GENDER_WORDS = {
    "female": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "male": Gender.MALE,
    "man": Gender.MALE,
}


@dataclass(frozen=True)
class VoiceInfo:
    """One voice of the local provider."""

    id: str
    name: str
    language: str
    gender: Gender
    espeak_name: str
    """What espeak-ng's SetVoiceByName takes: the voice identifier plus a variant."""


@dataclass(frozen=True)
class AvatarInfo:
    """A ready-made avatar. Any other avatar_id works too: its portrait is derived from the id."""

    id: str
    name: str
    gender: Gender


_AVATARS = (
    AvatarInfo("amy", "Amy", Gender.FEMALE),
    AvatarInfo("josh", "Josh", Gender.MALE),
    AvatarInfo("maya", "Maya", Gender.FEMALE),
    AvatarInfo("daniel", "Daniel", Gender.MALE),
    AvatarInfo("sofia", "Sofia", Gender.FEMALE),
    AvatarInfo("leo", "Leo", Gender.MALE),
)


def list_avatars() -> list[AvatarInfo]:
    return list(_AVATARS)


def avatar_gender(avatar_id: str) -> Gender | None:
    return next((a.gender for a in _AVATARS if a.id == avatar_id), None)


def list_voices() -> list[VoiceInfo]:
    """Every voice id this provider accepts, two per installed espeak-ng language."""
    return list(_catalogue().values())


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, VoiceInfo]:
    voices: dict[str, VoiceInfo] = {}
    for espeak_voice in _espeak_voices():
        language = _primary_tag(espeak_voice)
        for gender in Gender:
            voice_id = f"{language}-{gender.value}"
            voices[voice_id] = VoiceInfo(
                id=voice_id,
                name=f"{espeak_voice.name} ({gender.value})",
                language=language,
                gender=gender,
                espeak_name=espeak_voice.identifier + _VARIANT_BY_GENDER[gender],
            )
    return voices


@lru_cache(maxsize=1)
def _espeak_voices() -> tuple[EspeakVoice, ...]:
    seen: set[str] = set()
    kept: list[EspeakVoice] = []
    for voice in engine().voices():
        tag = _primary_tag(voice)
        if voice.identifier in _EXCLUDED_IDENTIFIERS or tag in seen:
            continue
        seen.add(tag)
        kept.append(voice)
    return tuple(kept)


def _primary_tag(voice: EspeakVoice) -> str:
    return voice.languages[0].lower()


def language_voices(language: str) -> list[EspeakVoice]:
    """Installed voices that speak ``language``, best first; empty if none does."""
    tag = language.lower()
    base = tag.split("-", 1)[0]
    preferred = _PREFERRED_REGION.get(tag, tag)
    exact = _ranked(tag, preferred)
    if exact:
        return exact
    return _ranked(base, _PREFERRED_REGION.get(base, base))


def _ranked(tag: str, preferred: str) -> list[EspeakVoice]:
    matching = [
        (0 if _primary_tag(v) == preferred else 1, v.priorities[v.languages.index(tag)], i, v)
        for i, v in enumerate(_espeak_voices())
        if tag in v.languages
    ]
    return [v for *_, v in sorted(matching, key=lambda m: m[:3])]


def resolve_scene_voices(language: str, voice_ids: list[str]) -> list[VoiceInfo]:
    """The voice each scene speaks with, by the rule in this module's docstring."""
    catalogue = _catalogue()
    candidates = language_voices(language)
    if not candidates:
        raise LocalRenderError(
            LocalRenderErrorCode.UNKNOWN_LANGUAGE,
            f"language {language!r} has no local voice; use an espeak-ng language such as "
            "en, en-GB, de, fr, es, pt-BR (list_voices() shows them all)",
        )
    mapped: dict[str, VoiceInfo] = {}
    resolved: list[VoiceInfo] = []
    for voice_id in voice_ids:
        if voice_id in catalogue:
            resolved.append(catalogue[voice_id])
        elif _LOCAL_FORM.match(voice_id):
            raise LocalRenderError(
                LocalRenderErrorCode.UNKNOWN_VOICE,
                f"voice {voice_id!r} is not installed; local voice ids are "
                "<language>-female|male, e.g. en-us-female (list_voices() shows them all)",
            )
        else:
            if voice_id not in mapped:
                mapped[voice_id] = _pick_for_foreign_id(
                    voice_id, candidates, list(mapped.values()), catalogue
                )
            resolved.append(mapped[voice_id])
    return resolved


def _pick_for_foreign_id(
    voice_id: str,
    candidates: list[EspeakVoice],
    taken: list[VoiceInfo],
    catalogue: dict[str, VoiceInfo],
) -> VoiceInfo:
    words = set(re.split(r"[^a-z]+", voice_id.lower()))
    hinted = {gender for word, gender in _GENDER_WORDS.items() if word in words}
    genders = list(hinted) if len(hinted) == 1 else list(Gender)
    pool = [
        catalogue[f"{_primary_tag(voice)}-{gender.value}"]
        for voice in candidates
        for gender in genders
    ]
    unused = [voice for voice in pool if voice not in taken]
    return unused[0] if unused else pool[len(taken) % len(pool)]
