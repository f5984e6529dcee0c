"""PNG rasterisers side by side on the same diagrams in the same run: CairoSVG (what ``bpm`` uses) and resvg.

Issue 13 asks to keep the faster well-kept rasteriser.  Each engine draws
the SVG of every flow's picture at the scale ``reports.printable`` chooses
(2×, lowered to the pixel caps), in this process, after one warm-up
picture; CPU seconds are summed per engine, so the ratio is the figure.
CairoSVG is also timed at the caps before issue 13 (25 megapixels) to show
what the bounded pixel size saves.  resvg comes from the ``resvg-py`` wheel
(PyPI, Rust); when it is not installed the row says so
(``.venv/bin/pip install resvg-py`` to compare).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bench.commands import portfolio
from bench.config import Config

OLD_MAX_PNG_PIXELS = 25_000_000
"""The cap before issue 13."""


def _svgs(cfg: Config, flows: int) -> list[str]:
    from bpm.reader import read_bpmn
    from reports.pictures import pictures

    folder = portfolio(cfg, flows)
    return [p.svg for path in sorted(folder.glob("*.bpmn")) for p in pictures(read_bpmn(path))]


def _timed(draw: Callable[[str], bytes], svgs: list[str]) -> tuple[float, int]:
    draw(svgs[0])  # warm-up: fonts and libraries loaded
    start = time.process_time()
    size = sum(len(draw(svg)) for svg in svgs)
    return time.process_time() - start, size


def bench_rasterisers(cfg: Config) -> dict[str, Any]:
    """PNG of the same flows' diagrams by CairoSVG (today's and the old pixel cap) and by resvg, CPU seconds."""
    from reports import printable

    flows = cfg.sizes.picture_flows[-1]
    svgs = _svgs(cfg, flows)

    def cairo(svg: str) -> bytes:
        return printable.svg_to_png(svg)

    def cairo_old_cap(svg: str) -> bytes:
        width, height = printable.svg_size(svg)
        scale = min(printable.PNG_SCALE, printable.MAX_PNG_SIDE / max(width, height),
                    (OLD_MAX_PNG_PIXELS / (width * height)) ** 0.5)
        return _cairosvg_at(svg, scale)

    rows: list[dict[str, Any]] = []
    engines: list[tuple[str, str, Callable[[str], bytes]]] = [
        ("CairoSVG", _version("cairosvg"), cairo),
        (f"CairoSVG at {OLD_MAX_PNG_PIXELS / 1e6:g} MP (before)", _version("cairosvg"), cairo_old_cap),
    ]
    try:
        import resvg_py

        def resvg(svg: str) -> bytes:
            scale = printable.png_scale(*printable.svg_size(svg))
            return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=scale, background="white"))

        engines.append(("resvg (resvg-py)", _version("resvg-py"), resvg))
    except ImportError:
        rows.append({"engine": "resvg (resvg-py)", "note": "not installed (pip install resvg-py)"})
    for name, version, draw in engines:
        seconds, size = _timed(draw, svgs)
        rows.append({"engine": name, "version": version, "pictures": len(svgs), "cpu_s": round(seconds, 3),
                     "bytes": size})
    base = next(r["cpu_s"] for r in rows if r["engine"] == "CairoSVG")
    for row in rows:
        if "cpu_s" in row:
            row["ratio_to_cairosvg"] = round(row["cpu_s"] / base, 2) if base else None
    return {"flows": flows, "max_png_pixels": printable.MAX_PNG_PIXELS, "rows": rows}


def _cairosvg_at(svg: str, scale: float) -> bytes:
    import cairosvg

    data: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, background_color="white",
                                   unsafe=False)
    return data


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "-"
