"""Where things go on screen, for each aspect ratio and resolution.

All sizes derive from the frame's shorter side, so text stays equally readable in 16:9, 9:16, 1:1
and 4:3. In 9:16 the captions sit above the bottom fifth, which social apps cover with their own UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from reelforge.contracts import AspectRatio, Resolution

FPS = 25

FRAME_SIZES: dict[tuple[Resolution, AspectRatio], tuple[int, int]] = {
    (Resolution.HD, AspectRatio.LANDSCAPE): (1280, 720),
    (Resolution.HD, AspectRatio.PORTRAIT): (720, 1280),
    (Resolution.HD, AspectRatio.SQUARE): (720, 720),
    (Resolution.HD, AspectRatio.CLASSIC): (960, 720),
    (Resolution.FULL_HD, AspectRatio.LANDSCAPE): (1920, 1080),
    (Resolution.FULL_HD, AspectRatio.PORTRAIT): (1080, 1920),
    (Resolution.FULL_HD, AspectRatio.SQUARE): (1080, 1080),
    (Resolution.FULL_HD, AspectRatio.CLASSIC): (1440, 1080),
}


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    portrait: Box
    name_plate_y: int
    name_font_px: int
    title_y: int
    title_font_px: int
    caption_band: Box
    caption_font_px: int
    caption_max_width: int
    caption_max_lines: int = 2


def _even(value: float) -> int:
    return round(value / 2.0) * 2


def layout_for(aspect_ratio: AspectRatio, resolution: Resolution) -> Layout:
    width, height = FRAME_SIZES[(resolution, aspect_ratio)]
    unit = min(width, height)
    if height > width:
        portrait_size = _even(0.72 * width)
        portrait_top = _even(0.13 * height)
        band_top, band_bottom = 0.62 * height, 0.80 * height
        caption_font = 0.058 * unit
    else:
        portrait_size = _even((0.46 if width == height else 0.50) * height)
        portrait_top = _even(0.125 * height)
        band_top, band_bottom = 0.76 * height, 0.965 * height
        caption_font = 0.054 * unit
    portrait = Box(_even((width - portrait_size) / 2), portrait_top, portrait_size, portrait_size)
    band = Box(0, _even(band_top), width, _even(band_bottom - band_top))
    return Layout(
        width=width,
        height=height,
        portrait=portrait,
        name_plate_y=portrait.bottom + _even(0.018 * unit),
        name_font_px=round(0.04 * unit),
        title_y=_even(0.03 * unit),
        title_font_px=round(0.045 * unit),
        caption_band=band,
        caption_font_px=round(caption_font),
        caption_max_width=round(min(0.88 * width, 1.45 * unit)),
    )
