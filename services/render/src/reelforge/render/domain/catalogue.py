"""Avatars and voices a provider offers, and the filters the HTTP API applies to them (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LANGUAGE_NAMES: dict[str, str] = {
    "ar": "arabic",
    "bg": "bulgarian",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fil": "filipino",
    "fr": "french",
    "he": "hebrew",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "ms": "malay",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sk": "slovak",
    "sv": "swedish",
    "ta": "tamil",
    "th": "thai",
    "tr": "turkish",
    "uk": "ukrainian",
    "vi": "vietnamese",
    "zh": "chinese",
}
"""ISO 639 code -> English name, so that "en", "en-GB" and "English" select the same voices
(HeyGen names a voice's language in English; D-ID gives BCP-47 locales)."""


@dataclass(frozen=True, slots=True)
class Avatar:
    id: str
    name: str
    provider: str
    gender: str | None = None
    preview_image_url: str | None = None
    preview_video_url: str | None = None
    default_voice_id: str | None = None
    kind: str | None = None
    """Provider's avatar type, e.g. HeyGen's studio_avatar / video_avatar / photo_avatar."""
    age_group: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Voice:
    id: str
    name: str
    provider: str
    language: str | None = None
    """As the provider names it: "English", or a code such as "en"."""
    locales: tuple[str, ...] = ()
    """BCP-47 tags the voice speaks, e.g. ("en-US",)."""
    gender: str | None = None
    age_group: str | None = None
    accent: str | None = None
    preview_audio_url: str | None = None
    styles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogueQuery:
    """Filters for avatars and voices; each one that is set must match (case-insensitive)."""

    language: str | None = None
    """A code ("en", "pt-BR") or an English name ("English")."""
    gender: str | None = None
    age_group: str | None = None
    accent: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.language or self.gender or self.age_group or self.accent)


_CODES_BY_NAME = {name: code for code, name in LANGUAGE_NAMES.items()}


def _language_and_region(text: str) -> tuple[str, str]:
    """("en", "gb") for "en-GB"; ("en", "") for "en", "English" or "English (United States)"."""
    lowered = text.strip().lower().replace("_", "-")
    for candidate in (lowered, lowered.split("(")[0].strip()):
        if candidate in _CODES_BY_NAME:
            return _CODES_BY_NAME[candidate], ""
    language, _, region = lowered.partition("-")
    return language, region


def language_matches(wanted: str, language: str | None, locales: Iterable[str]) -> bool:
    """Whether a voice speaking ``language`` / ``locales`` serves the ``wanted`` language.

    "en" and "English" match every English voice; "en-GB" matches voices with that locale, and
    English voices that name no locale at all (the provider does not say which accent).
    """
    want_language, want_region = _language_and_region(wanted)
    locales = tuple(locales)
    spoken = [_language_and_region(locale) for locale in locales]
    if language:
        spoken.append(_language_and_region(language))
    for spoken_language, region in spoken:
        if spoken_language != want_language:
            continue
        if not want_region or region == want_region or (not region and not locales):
            return True
    return False


def _same(wanted: str | None, actual: str | None) -> bool:
    if not wanted:
        return True
    return actual is not None and actual.strip().lower() == wanted.strip().lower()


def _accent_matches(wanted: str | None, voice: Voice) -> bool:
    if not wanted:
        return True
    want = wanted.strip().lower()
    if voice.accent and want in voice.accent.lower():
        return True
    return any(want == loc.lower() or want in loc.lower().split("-")[1:] for loc in voice.locales)


def filter_voices(voices: Iterable[Voice], query: CatalogueQuery) -> list[Voice]:
    """The voices that match every filter set in ``query``, in their original order."""
    return [
        v
        for v in voices
        if (not query.language or language_matches(query.language, v.language, v.locales))
        and _same(query.gender, v.gender)
        and _same(query.age_group, v.age_group)
        and _accent_matches(query.accent, v)
    ]


def filter_avatars(avatars: Iterable[Avatar], query: CatalogueQuery) -> list[Avatar]:
    """Avatars matching gender and age group; language and accent belong to voices, not faces."""
    return [
        a for a in avatars if _same(query.gender, a.gender) and _same(query.age_group, a.age_group)
    ]
