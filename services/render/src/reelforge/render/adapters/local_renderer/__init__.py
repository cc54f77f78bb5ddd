"""The ``local`` provider's renderer: an offline talking-avatar MP4 from a ``VideoRequested``.

espeak-ng speech with word-timed captions, a deterministic portrait per avatar_id whose mouth
follows the speech's loudness, H.264 + AAC in a faststart MP4. See :func:`render_video`.
"""

from .background import BackgroundPolicy
from .captions import CaptionCue, TimedWord
from .encoder import EncoderSettings
from .errors import LocalRenderError, LocalRenderErrorCode
from .layout import FPS, FRAME_SIZES
from .renderer import LocalRenderResult, estimate_duration_s, render_video
from .voices import AvatarInfo, Gender, VoiceInfo, list_avatars, list_voices

__all__ = [
    "FPS",
    "FRAME_SIZES",
    "AvatarInfo",
    "BackgroundPolicy",
    "CaptionCue",
    "EncoderSettings",
    "Gender",
    "LocalRenderError",
    "LocalRenderErrorCode",
    "LocalRenderResult",
    "TimedWord",
    "VoiceInfo",
    "estimate_duration_s",
    "list_avatars",
    "list_voices",
    "render_video",
]
