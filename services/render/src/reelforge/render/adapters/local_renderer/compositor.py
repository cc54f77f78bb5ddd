"""Builds each video frame of a scene directly in YUV 4:2:0.

Per scene, the static picture (background, portrait card with shadow, name plate, title) is drawn
once with Pillow and converted once. Per caption change, only the caption band is redrawn. Per
frame, the base planes are copied into the encoder's frame and two small patches (mouth opening,
eyelids) are pasted: no full-frame drawing or colour conversion happens per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import av
import numpy as np
from av.video.plane import VideoPlane
from PIL import Image, ImageDraw, ImageFilter

from .avatar import EyeState, Patch, Portrait
from .captions import wrap
from .fonts import Font, bold_font
from .layout import Layout
from .yuv import Plane, YuvImage, paste, rgb_to_yuv420

_CAPTION_BOX = (10, 12, 20, 212)
_CAPTION_TEXT = (255, 255, 255)
_CAPTION_ACTIVE = (255, 210, 63)
_TITLE_BOX = (18, 22, 32, 215)
_PLATE_BOX = (255, 255, 255, 238)
_PLATE_TEXT = (28, 30, 40)


class SceneCompositor:
    def __init__(
        self, layout: Layout, background: Image.Image, portrait: Portrait, title: str | None
    ) -> None:
        self.layout = layout
        self._portrait = portrait
        frame = background.copy()
        _draw_card(frame, layout, portrait)
        draw = ImageDraw.Draw(frame, "RGBA")
        _draw_name_plate(draw, layout, portrait)
        if title:
            _draw_title(draw, layout, title)
        band = layout.caption_band
        self._band_background = frame.crop((band.x, band.y, band.right, band.bottom))
        self._caption_font = bold_font(layout.caption_font_px)
        self._base = _writable(rgb_to_yuv420(np.asarray(frame)))
        origin = (layout.portrait.x, layout.portrait.y)
        self._mouths = [_patch_yuv(frame, p, origin) for p in portrait.mouths]
        self._eyes = [_patch_yuv(frame, p, origin) for p in portrait.eyes]
        self._cue: int | None = None
        self._active: int | None = None
        self._caption: _RenderedCaption | None = None

    def measure(self, text: str) -> float:
        return float(self._caption_font.getlength(text))

    def caption_lines(self, words: Sequence[str]) -> list[str]:
        return wrap(words, self.measure, self.layout.caption_max_width)

    def show_caption(self, cue: int | None, words: Sequence[str], active: int | None) -> None:
        """Show cue number ``cue`` (its ``words``) with word ``active`` highlighted, or clear the
        band when ``cue`` is None. A new cue is drawn once in both colours; moving the highlight
        then only swaps one word's rectangle between the two."""
        if cue != self._cue:
            self._cue, self._active = cue, None
            self._caption = None
            band = self._band_background
            if cue is not None and words:
                self._caption = _render_caption(
                    band, self.layout, self._caption_font, self.caption_lines(words)
                )
                paste(self._base, self._caption.plain, 0, self.layout.caption_band.y)
            else:
                paste(self._base, rgb_to_yuv420(np.asarray(band)), 0, self.layout.caption_band.y)
        if self._caption is None or active == self._active:
            return
        top = self.layout.caption_band.y
        if self._active is not None:
            self._copy_word(self._caption.plain, self._active, top)
        if active is not None and 0 <= active < len(self._caption.word_boxes):
            self._copy_word(self._caption.highlighted, active, top)
        self._active = active

    def _copy_word(self, source: YuvImage, word: int, top: int) -> None:
        assert self._caption is not None
        x0, y0, x1, y1 = self._caption.word_boxes[word]
        region = YuvImage(
            source.y[y0:y1, x0:x1],
            source.u[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2],
            source.v[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2],
        )
        paste(self._base, region, x0, top + y0)

    def fill(self, frame: av.VideoFrame, mouth_level: int, eyes: EyeState) -> None:
        """Write this scene's current picture, with the given mouth and eyes, into ``frame``."""
        target = YuvImage(*(_plane_view(plane) for plane in frame.planes))
        np.copyto(target.y, self._base.y)
        np.copyto(target.u, self._base.u)
        np.copyto(target.v, self._base.v)
        if mouth_level:
            x, y, patch = self._mouths[mouth_level]
            paste(target, patch, x, y)
        if eyes is not EyeState.OPEN:
            x, y, patch = self._eyes[eyes]
            paste(target, patch, x, y)


def _plane_view(plane: VideoPlane) -> Plane:
    """A writable view of the plane's pixels (rows may be padded to ``line_size``)."""
    rows: Plane = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(
        plane.height, plane.line_size
    )
    return rows[:, : plane.width]


def _writable(image: YuvImage) -> YuvImage:
    return YuvImage(image.y.copy(), image.u.copy(), image.v.copy())


