"""RGB to BT.709 limited-range YUV 4:2:0, the pixel format the encoder writes.

Frames are built directly in YUV so that no per-frame colour conversion is needed: static parts are
converted once, and only small patches (mouth, eyes, captions) change from frame to frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB

Plane = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class YuvImage:
    """An image as three planes: full-size luma, half-size chroma. Width and height are even."""

    y: Plane
    u: Plane
    v: Plane

    @property
    def width(self) -> int:
        return int(self.y.shape[1])

    @property
    def height(self) -> int:
        return int(self.y.shape[0])


def rgb_to_yuv420(rgb: npt.NDArray[np.uint8]) -> YuvImage:
    """Convert an (H, W, 3) uint8 RGB array with even H and W."""
    height, width = rgb.shape[:2]
    if height % 2 or width % 2:
        raise ValueError(f"YUV 4:2:0 needs even sizes, got {width}x{height}")
    r, g, b = (rgb[..., channel].astype(np.float32) for channel in range(3))
    y = (16.0 + 0.5) + (219.0 / 255.0) * (_KR * r + _KG * g + _KB * b)
    quads = [_quad_sum(channel) for channel in (r, g, b)]
    quad_luma = _KR * quads[0] + _KG * quads[1] + _KB * quads[2]
    chroma = 224.0 / (4 * 255.0)
    u = (128.0 + 0.5) + (chroma / (2.0 * (1.0 - _KB))) * (quads[2] - quad_luma)
    v = (128.0 + 0.5) + (chroma / (2.0 * (1.0 - _KR))) * (quads[0] - quad_luma)
    return YuvImage(_to_u8(y), _to_u8(u), _to_u8(v))


def _quad_sum(channel: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Sum of each 2x2 block (the chroma sample's four pixels)."""
    top = channel[0::2, 0::2] + channel[0::2, 1::2]
    return top + channel[1::2, 0::2] + channel[1::2, 1::2]


def _to_u8(values: npt.NDArray[np.float32]) -> Plane:
    """Values already carry +0.5, so truncation rounds to nearest."""
    return np.clip(values, 0.0, 255.0).astype(np.uint8)


def paste(target: YuvImage, patch: YuvImage, x: int, y: int) -> None:
    """Copy ``patch`` into ``target`` with its top-left corner at even (x, y)."""
    h, w = patch.height, patch.width
    target.y[y : y + h, x : x + w] = patch.y
    cx, cy = x // 2, y // 2
    target.u[cy : cy + h // 2, cx : cx + w // 2] = patch.u
    target.v[cy : cy + h // 2, cx : cx + w // 2] = patch.v
