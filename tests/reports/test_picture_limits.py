"""Pictures stay bounded and never cost the scan: long names, far-flung shapes, wide flows, no cairo.

Each case is a small file that used to crash a scan or take gigabytes:
a 5,400-character name (Graphviz refuses quoted strings over 16 KB), one
shape at (16000, 16000) (a 32,000² PNG, 4 GB), a legitimate 150-task
left-to-right flow (beyond cairo's surface limit: the scan failed with an
"install cairo" hint), and a Graphviz without its cairo plugin.
"""

from __future__ import annotations

import io
import os
import re
import resource
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bpm.reader import read_bpmn_bytes
from reports import dot, printable
from reports.pictures import picture_bytes, pictures, shortened_names

REPO = Path(__file__).resolve().parents[2]
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = ('xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
      'xmlns:di="http://www.omg.org/spec/DD/20100524/DI"')
GRAPHVIZ_PLUGINS = Path("/usr/lib/x86_64-linux-gnu/graphviz")


def run_bpm(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=600,
        **kwargs,
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def within_caps(size: tuple[int, int]) -> bool:
    width, height = size
    return max(width, height) <= printable.MAX_PNG_SIDE and width * height <= printable.MAX_PNG_PIXELS * 1.01


def long_name_model(name: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{MODEL}" id="d" targetNamespace="x">\n'
            f'<process id="p" name="長名"><startEvent id="s"/><userTask id="t" name="{name}"/><endEvent id="e"/>\n'
            '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
            f'<sequenceFlow id="f2" name="{name}" sourceRef="t" targetRef="e"/></process></definitions>\n')


def far_model() -> str:
    """686 bytes: two shapes 16,000 units apart."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{MODEL}" {DI} id="d" targetNamespace="x">\n'
            '<process id="p"><userTask id="a" name="近い"/><userTask id="t" name="遠い"/></process>\n'
            '<bpmndi:BPMNDiagram id="dg"><bpmndi:BPMNPlane id="pl" bpmnElement="p">\n'
            '<bpmndi:BPMNShape id="a_di" bpmnElement="a"><dc:Bounds x="0" y="0" width="100" height="80"/>'
            '</bpmndi:BPMNShape>\n'
            '<bpmndi:BPMNShape id="t_di" bpmnElement="t"><dc:Bounds x="16000" y="16000" width="100" height="80"/>'
            '</bpmndi:BPMNShape>\n</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>\n')


def wide_model(tasks: int = 150) -> str:
    """A legitimate left-to-right flow of ``tasks`` user tasks, drawn by a modeler."""
    nodes = "".join(f'<userTask id="t{i}" name="手順{i}"/>' for i in range(tasks))
    flows = "".join(f'<sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>' for i in range(tasks - 1))
    shapes = "".join(f'<bpmndi:BPMNShape id="t{i}_di" bpmnElement="t{i}"><dc:Bounds x="{100 + i * 150}" y="100" '
                     'width="100" height="80"/></bpmndi:BPMNShape>' for i in range(tasks))
    edges = "".join(f'<bpmndi:BPMNEdge id="f{i}_di" bpmnElement="f{i}"><di:waypoint x="{200 + i * 150}" y="140"/>'
                    f'<di:waypoint x="{250 + i * 150}" y="140"/></bpmndi:BPMNEdge>' for i in range(tasks - 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="{MODEL}" {DI} id="d" targetNamespace="x">\n'
            f'<process id="p" name="長い業務"><startEvent id="s"/>{nodes}{flows}'
            '<sequenceFlow id="fs" sourceRef="s" targetRef="t0"/></process>\n'
            '<bpmndi:BPMNDiagram id="dg"><bpmndi:BPMNPlane id="pl" bpmnElement="p"><bpmndi:BPMNShape id="s_di" '
            f'bpmnElement="s"><dc:Bounds x="40" y="122" width="36" height="36"/></bpmndi:BPMNShape>{shapes}{edges}'
            '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>\n')


# --------------------------------------------------------------------------- long names


@pytest.mark.skipif(not dot.dot_available(), reason="needs Graphviz")
@pytest.mark.parametrize("name", ["長い名前" * 1350, "a" * 5400, "申請 " * 1080, "&amp;&lt;" * 600])
def test_a_very_long_name_is_shortened_not_a_crash(name: str) -> None:
    definitions = read_bpmn_bytes(long_name_model(name).encode(), "long.bpmn")
    failures: dict[str, object] = {}
    drawn = pictures(definitions, on_layout_error=failures.__setitem__)
    assert failures == {} and len(drawn) == 1
    picture = drawn[0]
    assert shortened_names(picture) == 2  # the task and the flow
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", picture.svg)
    assert any(label.endswith("…") for label in labels)
    assert max(len(label) for label in labels) <= dot.LABEL_CHARS
    full = " ".join(read_bpmn_bytes(long_name_model(name).encode(), "x").processes["p"].nodes["t"].name.split())
    assert full in picture.svg.replace("&amp;", "&").replace("&lt;", "<")  # whole in the tooltip (<title>)
    assert png_size(picture_bytes(picture, "png"))[0] > 0


def test_the_flow_page_says_names_were_shortened(tmp_path: Path) -> None:
    model = tmp_path / "long.bpmn"
    model.write_text(long_name_model("長い名前" * 1350), encoding="utf-8")
    result = run_bpm("-q", "scan", str(model), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    page = next((tmp_path / "site").glob("flow-*.html")).read_text(encoding="utf-8")
    assert "図では長い名前2件を「…」で省略しています" in page
    assert "長い名前" * 1350 in page  # the step table keeps the whole name


# --------------------------------------------------------------------------- PNG size caps


def test_png_scale_keeps_both_caps() -> None:
    assert printable.png_scale(800, 600) == printable.PNG_SCALE
    for width, height in ((16_160, 16_130), (22_500, 300), (300, 60_000), (1e6, 1e6), (5_000, 5_000)):
        scale = printable.png_scale(width, height)
        assert width * scale <= printable.MAX_PNG_SIDE + 1e-6 and height * scale <= printable.MAX_PNG_SIDE + 1e-6
        assert width * height * scale * scale <= printable.MAX_PNG_PIXELS * (1 + 1e-9)


def test_one_far_shape_makes_a_bounded_png() -> None:
    """A 686-byte file asked cairo for a 32,321 × 32,259 PNG (4.2 GB)."""
    picture = pictures(read_bpmn_bytes(far_model().encode(), "far.bpmn"))[0]
    size = png_size(picture_bytes(picture, "png"))
    assert within_caps(size), size
    assert min(size) > 0.99 * printable.MAX_PNG_PIXELS ** 0.5  # as large as the caps allow, not needlessly small


def _limit_memory() -> None:
    """In the child: 3 GB of address space at most (the old PNG alone needed 4 GB)."""
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.slow
def test_a_scan_of_far_and_wide_diagrams_succeeds_in_bounded_memory(tmp_path: Path) -> None:
    """The 150-task flow failed the whole scan with 'install cairo'; the far shape took 4 GB."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "far.bpmn").write_text(far_model(), encoding="utf-8")
    (tmp_path / "in" / "wide.bpmn").write_text(wide_model(), encoding="utf-8")
    out = tmp_path / "site"
    result = run_bpm("-q", "scan", str(tmp_path / "in"), "--out", str(out), preexec_fn=_limit_memory)
    assert result.returncode == 0, result.stderr
    pngs = sorted((out / "diagrams").glob("*.png"))
    assert len(pngs) == 2
    for png in pngs:  # the site's copies are A4 landscape sheets (issue 10 item 6): the diagram is fitted in
        assert png_size(png.read_bytes()) == (2245, 1587), png.name
    pages = "".join(p.read_text(encoding="utf-8") for p in out.glob("flow-*.html"))
    assert pages.count("PNG 版はA4横1枚に収めたため") == 2  # and the page says names print small on the PNG
    assert "install the cairo library" not in result.stderr


# --------------------------------------------------------------------------- a failed copy is a notice


@pytest.fixture
def graphviz_without_cairo(tmp_path: Path) -> Path:
    """A real Graphviz configured with only its core plugins (as on a machine without the cairo plugin)."""
    if not (GRAPHVIZ_PLUGINS / "libgvplugin_core.so.6").exists() or not dot.dot_available():
        pytest.skip(f"Graphviz plugins not found in {GRAPHVIZ_PLUGINS}")
    plugins = tmp_path / "graphviz-plugins"
    plugins.mkdir()
    for name in ("libgvplugin_core.so.6", "libgvplugin_dot_layout.so.6"):
        (plugins / name).symlink_to(GRAPHVIZ_PLUGINS / name)
    subprocess.run(["dot", "-c"], env={**os.environ, "GVBINDIR": str(plugins)}, check=True)
    return plugins


def test_a_graphviz_without_cairo_still_gives_the_printed_sheets(graphviz_without_cairo: Path,
                                                                  tmp_path: Path) -> None:
    """The sheets are printed from the picture's SVG by CairoSVG, so Graphviz's own cairo plugin is not needed."""
    model = tmp_path / "nodi.bpmn"
    model.write_text(long_name_model("申請書受領"), encoding="utf-8")
    out = tmp_path / "site"
    result = run_bpm("scan", str(model), "--out", str(out),
                     env={**os.environ, "GVBINDIR": str(graphviz_without_cairo), "BPM_CACHE_DIR": "off"})
    assert result.returncode == 0, result.stderr
    assert "no PNG copy" not in result.stderr and "no PDF copy" not in result.stderr
    assert sorted(p.suffix for p in (out / "diagrams").iterdir()) == [".pdf", ".png", ".svg"]


def test_a_copy_that_cannot_be_made_is_a_notice_not_a_failed_scan(tmp_path: Path) -> None:
    """On a machine where CairoSVG cannot load (no cairo library), the scan still writes the site with SVG."""
    broken = tmp_path / "no-cairo"
    broken.mkdir()
    (broken / "cairosvg.py").write_text("raise OSError('no library called \"cairo-2\" was found')\n",
                                        encoding="utf-8")
    model = tmp_path / "nodi.bpmn"
    model.write_text(long_name_model("申請書受領"), encoding="utf-8")
    out = tmp_path / "site"
    result = run_bpm("scan", str(model), "--out", str(out),
                     env={**os.environ, "PYTHONPATH": str(broken), "BPM_CACHE_DIR": "off"})
    assert result.returncode == 0, result.stderr
    assert re.search(r"bpm: note: .*: no PNG copy of the diagram: PNG/PDF output is unavailable", result.stderr)
    assert re.search(r"bpm: note: .*: no PDF copy of the diagram", result.stderr)
    page = next(out.glob("flow-*.html")).read_text(encoding="utf-8")
    assert "PNG/PDF版を作成できませんでした" in page
    assert "<svg" in page  # the diagram itself is there
    assert [p.suffix for p in (out / "diagrams").iterdir()] == [".svg"]
    assert 'download>SVG</a>' in page and 'download>PNG</a>' not in page


def test_png_of_a_normal_diagram_keeps_its_2x_scale() -> None:
    picture = pictures(read_bpmn_bytes(wide_model(3).encode(), "small.bpmn"))[0]
    width, height = printable.svg_size(picture.svg)
    from PIL import Image

    image = Image.open(io.BytesIO(picture_bytes(picture, "png")))
    assert abs(image.width - 2 * width) <= 2 and abs(image.height - 2 * height) <= 2
