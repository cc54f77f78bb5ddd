"""Why a local render failed, as a stable machine code and a message for people."""

from __future__ import annotations

from enum import StrEnum


class LocalRenderErrorCode(StrEnum):
    """Stable codes a job failure carries (``ErrorInfo.code``); none of them is retryable."""

    EMPTY_SCRIPT = "empty_script"
    """A scene's script has no speakable words (blank, or only punctuation)."""
    UNKNOWN_VOICE = "unknown_voice"
    """A voice id in the local form (``<language>-female|male``) names no installed voice."""
    UNKNOWN_LANGUAGE = "unknown_language"
    """The request's language has no espeak-ng voice."""
    BACKGROUND_UNREADABLE = "background_unreadable"
    """A background image/video is missing, not allowed, too large, or not decodable."""
    SPEECH_FAILED = "speech_failed"
    """espeak-ng reported an error or produced no audio."""
    ENCODE_FAILED = "encode_failed"
    """Writing the MP4 failed (disk full, unwritable directory, codec error)."""


class LocalRenderError(Exception):
    """A render that cannot succeed as requested. Picklable, so it crosses a process pool."""

    def __init__(self, code: LocalRenderErrorCode | str, message: str) -> None:
        super().__init__(str(code), message)
        self.code = str(code)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