def _patch_yuv(
    frame: Image.Image, patch: Patch, origin: tuple[int, int]
) -> tuple[int, int, YuvImage]:
    x, y = origin[0] + patch.x, origin[1] + patch.y
    under = frame.crop((x, y, x + patch.image.width, y + patch.image.height)).convert("RGBA")
    under.alpha_composite(patch.image)
    return x, y, rgb_to_yuv420(np.asarray(under.convert("RGB")))


def _draw_card(frame: Image.Image, layout: Layout, portrait: Portrait) -> None:
    box = layout.portrait
    blur = max(2, round(box.width * 0.03))
    margin = blur * 3
    shadow = Image.new("L", (box.width + 2 * margin, box.height + 2 * margin), 0)
    ImageDraw.Draw(shadow).ellipse(
        (margin, margin, margin + box.width, margin + box.height), fill=90
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(blur))
    offset = round(box.width * 0.02)
    frame.paste((0, 0, 0), (box.x - margin, box.y - margin + offset), shadow)
    frame.paste(portrait.image, (box.x, box.y), portrait.image)


def _draw_name_plate(draw: ImageDraw.ImageDraw, layout: Layout, portrait: Portrait) -> None:
    look = portrait.look
    font = bold_font(layout.name_font_px)
    initials_font = bold_font(round(layout.name_font_px * 0.8))
    height = round(layout.name_font_px * 1.7)
    badge = height - round(height * 0.24)
    pad = round(height * 0.12)
    text_width = font.getlength(look.name)
    width = round(pad + badge + pad * 2 + text_width + pad * 3)
    x0 = (layout.width - width) // 2
    y0 = layout.name_plate_y
    draw.rounded_rectangle((x0, y0, x0 + width, y0 + height), radius=height // 2, fill=_PLATE_BOX)
    bx, by = x0 + pad, y0 + (height - badge) // 2
    draw.ellipse((bx, by, bx + badge, by + badge), fill=look.shirt)
    draw.text(
        (bx + badge / 2, by + badge / 2),
        look.initials,
        font=initials_font,
        fill=(255, 255, 255),
        anchor="mm",
    )
    draw.text(
        (bx + badge + pad * 2, y0 + height / 2),
        look.name,
        font=font,
        fill=_PLATE_TEXT,
        anchor="lm",
    )


def _draw_title(draw: ImageDraw.ImageDraw, layout: Layout, title: str) -> None:
    font = bold_font(layout.title_font_px)
    max_width = layout.width * 0.9
    text = title
    while len(text) > 1 and font.getlength(text) > max_width:
        text = text[:-2].rstrip() + "\u2026"
    height = round(layout.title_font_px * 1.6)
    width = round(font.getlength(text) + layout.title_font_px * 1.4)
    x0 = (layout.width - width) // 2
    y0 = layout.title_y
    draw.rounded_rectangle((x0, y0, x0 + width, y0 + height), radius=height // 3, fill=_TITLE_BOX)
    draw.text(
        (layout.width / 2, y0 + height / 2), text, font=font, fill=(255, 255, 255), anchor="mm"
    )


@dataclass(frozen=True)
class _RenderedCaption:
    """A cue drawn into the caption band twice (all plain, all highlighted), with each word's
    even-aligned rectangle in band coordinates."""

    plain: YuvImage
    highlighted: YuvImage
    word_boxes: tuple[tuple[int, int, int, int], ...]


def _render_caption(
    background: Image.Image, layout: Layout, font: Font, lines: list[str]
) -> _RenderedCaption:
    size = layout.caption_font_px
    line_height = round(size * 1.3)
    pad_x, pad_y = round(size * 0.6), round(size * 0.35)
    widths = [font.getlength(line) for line in lines]
    box_w = round(max(widths) + 2 * pad_x)
    box_h = line_height * len(lines) + 2 * pad_y
    x0 = (background.width - box_w) // 2
    y0 = background.height - box_h - round(size * 0.2)
    space = font.getlength(" ")
    versions = []
    boxes: list[tuple[int, int, int, int]] = []
    for colour in (_CAPTION_TEXT, _CAPTION_ACTIVE):
        band = background.copy()
        draw = ImageDraw.Draw(band, "RGBA")
        draw.rounded_rectangle(
            (x0, y0, x0 + box_w, y0 + box_h), radius=size // 2, fill=_CAPTION_BOX
        )
        boxes = []
        for row, (line, width) in enumerate(zip(lines, widths, strict=True)):
            x = (band.width - width) / 2
            top = y0 + pad_y + row * line_height
            for word in line.split(" "):
                draw.text((x, top + line_height / 2), word, font=font, fill=colour, anchor="lm")
                word_width = font.getlength(word)
                boxes.append(
                    (
                        _even_floor(x - space / 2),
                        _even_floor(top),
                        _even_floor(x + word_width + space / 2),
                        _even_floor(top + line_height),
                    )
                )
                x += word_width + space
        versions.append(rgb_to_yuv420(np.asarray(band)))
    return _RenderedCaption(versions[0], versions[1], tuple(boxes))


def _even_floor(value: float) -> int:
    return int(value) // 2 * 2
