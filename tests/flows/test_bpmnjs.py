"""Every generated flow opens in bpmn-js (the library behind bpmn.io and Camunda Modeler) without a warning,
with every element drawn and no two shapes overlapping — checked in the modeler's own element registry.

Needs ``/usr/bin/chromium``, the ``playwright`` package and the npm test peers (``js_peers``); skipped with the
reason when one is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from flowsupport import ALL_DRAWN

from bpm.reader import read_bpmn

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

IMPORT = """
async (xml) => {
  const viewer = new BpmnJS({ container: '#canvas' });
  const { warnings } = await viewer.importXML(xml);
  const plain = (e) => ({ id: e.id, type: e.type, x: e.x, y: e.y, width: e.width, height: e.height,
                          host: e.host ? e.host.id : null, parent: e.parent ? e.parent.id : null });
  const seen = warnings.map((w) => String(w.message || w));
  const views = [];
  const diagrams = viewer.getDefinitions().diagrams || [];
  for (const [index, diagram] of diagrams.entries()) {  // a file may draw its pools in several BPMNDiagrams
    if (index > 0) {
      const opened = await viewer.open(diagram);
      seen.push(...opened.warnings.map((w) => String(w.message || w)));
    }
    const all = viewer.get('elementRegistry').getAll();
    views.push({
      shapes: all.filter((e) => !e.waypoints && e.type !== 'label' && e.parent).map(plain),
      connections: all.filter((e) => e.waypoints).map((e) => e.id),
      labels: all.filter((e) => e.type === 'label').map(plain),
    });
  }
  return { warnings: seen, views };
}
"""


@pytest.fixture(scope="module")
def modeler(js_peers: Path) -> Iterator[Any]:
    """A Chromium page with the bpmn-js viewer loaded from the npm package (no network)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} not found: install the Debian chromium package to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run browser tests")
    script = js_peers / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.set_content('<!doctype html><meta charset="utf-8"><div id="canvas" style="width:1600px;height:1000px">'
                         "</div>")
        page.add_script_tag(path=str(script))
        yield page, problems
        browser.close()


@pytest.mark.parametrize("path", ALL_DRAWN, ids=[f"{p.parent.name}/{p.name}" for p in ALL_DRAWN])
def test_opens_in_bpmn_js_cleanly(modeler: tuple[Any, list[str]], path: Path) -> None:
    page, problems = modeler
    problems.clear()
    result = page.evaluate(IMPORT, path.read_text(encoding="utf-8"))
    assert result["warnings"] == [] and problems == []
    views = result["views"]
    definitions = read_bpmn(path)
    assert len(views) == len(definitions.diagrams)
    expected_shapes = {n for p in definitions.processes.values() for n in p.nodes}
    expected_shapes |= {lane.id for p in definitions.processes.values() for lane in p.lanes}
    expected_shapes |= {p.id for p in definitions.participants()}
    assert expected_shapes <= {s["id"] for view in views for s in view["shapes"]}
    expected_connections = {f for p in definitions.processes.values() for f in p.flows}
    expected_connections |= {m.id for m in definitions.message_flows()}
    drawn = [c for view in views for c in view["connections"]]
    assert expected_connections == set(drawn) and len(drawn) == len(set(drawn))  # each connector drawn once
    for view in views:
        nodes = [s for s in view["shapes"] if s["type"] not in ("bpmn:Participant", "bpmn:Lane")]
        for a, b in combinations(nodes, 2):
            if a["host"] == b["id"] or b["host"] == a["id"]:
                continue
            assert not _overlap(a, b), f"bpmn-js draws {a['id']} over {b['id']}"
        for label in view["labels"]:
            for node in nodes:
                assert not _overlap(label, node), f"label {label['id']} covers {node['id']}"

def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])
