"""Floors: the least work that gives the same kind of result, with lxml and networkx only.

A figure such as "scan takes 40 s" says little on a shared machine; "scan
takes 170× the floor measured in the same run" says how much of it is ours.

* :func:`bare_graph` — parse with lxml (the same hardened parser options) and
  build one ``networkx.DiGraph`` per process from its flow elements and
  sequence flows: the floor of *import*.
* :func:`floor_site` — for every file, the bare graph plus one HTML page with
  an SVG drawn from the file's DI (a rectangle and label per shape, a
  polyline per edge) and an index page: the floor of *scan*.
* :func:`floor_table` — the bare graph of every file and one CSV row per
  node: the floor of *score*.

Run as a script (``python bench/floors.py site IN OUT``), so the floor's time
and memory are measured as a child process like ``bpm``'s.
"""

from __future__ import annotations

import argparse
import csv
import html
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
from lxml import etree

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
_NOT_NODES = {"sequenceFlow", "laneSet", "extensionElements", "documentation", "association", "textAnnotation",
              "dataObject", "ioSpecification", "property", "dataStoreReference", "dataObjectReference", "group",
              "incoming", "outgoing"}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)


def parse(data: bytes) -> etree._Element:
    """lxml parse with entities off and no network (as our reader does)."""
    return etree.fromstring(data, PARSER)


def bare_graph(root: etree._Element) -> list[nx.DiGraph]:
    """One DiGraph per process: flow elements as nodes (with name), sequence flows as edges."""
    graphs = []
    for process in root.iter(f"{{{MODEL}}}process"):
        graph = nx.DiGraph(id=process.get("id"))
        for child in process:
            if not isinstance(child.tag, str):
                continue
            local = etree.QName(child).localname
            if local == "sequenceFlow":
                graph.add_edge(child.get("sourceRef"), child.get("targetRef"), id=child.get("id"))
            elif local not in _NOT_NODES and child.get("id"):
                graph.add_node(child.get("id"), kind=local, name=child.get("name", ""))
        graphs.append(graph)
    return graphs


def _diagram_svg(root: etree._Element, names: dict[str, str]) -> str:
    parts, right, bottom = [], 100.0, 100.0
    for shape in root.iter(f"{{{DI}}}BPMNShape"):
        bounds = shape.find(f"{{{DC}}}Bounds")
        if bounds is None:
            continue
        x, y, w, h = (float(bounds.get(k, "0")) for k in ("x", "y", "width", "height"))
        right, bottom = max(right, x + w), max(bottom, y + h)
        label = html.escape(names.get(shape.get("bpmnElement", ""), ""))
        parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="none" stroke="#333"/>'
                     f'<text x="{x + w / 2}" y="{y + h / 2}" text-anchor="middle" font-size="12">{label}</text>')
    for edge in root.iter(f"{{{DI}}}BPMNEdge"):
        points = " ".join(f'{p.get("x")},{p.get("y")}' for p in edge if etree.QName(p).localname == "waypoint")
        parts.append(f'<polyline points="{points}" fill="none" stroke="#333"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {right + 10} {bottom + 10}" role="img">'
            + "".join(parts) + "</svg>")


def floor_site(files: Iterable[Path], out: Path) -> int:
    """Pages written: one per file plus the index."""
    out.mkdir(parents=True, exist_ok=True)
    links = []
    for number, path in enumerate(files, start=1):
        root = parse(path.read_bytes())
        graphs = bare_graph(root)
        names = {n: d.get("name", "") for g in graphs for n, d in g.nodes(data=True)}
        title = html.escape(path.stem)
        rows = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(d.get('kind', ''))}</td>"
                       f"<td>{html.escape(d.get('name', ''))}</td></tr>"
                       for g in graphs for n, d in g.nodes(data=True))
        page = (f'<!doctype html><html lang="ja"><meta charset="utf-8"><title>{title}</title>'
                f"<h1>{title}</h1>{_diagram_svg(root, names)}<table>{rows}</table></html>")
        name = f"flow-{number:05d}.html"
        (out / name).write_text(page, encoding="utf-8")
        links.append(f'<li><a href="{name}">{title}</a></li>')
    (out / "index.html").write_text('<!doctype html><html lang="ja"><meta charset="utf-8"><title>index</title>'
                                    f"<ul>{''.join(links)}</ul></html>", encoding="utf-8")
    return len(links) + 1


def floor_table(files: Iterable[Path], out: Path) -> int:
    """Rows written: one per node of every process of every file."""
    count = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("file", "process", "id", "kind", "name", "out_degree"))
        for path in files:
            for graph in bare_graph(parse(path.read_bytes())):
                for node, data in graph.nodes(data=True):
                    writer.writerow((path.name, graph.graph["id"], node, data.get("kind", ""), data.get("name", ""),
                                     graph.out_degree(node)))
                    count += 1
    return count


def bpmn_files(inputs: Iterable[str]) -> Iterator[Path]:
    """BPMN files named or found (sorted) in folders, as ``bpm`` expands them."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.bpmn") if p.is_file())
        else:
            yield path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("what", choices=("site", "table", "graph"))
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    files = list(bpmn_files(args.inputs))
    if args.what == "site":
        floor_site(files, args.out)
    elif args.what == "table":
        floor_table(files, args.out)
    else:
        for path in files:
            bare_graph(parse(path.read_bytes()))


if __name__ == "__main__":
    main()
