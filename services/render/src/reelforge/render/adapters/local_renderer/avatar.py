"""A deterministic cartoon portrait for any avatar_id, with mouth and eye variants for animation.

The id's SHA-256 picks every trait (skin, hair colour and style, shirt, card colour, eye colour,
face width, glasses, beard), so the same id always gives the same face. The portrait is drawn
once at twice the output size and box-filtered down; the variants are small crops (mouth region at
six openings, eye region half-closed and closed) that the compositor pastes frame by frame.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache, partial

from PIL import Image, ImageDraw

from reelforge.contracts import Emotion

from .voices import Gender, avatar_gender

RGB = tuple[int, int, int]

MOUTH_LEVELS = 6
_SUPERSAMPLE = 2

_SKIN: tuple[RGB, ...] = (
    (255, 224, 196),
    (241, 194, 158),
    (224, 172, 125),
    (198, 134, 92),
    (161, 102, 66),
    (120, 76, 50),
    (245, 208, 180),
    (210, 155, 110),
)
_HAIR: tuple[RGB, ...] = (
    (35, 28, 26),
    (74, 48, 34),
    (120, 80, 50),
    (165, 110, 60),
    (222, 185, 120),
    (150, 150, 155),
    (176, 80, 40),
    (58, 40, 32),
)
_SHIRT: tuple[RGB, ...] = (
    (45, 85, 160),
    (200, 60, 70),
    (40, 140, 110),
    (232, 172, 52),
    (110, 70, 160),
    (60, 64, 76),
    (30, 120, 180),
    (220, 110, 50),
    (90, 110, 60),
    (150, 40, 90),
)
_CARD: tuple[RGB, ...] = (
    (255, 210, 170),
    (190, 220, 255),
    (200, 240, 210),
    (250, 200, 220),
    (225, 210, 250),
    (255, 235, 170),
    (200, 235, 240),
    (236, 228, 218),
)
_IRIS: tuple[RGB, ...] = ((70, 45, 30), (60, 100, 160), (70, 120, 80), (110, 80, 40), (40, 40, 40))
_FEMININE_STYLES = ("long", "bob", "bun", "curly", "long")
_MASCULINE_STYLES = ("short", "buzz", "bald", "curly", "short")
_ALL_STYLES = ("long", "bob", "bun", "curly", "short", "buzz", "bald", "short")
_GENERIC_WORDS = frozenset(
    (
        *("avatar", "avatars", "costume", "camera", "public", "default", "front", "side"),
        *("talking", "photo", "studio", "look", "style", "outfit", "casual", "business"),
        *("professional", "sitting", "standing", "full", "body", "closeup", "upper", "lower"),
        *("hd", "new", "test", "lite", "expressive"),
    )
)


class EyeState(IntEnum):
    OPEN = 0
    HALF = 1
    CLOSED = 2


@dataclass(frozen=True)
class Look:
    """Every trait of a portrait, derived from the avatar id."""

    name: str
    initials: str
    skin: RGB
    hair: RGB
    hair_style: str
    shirt: RGB
    card: RGB
    iris: RGB
    face_width: float
    glasses: bool
    beard: bool
    part_left: bool


@dataclass(frozen=True)
class Patch:
    """An RGBA image to paste at (x, y) of the portrait."""

    x: int
    y: int
    image: Image.Image


@dataclass(frozen=True)
class Portrait:
    look: Look
    size: int
    image: Image.Image
    """RGBA, eyes open, mouth closed."""
    mouths: tuple[Patch, ...]
    """Index = mouth opening, 0 (closed) to MOUTH_LEVELS - 1 (wide)."""
    eyes: tuple[Patch, ...]
    """Index = EyeState."""


def display_name(avatar_id: str) -> tuple[str, str]:
    """A readable name and initials from the id: ``anna_costume1_cameraA`` -> Anna, A."""
    if re.fullmatch(r"[0-9a-fA-F-]{8,}", avatar_id):
        words: list[str] = []
    else:
        words = [
            w
            for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", avatar_id)
            if len(w) >= 2 and w.lower() not in _GENERIC_WORDS and re.search(r"[aeiouyAEIOUY]", w)
        ]
    if not words:
        tag = hashlib.sha256(avatar_id.encode()).hexdigest()[:4].upper()
        return f"Presenter {tag}", tag[:2]
    name = words[0][:1].upper() + words[0][1:].lower()
    if len(words) > 1 and words[1][:2].lower() != "in":
        surname = words[1][:1].upper() + words[1][1:].lower()
        return f"{name} {surname}", name[0] + surname[0]
    return name, name[0]


def look_for(avatar_id: str) -> Look:
    digest = hashlib.sha256(avatar_id.encode()).digest()
    gender = avatar_gender(avatar_id)
    styles = {
        Gender.FEMALE: _FEMININE_STYLES,
        Gender.MALE: _MASCULINE_STYLES,
        None: _ALL_STYLES,
    }[gender]
    style = styles[digest[2] % len(styles)]
    name, initials = display_name(avatar_id)
    return Look(
        name=name,
        initials=initials,
        skin=_SKIN[digest[0] % len(_SKIN)],
        hair=_HAIR[digest[1] % len(_HAIR)],
        hair_style=style,
        shirt=_SHIRT[digest[3] % len(_SHIRT)],
        card=_CARD[digest[4] % len(_CARD)],
        iris=_IRIS[digest[5] % len(_IRIS)],
        face_width=0.185 + (digest[6] % 5) * 0.006,
        glasses=digest[7] % 4 == 0,
        beard=style in ("short", "buzz", "bald")
        and gender is not Gender.FEMALE
        and digest[8] % 3 == 0,
        part_left=digest[9] % 2 == 0,
    )


def _shade(colour: RGB, factor: float) -> RGB:
    return (
        min(255, round(colour[0] * factor)),
        min(255, round(colour[1] * factor)),
        min(255, round(colour[2] * factor)),
    )


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] * (1 - t) + b[0] * t),
        round(a[1] * (1 - t) + b[1] * t),
        round(a[2] * (1 - t) + b[2] * t),
    )


class _Pen:
    """Draws in portrait fractions (0..1) onto a supersampled canvas or a crop of it."""

    def __init__(self, image: Image.Image, scale: float, origin: tuple[int, int] = (0, 0)) -> None:
        self.draw = ImageDraw.Draw(image, "RGBA")
        self.scale = scale
        self.ox, self.oy = origin

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        s = self.scale
        return (x0 * s - self.ox, y0 * s - self.oy, x1 * s - self.ox, y1 * s - self.oy)

    def px(self, fraction: float) -> int:
        return max(1, round(fraction * self.scale))

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        fill: RGB | tuple[int, int, int, int] | None = None,
        outline: RGB | None = None,
        width: float = 0.0,
    ) -> None:
        self.draw.ellipse(
            self.box(cx - rx, cy - ry, cx + rx, cy + ry),
            fill=fill,
            outline=outline,
            width=self.px(width) if outline else 0,
        )

    def arc(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        start: float,
        end: float,
        colour: RGB,
        width: float,
    ) -> None:
        self.draw.arc(
            self.box(cx - rx, cy - ry, cx + rx, cy + ry),
            start,
            end,
            fill=colour,
            width=self.px(width),
        )

    def chord(
        self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill: RGB
    ) -> None:
        self.draw.chord(self.box(cx - rx, cy - ry, cx + rx, cy + ry), start, end, fill=fill)

    def rect(
        self, x0: float, y0: float, x1: float, y1: float, fill: RGB, radius: float = 0.0
    ) -> None:
        self.draw.rounded_rectangle(self.box(x0, y0, x1, y1), radius=radius * self.scale, fill=fill)

    def polygon(self, points: list[tuple[float, float]], fill: RGB) -> None:
        s = self.scale
        self.draw.polygon([(x * s - self.ox, y * s - self.oy) for x, y in points], fill=fill)

    def line(self, points: list[tuple[float, float]], colour: RGB, width: float) -> None:
        s = self.scale
        self.draw.line(
            [(x * s - self.ox, y * s - self.oy) for x, y in points],
            fill=colour,
            width=self.px(width),
            joint="curve",
        )


_EYE_Y = 0.445
_EYE_DX = 0.085
_MOUTH_Y = 0.592
_EYE_BOX = (0.345, 0.400, 0.655, 0.492)
_MOUTH_BOX = (0.400, 0.548, 0.600, 0.660)


def _draw_card(pen: _Pen, look: Look) -> None:
    top, bottom = _shade(look.card, 1.06), _shade(look.card, 0.86)
    steps = 96
    for i in range(steps):
        y0 = i / steps
        pen.rect(0.0, y0, 1.0, y0 + 1.0 / steps + 0.002, _mix(top, bottom, i / (steps - 1)))


def _draw_back_hair(pen: _Pen, look: Look) -> None:
    hw = look.face_width
    if look.hair_style == "long":
        pen.rect(0.5 - hw - 0.05, 0.16, 0.5 + hw + 0.05, 0.80, look.hair, radius=0.19)
    elif look.hair_style == "bob":
        pen.rect(0.5 - hw - 0.045, 0.15, 0.5 + hw + 0.045, 0.62, look.hair, radius=0.17)
    elif look.hair_style == "bun":
        pen.ellipse(0.5, 0.135, 0.085, 0.075, fill=look.hair)
    elif look.hair_style == "curly":
        for i in range(9):
            angle_x = -1.0 + i * 0.25
            pen.ellipse(
                0.5 + angle_x * (hw + 0.02),
                0.30 - 0.1 * (1 - angle_x**2),
                0.06,
                0.06,
                fill=look.hair,
            )


def _draw_body(pen: _Pen, look: Look) -> None:
    skin_shadow = _shade(look.skin, 0.86)
    pen.ellipse(0.5, 1.08, 0.43, 0.34, fill=look.shirt)
    pen.rect(0.43, 0.58, 0.57, 0.80, skin_shadow, radius=0.03)
    pen.polygon([(0.415, 0.755), (0.585, 0.755), (0.5, 0.87)], skin_shadow)
    collar = _shade(look.shirt, 1.25)
    pen.polygon([(0.40, 0.75), (0.46, 0.755), (0.5, 0.87), (0.44, 0.84)], collar)
    pen.polygon([(0.60, 0.75), (0.54, 0.755), (0.5, 0.87), (0.56, 0.84)], collar)


def _draw_head(pen: _Pen, look: Look, emotion: Emotion) -> None:
    hw = look.face_width
    skin_shadow = _shade(look.skin, 0.9)
    pen.ellipse(0.5 - hw + 0.005, 0.455, 0.028, 0.05, fill=skin_shadow)
    pen.ellipse(0.5 + hw - 0.005, 0.455, 0.028, 0.05, fill=skin_shadow)
    pen.ellipse(0.5, 0.43, hw, 0.255, fill=look.skin)
    if look.beard:
        beard = (*look.hair, 235)
        pen.draw.chord(pen.box(0.5 - hw, 0.175, 0.5 + hw, 0.685), 12, 168, fill=beard)
        pen.arc(0.5, _MOUTH_Y - 0.012, 0.06, 0.02, 200, 340, look.hair, 0.016)
    blush = (235, 120, 120, 48 if emotion in (Emotion.HAPPY, Emotion.ENTHUSIASTIC) else 26)
    pen.ellipse(0.5 - 0.115, 0.535, 0.032, 0.02, fill=blush)
    pen.ellipse(0.5 + 0.115, 0.535, 0.032, 0.02, fill=blush)
    pen.arc(0.5, 0.505, 0.022, 0.016, 20, 160, _shade(look.skin, 0.72), 0.006)
    _draw_front_hair(pen, look)
    _draw_brows(pen, look, emotion)


def _draw_front_hair(pen: _Pen, look: Look) -> None:
    hw = look.face_width
    if look.hair_style == "bald":
        pen.ellipse(0.5 - hw + 0.01, 0.40, 0.02, 0.06, fill=look.hair)
        pen.ellipse(0.5 + hw - 0.01, 0.40, 0.02, 0.06, fill=look.hair)
        return
    top = 0.155 if look.hair_style != "buzz" else 0.17
    pen.chord(0.5, 0.37, hw + 0.018, 0.37 - top, 180, 360, look.hair)
    hairline = 0.275 if look.hair_style != "buzz" else 0.255
    pen.chord(0.5, 0.46, hw * 0.82, 0.46 - hairline, 180, 360, look.skin)
    if look.hair_style in ("short", "long", "bob"):
        side = -1.0 if look.part_left else 1.0
        pen.draw.chord(
            pen.box(
                0.5 - hw * 0.95 if side < 0 else 0.5 - 0.03,
                0.17,
                0.5 + 0.03 if side < 0 else 0.5 + hw * 0.95,
                0.36,
            ),
            180,
            360,
            fill=look.hair,
        )
    if look.hair_style == "curly":
        for i in range(5):
            pen.ellipse(0.5 + (i - 2) * 0.07, 0.215, 0.045, 0.04, fill=look.hair)


def _draw_brows(pen: _Pen, look: Look, emotion: Emotion) -> None:
    colour = _shade(look.hair, 0.8) if look.hair_style != "bald" else _shade(look.skin, 0.55)
    raised = {Emotion.HAPPY: -0.008, Emotion.ENTHUSIASTIC: -0.014, Emotion.SERIOUS: 0.004}
    y = 0.392 + raised.get(emotion, 0.0)
    for side in (-1.0, 1.0):
        cx = 0.5 + side * _EYE_DX
        if emotion is Emotion.SERIOUS:
            inner, outer = cx - side * 0.035, cx + side * 0.04
            pen.line([(inner, y + 0.003), (outer, y - 0.002)], colour, 0.011)
        else:
            pen.arc(cx, y + 0.012, 0.042, 0.022, 205, 335, colour, 0.011)


def _draw_eyes(pen: _Pen, look: Look, state: EyeState) -> None:
    lash = (40, 30, 30)
    for side in (-1.0, 1.0):
        cx = 0.5 + side * _EYE_DX
        if state is EyeState.CLOSED:
            pen.arc(cx, _EYE_Y - 0.006, 0.036, 0.018, 20, 160, lash, 0.007)
            continue
        pen.ellipse(cx, _EYE_Y, 0.037, 0.022, fill=(250, 250, 248))
        pen.ellipse(cx, _EYE_Y + 0.002, 0.018, 0.018, fill=look.iris)
        pen.ellipse(cx, _EYE_Y + 0.002, 0.0085, 0.0085, fill=(20, 16, 16))
        pen.ellipse(cx - 0.006, _EYE_Y - 0.005, 0.0045, 0.0045, fill=(255, 255, 255))
        if state is EyeState.HALF:
            pen.rect(cx - 0.042, _EYE_Y - 0.028, cx + 0.042, _EYE_Y, look.skin)
            pen.line([(cx - 0.038, _EYE_Y), (cx + 0.038, _EYE_Y)], lash, 0.007)
        else:
            pen.arc(cx, _EYE_Y + 0.002, 0.039, 0.025, 195, 345, lash, 0.007)
    if look.glasses:
        frame = (35, 35, 45)
        for side in (-1.0, 1.0):
            cx = 0.5 + side * _EYE_DX
            pen.draw.rounded_rectangle(
                pen.box(cx - 0.058, _EYE_Y - 0.038, cx + 0.058, _EYE_Y + 0.038),
                radius=0.02 * pen.scale,
                outline=frame,
                width=pen.px(0.008),
            )
        pen.line([(0.5 - 0.027, _EYE_Y - 0.01), (0.5 + 0.027, _EYE_Y - 0.01)], frame, 0.008)


def _draw_mouth(pen: _Pen, look: Look, emotion: Emotion, level: int) -> None:
    lips = _mix(_shade(look.skin, 0.78), (170, 60, 70), 0.35)
    smile = emotion in (Emotion.HAPPY, Emotion.ENTHUSIASTIC)
    width = 0.062 if smile else 0.054
    if level == 0:
        if emotion is Emotion.SERIOUS:
            pen.line([(0.5 - width * 0.8, _MOUTH_Y), (0.5 + width * 0.8, _MOUTH_Y)], lips, 0.009)
        else:
            depth = 0.022 if smile else 0.012
            pen.arc(0.5, _MOUTH_Y - depth, width, depth + 0.004, 25, 155, lips, 0.009)
        return
    opening = 0.011 * level
    half_width = width * (0.78 + 0.04 * level)
    top = _MOUTH_Y - opening * 0.35
    bottom = _MOUTH_Y + opening * 0.75
    box = pen.box(0.5 - half_width, top, 0.5 + half_width, bottom)
    pen.draw.ellipse(box, fill=(92, 28, 36))
    if level >= 2:
        teeth_bottom = top + (bottom - top) * 0.3
        pen.draw.chord(
            pen.box(
                0.5 - half_width * 0.92,
                top + 0.001,
                0.5 + half_width * 0.92,
                top + 2 * (teeth_bottom - top),
            ),
            180,
            360,
            fill=(248, 246, 240),
        )
    if level >= 3:
        pen.draw.chord(
            pen.box(
                0.5 - half_width * 0.6,
                bottom - (bottom - top) * 0.45,
                0.5 + half_width * 0.6,
                bottom + (bottom - top) * 0.2,
            ),
            190,
            350,
            fill=(205, 95, 105),
        )
    pen.draw.ellipse(box, outline=lips, width=pen.px(0.008))


def _box_px(fractions: tuple[float, float, float, float], size: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (round(f * size / 2.0) * 2 for f in fractions)
    return x0, y0, x1, y1


@lru_cache(maxsize=16)
def portrait_for(avatar_id: str, emotion: Emotion, size: int) -> Portrait:
    """The portrait of ``avatar_id`` at ``size`` x ``size`` pixels (size even), and its variants."""
    look = look_for(avatar_id)
    scale = size * _SUPERSAMPLE
    card = Image.new("RGBA", (scale, scale), (0, 0, 0, 255))
    pen = _Pen(card, scale)
    _draw_card(pen, look)
    _draw_back_hair(pen, look)
    _draw_body(pen, look)
    _draw_head(pen, look, emotion)
    mask = Image.new("L", (scale, scale), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, scale - 1, scale - 1), fill=255)
    card.putalpha(mask)
    ring = ImageDraw.Draw(card, "RGBA")
    ring_width = max(2, round(0.012 * scale))
    ring.ellipse((0, 0, scale - 1, scale - 1), outline=(255, 255, 255, 235), width=ring_width)

    def variant(box: tuple[int, int, int, int], paint: Callable[[_Pen], None]) -> Patch:
        x0, y0, x1, y1 = box
        s = _SUPERSAMPLE
        crop = card.crop((x0 * s, y0 * s, x1 * s, y1 * s))
        paint(_Pen(crop, scale, (x0 * s, y0 * s)))
        return Patch(x0, y0, crop.reduce(s))

    eye_box, mouth_box = _box_px(_EYE_BOX, size), _box_px(_MOUTH_BOX, size)
    eyes = tuple(
        variant(eye_box, partial(_draw_eyes, look=look, state=state)) for state in EyeState
    )
    mouths = tuple(
        variant(mouth_box, partial(_draw_mouth, look=look, emotion=emotion, level=level))
        for level in range(MOUTH_LEVELS)
    )
    full = card.reduce(_SUPERSAMPLE)
    full.paste(eyes[EyeState.OPEN].image, (eyes[0].x, eyes[0].y))
    full.paste(mouths[0].image, (mouths[0].x, mouths[0].y))
    return Portrait(look=look, size=size, image=full, mouths=mouths, eyes=eyes)
