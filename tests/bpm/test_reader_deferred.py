"""Diagrams on demand (``bpm.model.DeferredDiagrams``): the model a file gives is the one the eager reader gave.

The reader keeps a file's diagram interchange as bytes and builds it when it
(or the file's notes) is first read.  These tests read every file both ways —
deferred, and with :func:`bpm.reader.deferred_diagrams` switched off, which is
the reader as it was — and compare the models field by field, notes (and
their order and lines) included; then hostile diagrams, files the reader must
not defer, line numbers past libxml2's 65,534, the read cache's pickling and
the anonymised copy ``bpm compare`` publishes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

import bpm.reader as reader
from bpm.cache_store import dumps, loads
from bpm.errors import BpmnParseError
from bpm.model import DeferredDiagrams, DeferredNotes, Definitions
from bpm.reader import read_bpmn, read_bpmn_bytes
from reports.compare_anon import Scrubber

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"

HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d">\n'
)
PROCESS = (
    '<process id="p"><startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/>'
    '<task id="t" name="受付"/></process>\n'
)


@pytest.fixture(autouse=True)
def _deferring() -> Iterator[None]:
    reader.defer_diagrams(True)
    yield
    reader.defer_diagrams(True)


def test_the_switch_reads_the_same_model_built_at_once(flows_dir: Path) -> None:
    path = next(_files(flows_dir))
    reader.defer_diagrams(False)
    eager = read_bpmn(path)
    reader.defer_diagrams(True)
    lazy = read_bpmn(path)
    assert isinstance(eager.diagrams, tuple) and isinstance(lazy.diagrams, DeferredDiagrams)
    _assert_same(lazy, eager)


def _eager(data: bytes, name: str) -> Definitions | str:
    saved = reader.deferred_diagrams
    reader.deferred_diagrams = lambda *_: None
    try:
        return _read(data, name)
    finally:
        reader.deferred_diagrams = saved


def _read(data: bytes, name: str) -> Definitions | str:
    try:
        return read_bpmn_bytes(data, name)
    except BpmnParseError as error:
        return f"error: {error}"


def _assert_same(lazy: Definitions | str, eager: Definitions | str) -> None:
    if isinstance(lazy, str) or isinstance(eager, str):
        assert lazy == eager
        return
    for spec in fields(Definitions):
        value = getattr(lazy, spec.name)
        if spec.name in ("diagrams", "notes"):
            value = tuple(value)
        other = getattr(eager, spec.name)
        assert value == other or repr(value) == repr(other), spec.name  # repr: a "NaN" coordinate is not == itself
    assert repr(lazy) == repr(eager)
    if "nan" not in repr(eager):
        assert lazy == eager


def _files(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(folder.rglob("*.bpmn"))


def test_every_miwg_file_reads_as_the_eager_reader_read_it(miwg_dir: Path) -> None:
    deferred = 0
    files = list(_files(miwg_dir))
    assert len(files) == 248
    for path in files:
        data = path.read_bytes()
        lazy = _read(data, str(path))
        if isinstance(lazy, Definitions) and isinstance(lazy.diagrams, DeferredDiagrams):
            deferred += 1
            assert lazy.diagrams.built is None  # reading the model's other fields built nothing
            assert len(lazy.diagrams) == lazy.diagrams.diagram_count
        _assert_same(lazy, _eager(data, str(path)))
    assert deferred >= 240  # every UTF-8 / Latin-1 file with a diagram (244 of 248 on 2026-12-01)


def test_flows_and_test_data_read_as_before(flows_dir: Path) -> None:
    for path in _files(flows_dir, DATA):
        data = path.read_bytes()
        _assert_same(_read(data, str(path)), _eager(data, str(path)))


def _shape(rng: random.Random, index: int) -> str:
    coordinates = ["10", "-4.5", ".5", "7.", "1e2", "", "x", " 3", "NaN", "inf", "1_0", "٣"]
    pick = rng.choice
    bounds = f'<dc:Bounds x="{pick(coordinates)}" y="1" width="{pick(coordinates)}" height="80"/>'
    label = pick(["", f'<bpmndi:BPMNLabel><dc:Bounds x="{pick(coordinates)}" y="2" width="3" height="4"/>'
                      "</bpmndi:BPMNLabel>"])
    ref = pick(["t", "s", "", " t", "t\u3000", "bpmndi:t", "q:"])
    return (f'<bpmndi:BPMNShape id="S{index}" bpmnElement="{ref}">{pick([bounds, "", bounds + bounds])}{label}'
            "</bpmndi:BPMNShape>\n")


def _edge(rng: random.Random, index: int) -> str:
    points = "".join(
        f'<di:waypoint x="{rng.choice(["1", "2.5", "", "z"])}" y="{rng.choice(["3", "-1"])}"/>'
        for _ in range(rng.randrange(4))
    )
    ref = rng.choice(["f", "", "f "])
    return f'<bpmndi:BPMNEdge id="E{index}" bpmnElement="{ref}">{points}</bpmndi:BPMNEdge>\n'


def _diagram(rng: random.Random, index: int) -> str:
    items = "".join(rng.choice([_shape, _edge])(rng, n) for n in range(rng.randrange(1, 6)))
    return (f'<bpmndi:BPMNDiagram id="D{index}"><bpmndi:BPMNPlane id="P{index}" bpmnElement="p">\n{items}'
            "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n")


@pytest.mark.parametrize("seed", range(60))
def test_hostile_diagrams_give_the_same_notes_in_the_same_places(seed: int) -> None:
    """Bad bounds, waypoints and references before, between and after processes: the same notes, in order."""
    rng = random.Random(seed)
    parts = [PROCESS.replace('"p"', f'"p{n}"').replace('id="', f'id="{n}') for n in range(rng.randrange(3))]
    parts += [_diagram(rng, n) for n in range(rng.randrange(1, 4))]
    rng.shuffle(parts)
    data = (HEAD + "".join(parts) + rng.choice(["", "<!-- end -->\n"]) + "</definitions>\n").encode()
    lazy, eager = _read(data, "hostile.bpmn"), _eager(data, "hostile.bpmn")
    _assert_same(lazy, eager)
    if isinstance(lazy, Definitions) and isinstance(lazy.notes, DeferredNotes):
        assert len(lazy.notes) == len(tuple(lazy.notes))


def test_a_deferred_files_diagram_notes_are_in_its_notes_when_first_read() -> None:
    data = (HEAD + PROCESS + '<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane bpmnElement="p">\n'
            '<bpmndi:BPMNShape id="S" bpmnElement="t"><dc:Bounds x="a" y="1" width="2" height="3"/>'
            '</bpmndi:BPMNShape>\n<bpmndi:BPMNEdge id="E" bpmnElement="f"><di:waypoint x="1" y="2"/>'
            "</bpmndi:BPMNEdge>\n</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</definitions>").encode()
    definitions = read_bpmn_bytes(data, "bad.bpmn")
    assert isinstance(definitions.notes, DeferredNotes)
    codes = [(note.code, note.source.line, note.element_id) for note in definitions.notes]
    assert codes == [("bad-coordinates", 4, None), ("bad-shape", 4, "S"), ("bad-edge", 5, "E")]


NESTED = PROCESS.replace("</process>", '<extensionElements><bpmndi:BPMNDiagram id="x"/></extensionElements></process>')


@pytest.mark.parametrize(
    ("declaration", "process"),
    [
        ('<?xml version="1.0" encoding="UTF-16"?>', PROCESS),  # not ASCII-compatible
        ("<!-- <bpmndi:BPMNDiagram id='x'> -->", PROCESS),  # a start tag in a comment
        ("", NESTED),  # a diagram that is not the root's
    ],
)
def test_files_the_reader_cannot_slice_are_built_at_once(declaration: str, process: str) -> None:
    text = (declaration + HEAD + process
            + '<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane bpmnElement="p"/></bpmndi:BPMNDiagram></definitions>')
    data = text.encode("utf-16") if "UTF-16" in declaration else text.encode()
    definitions = read_bpmn_bytes(data, "odd.bpmn")
    assert isinstance(definitions.diagrams, tuple)
    _assert_same(definitions, _eager(data, "odd.bpmn"))


def test_a_diagram_in_a_comment_before_the_real_one_is_not_taken_for_it() -> None:
    data = (HEAD + PROCESS + "<!--\n<bpmndi:BPMNDiagram id='ghost'>\n-->\n"
            '<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane bpmnElement="p"/></bpmndi:BPMNDiagram>'
            "</definitions>").encode()
    _assert_same(_read(data, "c.bpmn"), _eager(data, "c.bpmn"))


def test_lines_past_65534_and_tags_over_several_lines_are_kept() -> None:
    """libxml2's line saturates past 65,534: the slice is padded to its line, and the byte scan numbers it again."""
    shapes = "".join(
        f'<bpmndi:BPMNShape id="S{n}"\n  bpmnElement="t">\n<dc:Bounds x="{n}" y="1" width="2" height="3"/>'
        "</bpmndi:BPMNShape>\n" + "\n" * (n % 3)
        for n in range(40)
    )
    data = (HEAD + PROCESS + "\n" * 65_520 + '<bpmndi:BPMNDiagram id="D">\n<bpmndi:BPMNPlane bpmnElement="p">\n'
            + shapes + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</definitions>\n").encode()
    lazy = read_bpmn_bytes(data, "long.bpmn")
    assert isinstance(lazy.diagrams, DeferredDiagrams)
    _assert_same(lazy, _eager(data, "long.bpmn"))
    lines = [shape.source.line or 0 for shape in lazy.diagrams[0].shapes]
    assert lines[0] == 65_525 and lines == sorted(lines) and max(lines) > 65_534


def test_the_read_cache_keeps_the_bytes_and_the_built_diagrams(flows_dir: Path) -> None:
    path = next(_files(flows_dir))
    lazy = read_bpmn(path)
    assert isinstance(lazy.diagrams, DeferredDiagrams)
    again = loads(dumps(lazy))
    assert isinstance(again, Definitions) and isinstance(again.diagrams, DeferredDiagrams)
    assert again.diagrams.built is None  # stored as bytes: not built by storing
    assert again == lazy
    built = loads(dumps(lazy))  # lazy was built by the comparison: stored built
    assert isinstance(built, Definitions) and isinstance(built.diagrams, DeferredDiagrams)
    assert built.diagrams.built is not None and built == lazy


def test_the_anonymised_copy_is_made_from_the_built_diagrams(flows_dir: Path) -> None:
    path = next(_files(flows_dir))
    data = path.read_bytes()
    lazy, eager = _read(data, str(path)), _eager(data, str(path))
    assert isinstance(lazy, Definitions) and isinstance(eager, Definitions)
    scrubber = Scrubber({"受付": "C-1"})
    assert scrubber.definitions(lazy) == scrubber.definitions(eager)
    assert isinstance(scrubber.definitions(lazy).diagrams, tuple)


def test_a_namespace_uri_with_spaces_is_repaired_in_the_diagrams_as_in_the_file() -> None:
    """IBM Process Designer's vendor namespaces have spaces: libxml2 refuses them, the reader parses again leniently."""
    data = (HEAD.replace(' id="d">', ' xmlns:Process="http://x/Collapsed Process" id="d">') + PROCESS
            + '<bpmndi:BPMNDiagram id="D"><bpmndi:BPMNPlane bpmnElement="p"><bpmndi:BPMNShape id="S" bpmnElement="t">'
            '<dc:Bounds x="1" y="2" width="3" height="4"/></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>'
            "</definitions>").encode()
    lazy = read_bpmn_bytes(data, "ibm.bpmn")
    assert isinstance(lazy.diagrams, DeferredDiagrams)
    _assert_same(lazy, _eager(data, "ibm.bpmn"))
    assert [note.code for note in lazy.notes] == ["repaired-xml"]


def test_lint_reads_diagrams_at_once_and_leaves_deferring_on(flows_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from bpm.cli import main

    seen: list[bool] = []
    original = reader.deferred_diagrams

    def watched(*arguments: Any) -> DeferredDiagrams | None:
        seen.append(True)
        return original(*arguments)

    monkeypatch.setattr(reader, "deferred_diagrams", watched)
    result = CliRunner().invoke(main, ["lint", str(next(_files(flows_dir)))])
    assert result.exit_code in (0, 1), result.output
    assert not seen  # lint did not defer
    assert reader._DEFERRING[0]  # and switched deferring on again when it ended
