"""The PNG file of an opaque cairo image, written faster than cairo's ``write_to_png`` with the same pixels.

A sheet's PNG is 2,245 × 1,587 pixels, every one opaque (CairoSVG paints the
white background first).  cairo hands libpng its premultiplied ARGB rows
through a per-pixel un-premultiply callback and lets libpng try every row
filter, ≈ 0.15 CPU-s a sheet.  Here the rows are taken as RGB by numpy (an
opaque pixel's premultiplied colour is its colour: one strided copy per
channel), left unfiltered (filter type None) and deflated by zlib: ≈ 0.05
CPU-s and a smaller file than cairo's.  On a sheet, filtering each row by
"Up" (the row above subtracted), as ``sheets5`` did, costs a pass of numpy
and comes out *larger* (96 vs 84 KB at level 6): a sheet is mostly white
runs and repeated strokes, which deflate's own matching finds in the raw
rows (``bench/README.md``, ``paper6``).  The pixels read back are the same
(tested against cairo's own file); an image with any pixel not opaque is
written by cairo as before.
"""

from __future__ import annotations

import struct
import sys
import zlib
from typing import Any

import numpy as np

__all__ = ["ZLIB_LEVEL", "png_bytes"]

ZLIB_LEVEL = 6
"""zlib's default: the file comes out smaller than cairo's for about a third of its CPU (levels 1–3 deflate a
sheet in half the time but write ≈ 50 % more bytes)."""
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_bytes(image: Any) -> bytes:
    """The PNG of a cairocffi ``ImageSurface`` in ``FORMAT_ARGB32``: our writer when every pixel is opaque,
    else cairo's."""
    pixels = _argb_pixels(image)
    if pixels is None or not bool((pixels[:, :, _ALPHA] == 255).all()):
        return _cairo_png(image)
    height, width = pixels.shape[0], pixels.shape[1]
    rows = np.empty((height, width * 3 + 1), np.uint8)
    rows[:, 0] = 0  # filter type None on every row: deflate finds a drawing's repeats itself (see the module's doc)
    rgb = rows[:, 1:].reshape(height, width, 3)
    for channel, source in enumerate(_RGB):  # one strided copy per channel: 5× faster than a fancy-index gather
        rgb[:, :, channel] = pixels[:, :, source]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, deflate, no interlace
    return (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.data, ZLIB_LEVEL))
            + _chunk(b"IEND", b""))


# cairo's ARGB32 is a native-endian 32-bit word: in memory B, G, R, A on a little-endian machine
_ALPHA = 3 if sys.byteorder == "little" else 0
_RGB = [2, 1, 0] if sys.byteorder == "little" else [1, 2, 3]


def _argb_pixels(image: Any) -> Any:
    """The image's pixels as a (height, width, 4) array, or None for another format or an empty image."""
    import cairocffi

    if image.get_format() != cairocffi.FORMAT_ARGB32:
        return None
    width, height, stride = image.get_width(), image.get_height(), image.get_stride()
    if width <= 0 or height <= 0:
        return None
    image.flush()
    raw = np.frombuffer(image.get_data(), np.uint8)
    return raw.reshape(height, stride)[:, : width * 4].reshape(height, width, 4)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _cairo_png(image: Any) -> bytes:
    import io

    output = io.BytesIO()
    image.write_to_png(output)
    return output.getvalue()
