"""Fonts for captions, titles and name plates.

DejaVu Sans Bold (Debian's fonts-dejavu-core, on the project's machines) covers Latin, Greek and
Cyrillic; where it is missing, Pillow's bundled font (Latin only) stands in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def bold_font(size_px: int) -> Font:
    for path in _CANDIDATES:
        if path.is_file():
            return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size=size_px)
