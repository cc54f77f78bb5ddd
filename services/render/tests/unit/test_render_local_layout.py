"""Frame geometry per aspect ratio, and the BT.709 colour conversion the frames are built in."""

from __future__ import annotations

import numpy as np
import pytest

from reelforge.contracts import AspectRatio, Resolution
from reelforge.render.adapters.local_renderer.layout import FRAME_SIZES, layout_for
from reelforge.render.adapters.local_renderer.yuv import rgb_to_yuv420

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("resolution", "aspect_ratio"), list(FRAME_SIZES))
def test_every_element_sits_inside_the_frame_on_even_pixels(
    resolution: Resolution, aspect_ratio: AspectRatio
) -> None:
    layout = layout_for(aspect_ratio, resolution)
    width, height = FRAME_SIZES[(resolution, aspect_ratio)]
    portrait, band = layout.portrait, layout.caption_band

    assert (layout.width, layout.height) == (width, height)
    assert min(height, width) == (720 if resolution is Resolution.HD else 1080)
    for value in (portrait.x, portrait.y, portrait.width, band.y, band.height):
        assert value % 2 == 0
    assert portrait.x >= 0
    assert portrait.right <= width
    assert layout.title_y + layout.title_font_px * 1.6 < portrait.y
    assert portrait.bottom < layout.name_plate_y
    assert layout.name_plate_y + layout.name_font_px * 1.7 < band.y
    assert band.bottom <= height
    assert layout.caption_max_width <= 0.9 * width
    line_height = layout.caption_font_px * 1.3
    assert 2 * line_height + layout.caption_font_px < band.height


@pytest.mark.parametrize("aspect_ratio", list(AspectRatio))
def test_caption_text_is_equally_large_relative_to_the_short_side(
    aspect_ratio: AspectRatio,
) -> None:
    layout = layout_for(aspect_ratio, Resolution.HD)
    assert 36 <= layout.caption_font_px <= 44


def test_portrait_captions_sit_above_the_bottom_fifth() -> None:
    layout = layout_for(AspectRatio.PORTRAIT, Resolution.HD)
    assert layout.caption_band.bottom <= 0.8 * layout.height


@pytest.mark.parametrize(
    ("rgb", "yuv"),
    [
        ((255, 255, 255), (235, 128, 128)),
        ((0, 0, 0), (16, 128, 128)),
        ((255, 0, 0), (63, 102, 240)),
        ((0, 0, 255), (32, 240, 118)),
    ],
)
def test_rgb_converts_to_bt709_limited_range(
    rgb: tuple[int, int, int], yuv: tuple[int, int, int]
) -> None:
    image = rgb_to_yuv420(np.full((4, 6, 3), rgb, dtype=np.uint8))

    assert (image.y.shape, image.u.shape) == ((4, 6), (2, 3))
    assert (int(image.y[0, 0]), int(image.u[0, 0]), int(image.v[0, 0])) == yuv


def test_chroma_is_the_average_of_each_two_by_two_block() -> None:
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    rgb[0, 0] = (255, 0, 0)

    image = rgb_to_yuv420(rgb)

    assert image.y[0, 0] > image.y[1, 1]
    assert 128 < int(image.v[0, 0]) < 240
