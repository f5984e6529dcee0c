"""Share of each PNG's pixels that differ between two folders of sheets (the base's, this branch's).

    python bench/sheet_pixel_diff.py BASE_DIR NEW_DIR

For every ``*.png`` of BASE_DIR (hidden names included: a site's copies flattened as ``._diagrams_x.png``) and the
same name in NEW_DIR: the share of pixels with any channel different, and of pixels off by more than 64 levels
(a moved stroke or letter rather than an antialiased edge), then the share over all sheets.  Decoded by cairo,
so files written by different encoders compare by their pixels.  ``bench/sheet_walk_compare.py`` checks the
PDFs.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any


def _pixels(path: Path) -> Any:
    import cairocffi
    import numpy as np

    image = cairocffi.ImageSurface.create_from_png(io.BytesIO(path.read_bytes()))
    width, height, stride = image.get_width(), image.get_height(), image.get_stride()
    raw = np.frombuffer(bytes(image.get_data()), np.uint8).reshape(height, stride)[:, : width * 4]
    return raw.reshape(height, width, 4).astype(np.int16)


def main(argv: list[str]) -> int:
    base, new = Path(argv[0]), Path(argv[1])
    total = differing = 0
    for path in sorted({*base.glob("*.png"), *base.glob(".*.png")}):
        old, now = _pixels(path), _pixels(new / path.name)
        if old.shape != now.shape:
            print(f"{path.name}: size {old.shape[1]}×{old.shape[0]} → {now.shape[1]}×{now.shape[0]}")
            continue
        gap = abs(old - now).max(axis=2)
        total += gap.size
        differing += int((gap > 0).sum())
        print(f"{path.name}: {100 * (gap > 0).mean():.4f} % of pixels differ, {100 * (gap > 64).mean():.4f} % by > 64")
    print(f"all: {100 * differing / max(total, 1):.4f} % of {total:,} pixels differ")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
