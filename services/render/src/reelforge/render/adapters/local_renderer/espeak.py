"""ctypes binding to the espeak-ng library that ships in the ``espeakng-loader`` wheel.

Only what the renderer needs: list the installed voices, and synthesise UTF-8 text synchronously
into 16-bit mono samples together with espeak-ng's word events. espeak-ng keeps global state, so one
process holds one engine and synthesis is serialised by a lock; the render service runs renders in a
process pool, which gives each worker its own engine.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import espeakng_loader
import numpy as np
import numpy.typing as npt

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_BUFFER_MS = 500
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAM_RATE = 1
_PARAM_PITCH = 3
_PARAM_RANGE = 4
_EE_OK = 0

DEFAULT_RATE_WPM = 175
"""espeak-ng's own default speaking rate (words per minute)."""


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class EspeakError(RuntimeError):
    """espeak-ng could not be loaded or refused a call."""


@dataclass(frozen=True)
class EspeakVoice:
    """One installed espeak-ng voice: display name, identifier, and language tags by priority."""

    name: str
    identifier: str
    languages: tuple[str, ...]
    priorities: tuple[int, ...]


@dataclass(frozen=True)
class WordEvent:
    """espeak-ng's word event: 0-based character offset and length of the word, first sample."""

    char_offset: int
    char_length: int
    sample: int


@dataclass(frozen=True)
class Synthesis:
    samples: npt.NDArray[np.int16]
    sample_rate: int
    words: tuple[WordEvent, ...]


class _Engine:
    def __init__(self) -> None:
        try:
            self._lib: Any = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise EspeakError(f"cannot load the espeak-ng library: {exc}") from exc
        self._lib.espeak_Initialize.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        self._lib.espeak_Initialize.restype = ctypes.c_int
        self._lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        self._lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        rate = self._lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data_path, _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise EspeakError(f"espeak-ng failed to initialise (code {rate})")
        self.sample_rate: int = rate
        self._lock = threading.Lock()
        self._chunks: list[npt.NDArray[np.int16]] = []
        self._words: list[WordEvent] = []
        self._callback = _SynthCallback(self._on_audio)
        self._lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: Any, count: int, events: Any) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                self._words.append(
                    WordEvent(max(event.text_position - 1, 0), event.length, event.sample)
                )
            index += 1
        return 0

    def voices(self) -> list[EspeakVoice]:
        with self._lock:
            listed = self._lib.espeak_ListVoices(None)
            found: list[EspeakVoice] = []
            index = 0
            while listed[index]:
                voice = listed[index].contents
                tags = list(_language_list(voice.languages))
                index += 1
                if not tags:
                    continue
                found.append(
                    EspeakVoice(
                        name=voice.name.decode().strip(),
                        identifier=voice.identifier.decode(),
                        languages=tuple(tag for tag, _ in tags),
                        priorities=tuple(priority for _, priority in tags),
                    )
                )
            return found

    def synthesize(
        self, text: str, voice_name: str, rate: int, pitch: int, pitch_range: int
    ) -> Synthesis:
        encoded = text.encode("utf-8") + b"\0"
        with self._lock:
            self._chunks, self._words = [], []
            if self._lib.espeak_SetVoiceByName(voice_name.encode()) != _EE_OK:
                raise EspeakError(f"espeak-ng has no voice named {voice_name!r}")
            self._lib.espeak_SetParameter(_PARAM_RATE, rate, 0)
            self._lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
            self._lib.espeak_SetParameter(_PARAM_RANGE, pitch_range, 0)
            status = self._lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            chunks, words = self._chunks, self._words
            self._chunks, self._words = [], []
        if status != _EE_OK:
            raise EspeakError(f"espeak-ng synthesis failed (code {status})")
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
        return Synthesis(samples, self.sample_rate, tuple(words))


def _language_list(pointer: int) -> Iterator[tuple[str, int]]:
    """espeak-ng's packed list: a priority byte, a NUL-terminated tag, ..., a zero byte."""
    while True:
        priority = ctypes.string_at(pointer, 1)[0]
        if priority == 0:
            return
        tag = ctypes.string_at(pointer + 1)
        yield tag.decode(), priority
        pointer += len(tag) + 2


@lru_cache(maxsize=1)
def engine() -> _Engine:
    """This process's espeak-ng engine, initialised on first use."""
    return _Engine()
