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
    pixels = rgb.astype(np.float32) * (1.0 / 255.0)
    luma = _KR * pixels[..., 0] + _KG * pixels[..., 1] + _KB * pixels[..., 2]
    y = 16.0 + 219.0 * luma
    quads = pixels.reshape(height // 2, 2, width // 2, 2, 3).mean(axis=(1, 3))
    quad_luma = _KR * quads[..., 0] + _KG * quads[..., 1] + _KB * quads[..., 2]
    u = 128.0 + 224.0 * (quads[..., 2] - quad_luma) / (2.0 * (1.0 - _KB))
    v = 128.0 + 224.0 * (quads[..., 0] - quad_luma) / (2.0 * (1.0 - _KR))
    return YuvImage(_to_u8(y), _to_u8(u), _to_u8(v))


def _to_u8(values: npt.NDArray[np.float32]) -> Plane:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def paste(target: YuvImage, patch: YuvImage, x: int, y: int) -> None:
    """Copy ``patch`` into ``target`` with its top-left corner at even (x, y)."""
    h, w = patch.height, patch.width
    target.y[y : y + h, x : x + w] = patch.y
    cx, cy = x // 2, y // 2
    target.u[cy : cy + h // 2, cx : cx + w // 2] = patch.u
    target.v[cy : cy + h // 2, cx : cx + w // 2] = patch.v
