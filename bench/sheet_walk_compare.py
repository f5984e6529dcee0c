"""Compare two folders of sheets written by ``bench/sheet_walk_ab.py`` (the base commit's, this branch's).

    python bench/sheet_walk_compare.py BASE_DIR NEW_DIR

For each PNG: same size, and the largest difference of any channel of any pixel and how many channels differ
(decoded by cairo, so a PNG written by another encoder compares by its pixels).  For each PDF (read with
``pypdf`` in strict mode): the same page count, page sizes, and each page's extracted text holding the words of
the base page's text that the base page draws (compared as sets of lines).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path


def _pixels(data: bytes) -> tuple[int, int, bytes]:
    import cairocffi

    image = cairocffi.ImageSurface.create_from_png(io.BytesIO(data))
    return image.get_width(), image.get_height(), bytes(image.get_data())


def _png(base: bytes, new: bytes) -> dict[str, object]:
    bw, bh, bp = _pixels(base)
    nw, nh, np_ = _pixels(new)
    if (bw, bh) != (nw, nh):
        return {"same_size": False}
    differing = [abs(a - b) for a, b in zip(bp, np_, strict=True) if a != b]
    return {"same_size": True, "channels_differing": len(differing), "max_difference": max(differing, default=0)}


def _pdf(base: bytes, new: bytes) -> dict[str, object]:
    from pypdf import PdfReader

    old, now = PdfReader(io.BytesIO(base), strict=True), PdfReader(io.BytesIO(new), strict=True)
    sizes = [tuple(float(v) for v in page.mediabox) for page in old.pages]
    new_sizes = [tuple(float(v) for v in page.mediabox) for page in now.pages]
    missing = 0
    extra = 0
    for a, b in zip(old.pages, now.pages, strict=False):
        lines_a = {line.strip() for line in a.extract_text().splitlines() if line.strip()}
        text_b = b.extract_text()
        missing += sum(1 for line in lines_a if line not in text_b)
        extra += len({line.strip() for line in text_b.splitlines() if line.strip()} - lines_a)
    return {"pages": [len(old.pages), len(now.pages)], "same_sizes": sizes == new_sizes,
            "base_lines_missing": missing, "new_lines_not_in_base": extra, "bytes": [len(base), len(new)]}


def main(argv: list[str]) -> int:
    base_dir, new_dir = Path(argv[0]), Path(argv[1])
    report: dict[str, object] = {}
    for path in sorted(base_dir.iterdir()):
        if path.suffix not in (".png", ".pdf"):
            continue
        other = new_dir / path.name
        if not other.exists():
            report[path.name] = "missing"
            continue
        check = _png if path.suffix == ".png" else _pdf
        report[path.name] = check(path.read_bytes(), other.read_bytes())
    pngs = [r for n, r in report.items() if n.endswith(".png") and isinstance(r, dict)]
    pdfs = [r for n, r in report.items() if n.endswith(".pdf") and isinstance(r, dict)]
    summary = {
        "pngs": len(pngs), "pngs_same_size": sum(1 for r in pngs if r.get("same_size")),
        "pngs_identical_pixels": sum(1 for r in pngs if r.get("channels_differing") == 0),
        "png_max_difference": max((int(r.get("max_difference", 0)) for r in pngs), default=0),
        "pdfs": len(pdfs), "pdfs_same_pages_and_sizes": sum(1 for r in pdfs if r["same_sizes"]
                                                            and len(set(r["pages"])) == 1),
        "pdf_base_lines_missing": sum(int(r["base_lines_missing"]) for r in pdfs),
        "pdf_new_lines": sum(int(r["new_lines_not_in_base"]) for r in pdfs),
        "pdf_bytes": [sum(r["bytes"][0] for r in pdfs), sum(r["bytes"][1] for r in pdfs)],
        "not_written": [n for n, r in report.items() if r == "missing"],
    }
    if "--each" in sys.argv:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
