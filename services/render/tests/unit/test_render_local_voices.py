"""The local voice catalogue (from the installed espeak-ng) and how voice ids resolve."""

from __future__ import annotations

import pickle

import pytest

from reelforge.render.adapters.local_renderer import (
    Gender,
    LocalRenderError,
    list_avatars,
    list_voices,
)
from reelforge.render.adapters.local_renderer.voices import resolve_scene_voices

pytestmark = pytest.mark.unit


def test_catalogue_has_a_female_and_a_male_voice_per_language() -> None:
    voices = list_voices()
    ids = [v.id for v in voices]

    assert len(ids) == len(set(ids))
    assert {"en-us-female", "en-us-male", "en-gb-female", "de-male", "fr-fr-female"} <= set(ids)
    for voice in voices:
        assert voice.id == f"{voice.language}-{voice.gender.value}"
        assert voice.name
    languages = {v.language for v in voices}
    for language in languages:
        genders = {v.gender for v in voices if v.language == language}
        assert genders == {Gender.FEMALE, Gender.MALE}


def test_avatar_catalogue_names_and_genders() -> None:
    avatars = list_avatars()

    assert len({a.id for a in avatars}) == len(avatars) >= 4
    assert {a.gender for a in avatars} == {Gender.FEMALE, Gender.MALE}


def test_catalogue_ids_resolve_to_themselves_in_scene_order() -> None:
    voices = resolve_scene_voices("en", ["en-gb-male", "de-female", "en-us-female"])

    assert [v.id for v in voices] == ["en-gb-male", "de-female", "en-us-female"]


def test_a_local_form_id_that_is_not_installed_fails_with_unknown_voice() -> None:
    with pytest.raises(LocalRenderError) as caught:
        resolve_scene_voices("en", ["en-us-female", "xx-female"])

    assert caught.value.code == "unknown_voice"
    assert "xx-female" in caught.value.message


def test_other_providers_ids_map_to_distinct_voices_of_the_request_language() -> None:
    voices = resolve_scene_voices("en", ["voice_1", "voice_2", "voice_3", "voice_1"])

    ids = [v.id for v in voices]
    assert ids[0] == "en-us-female"
    assert ids[1] == "en-us-male"
    assert len({ids[0], ids[1], ids[2]}) == 3
    assert all(i.startswith("en-") for i in ids)
    assert ids[3] == ids[0]


def test_a_gender_word_in_a_foreign_id_picks_that_gender() -> None:
    voices = resolve_scene_voices("de", ["narrator_male_1", "host-female"])

    assert [(v.language, v.gender) for v in voices] == [
        ("de", Gender.MALE),
        ("de", Gender.FEMALE),
    ]


def test_a_regional_language_prefers_that_region() -> None:
    (voice,) = resolve_scene_voices("en-GB", ["1bd001e7e50f421d891986aad5158bc8"])

    assert voice.id == "en-gb-female"


def test_an_unknown_language_fails_with_unknown_language() -> None:
    with pytest.raises(LocalRenderError) as caught:
        resolve_scene_voices("xx", ["voice_1"])

    assert caught.value.code == "unknown_language"


def test_render_errors_survive_pickling_as_across_a_process_pool() -> None:
    error = LocalRenderError("unknown_voice", "voice 'xx-female' is not installed")

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

    assert (copy.code, copy.message) == (error.code, error.message)
    assert str(copy) == "unknown_voice: voice 'xx-female' is not installed"
