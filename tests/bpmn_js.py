"""bpmn-js, the library inside Camunda Modeler and bpmn.io, in a real headless Chromium.

BPMN we write must open in the analyst's modeler, so the tests import it with
the real bpmn-js Modeler from npm (``tests/js/node_modules``, installed by
``scripts/setup.sh --test``) and read back what it drew: import warnings, the
elements it created and the fill/stroke of every shape's visual from the DOM.

Test modules use it through a module-scoped fixture::

    @pytest.fixture(scope="module")
    def modeler(js_peers: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BpmnJs]:
        with BpmnJs.launch(js_peers, tmp_path_factory.mktemp("bpmn-js")) as opened:
            yield opened
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

_IMPORT = """async (xml) => {
  const container = document.getElementById('canvas');
  container.innerHTML = '';
  const modeler = new BpmnJS({ container });
  try {
    const result = await modeler.importXML(xml);
    const warnings = result.warnings.map(w => String(w.message));
    const registry = modeler.get('elementRegistry');
    const shapes = {};
    const types = {};
    const diagrams = modeler.getDefinitions().diagrams || [];
    for (const diagram of diagrams) {  // every BPMNDiagram, drill-down planes included
      if (diagrams.length > 1) {
        const opened = await modeler.open(diagram);
        warnings.push(...opened.warnings.map(w => String(w.message)));
      }
      for (const element of registry.getAll()) {
        if (element.type === 'label') continue;
        types[element.id] = element.type;
        if (element.waypoints) continue;
        const visual = registry.getGraphics(element).querySelector('.djs-visual > *');
        if (visual) shapes[element.id] = [visual.style.fill, visual.style.stroke];
      }
    }
    const { xml: saved } = await modeler.saveXML({ format: true });
    return { warnings: [...new Set(warnings)], error: null, shapes, types, saved };
  } catch (error) {
    return { warnings: (error.warnings || []).map(w => String(w.message)), error: String(error),
             shapes: {}, types: {}, saved: '' };
  } finally {
    modeler.destroy();
  }
}"""


@dataclass(frozen=True)
class Imported:
    """What bpmn-js made of one file."""

    warnings: list[str]
    """Import warnings (unresolved references, unknown types, …) of every diagram, each once."""
    error: str | None
    """The import error, when the file did not open at all."""
    shapes: dict[str, tuple[str, str]]
    """Element id → (fill, stroke) of its drawn visual (``rgb(…)``), over every diagram of the file."""
    types: dict[str, str]
    """Element id → bpmn-js element type (``bpmn:UserTask``, …) for everything drawn in any diagram."""
    saved: str
    """The diagram exported again by bpmn-js (``saveXML``)."""


def rgb(colour: str) -> str:
    """``#RRGGBB`` as the browser reports a style colour.

    >>> rgb("#0072B2")
    'rgb(0, 114, 178)'
    """
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


class BpmnJs:
    """One Chromium page with the bpmn-js Modeler loaded from ``node_modules``."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self.console: list[str] = []
        page.on("console", lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.console.append(str(e)))

    @classmethod
    @contextmanager
    def launch(cls, node_modules: Path, scratch: Path) -> Iterator[BpmnJs]:
        """Start Chromium on a page that loads bpmn-js; skips when Chromium or Playwright is missing."""
        if not CHROMIUM.is_file():
            pytest.skip(f"{CHROMIUM} not found: install the Debian chromium package to run bpmn-js tests")
        sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run bpmn-js tests")
        dist = node_modules.resolve() / "bpmn-js" / "dist"
        page_file = scratch / "bpmn-js.html"
        page_file.write_text(
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<link rel='stylesheet' href='{(dist / 'assets' / 'diagram-js.css').as_uri()}'>"
            f"<link rel='stylesheet' href='{(dist / 'assets' / 'bpmn-js.css').as_uri()}'>"
            f"<script src='{(dist / 'bpmn-modeler.production.min.js').as_uri()}'></script>"
            "</head><body><div id='canvas' style='width:1600px;height:1000px'></div></body></html>",
            encoding="utf-8",
        )
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
            try:
                page = browser.new_page()
                opened = cls(page)
                page.goto(page_file.as_uri())
                assert page.evaluate("typeof BpmnJS") == "function", opened.console
                yield opened
            finally:
                browser.close()

    def open(self, xml: bytes | str) -> Imported:
        """Import a BPMN document (bytes are decoded as the browser would: by their declaration)."""
        text = xml if isinstance(xml, str) else _decode(xml)
        result = self._page.evaluate(_IMPORT, text)
        return Imported(
            warnings=list(result["warnings"]),
            error=result["error"],
            shapes={k: (v[0], v[1]) for k, v in result["shapes"].items()},
            types=dict(result["types"]),
            saved=result["saved"],
        )


def _decode(data: bytes) -> str:
    """The text of an XML document in its declared encoding (bpmn-js takes a string)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    encoding = etree.fromstring(data, parser).getroottree().docinfo.encoding or "utf-8"
    text = data.decode(encoding)
    return text.lstrip("\ufeff")
