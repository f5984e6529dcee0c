"""The version ledger of a published site: which versions of which flow were published when.

``bpm scan --publish SITE`` keeps every earlier version of each flow (one BPMN
file, named by its path relative to the scanned folder: its *key*).  A version
is identified by the SHA-256 of the file's bytes, so publishing the same file
again is no new version, and a file put back to an earlier state points to the
version folder that already holds those bytes.

The ledger is ``versions/history.json`` inside the site.  It is read back on
the next run, so it is treated like any input from a file share: every field
is checked, and a damaged ledger stops the run with a message instead of
silently starting a new history (which would lose the old one).  Site paths
are never built from user text: a flow's folder is an ASCII slug plus a hash of
its key (as :func:`reports.downloads.annotated_name` names downloads), a
version's folder is the first 16 hex digits of its hash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bpm.errors import RenderError, Say, say
from reports.downloads import annotated_name

__all__ = [
    "LEDGER",
    "LEDGER_FORMAT",
    "DispositionMove",
    "Event",
    "EventKind",
    "FlowRecord",
    "Ledger",
    "PageRecord",
    "ProcessChange",
    "Version",
    "diff_path",
    "flow_id_for",
    "ledger_bytes",
    "parse_ledger",
    "version_folder",
]

LEDGER = "versions/history.json"
"""Where the ledger lives inside the site."""
LEDGER_FORMAT = "bpm-rpa-scanner/history"
_LEDGER_VERSION = 1

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_FLOW_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_PAGE = re.compile(r"^flow-[a-z0-9-]{1,80}\.html$")
_DIFF = re.compile(r"^versions/[a-z0-9][a-z0-9-]{0,80}/diff-[0-9a-f]{16}-[0-9a-f]{16}\.html$")
_MAX_TEXT = 10_000
_MAX_COUNT = 10**9

EventKind = str
"""``added`` (first publication), ``changed``, ``removed`` (廃止) or ``restored`` (back without changes)."""
EVENT_KINDS = ("added", "changed", "removed", "restored")
STEP_KINDS = ("added", "removed", "renamed", "retyped", "moved")
PROCESS_KINDS = ("added", "removed", "changed", "unchanged")


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class DispositionMove:
    """Steps and hours of one disposition before and after a change."""

    disposition: str
    """``Disposition.value``."""
    steps_old: int
    """Steps with it in the previous version."""
    steps_new: int
    """Steps with it in this version."""
    hours_old: float
    """Their hours per year in the previous version."""
    hours_new: float
    """Their hours per year in this version."""


@dataclass(frozen=True, slots=True)
class ProcessChange:
    """How one process (業務) of the file changed from the previous version to this one."""

    process_id: str
    """Id in this version (the previous one's when removed)."""
    old_process_id: str
    """Id in the previous version (empty when added)."""
    name: str
    """Process name (user text: escaped wherever shown)."""
    kind: str
    """``added``, ``removed``, ``changed`` or ``unchanged``."""
    steps: Mapping[str, int] = field(default_factory=dict)
    """Step changes by kind (``added``, ``removed``, ``renamed``, ``retyped``, ``moved``)."""
    flows: int = 0
    """Changed sequence flows (added, removed, rerouted, condition)."""
    hours_old: float = 0.0
    """Staff hours per year, previous version."""
    hours_new: float = 0.0
    """Staff hours per year, this version."""
    fte_old: float = 0.0
    """FTE, previous version."""
    fte_new: float = 0.0
    """FTE, this version."""
    dispositions: tuple[DispositionMove, ...] = ()
    """Dispositions whose step count or hours moved."""
    estimated: bool = False
    """True when a figure of either version rests on a profile default."""


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A process page archived with a version."""

    process_id: str
    """Process id in that version."""
    name: str
    """Process name then."""
    page: str
    """Page file name (``flow-…html``), inside the version folder."""


@dataclass(frozen=True, slots=True)
class Version:
    """One published state of a flow."""

    digest: str
    """SHA-256 (hex) of the BPMN file's bytes."""
    published: int
    """When it was first published (Unix seconds)."""
    pages: tuple[PageRecord, ...] = ()
    """The process pages archived with it."""
    diff: str | None = None
    """Site path of the diff page from the previous version (None for a first version)."""
    changes: tuple[ProcessChange, ...] | None = None
    """Per process, what changed since the previous version (None: first version, or not comparable)."""
    note: str = ""
    """Why the versions could not be compared, when they could not."""


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """Every version of one flow (one BPMN file)."""

    key: str
    """Path relative to the scanned folder (user text: only shown, escaped, never a path)."""
    flow_id: str
    """ASCII folder name: slug plus a hash of the key."""
    versions: tuple[Version, ...]
    """Oldest first; the last one is the current (or, when removed, the last published)."""
    removed: int | None = None
    """When the flow left the input (廃止), or None while it is published."""


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the site's list of recent changes."""

    time: int
    """Unix seconds."""
    flow_id: str
    """The flow."""
    kind: EventKind
    """``added``, ``changed``, ``removed`` or ``restored``."""
    digest: str
    """The version concerned (for ``removed``: the last published)."""


@dataclass(frozen=True, slots=True)
class Ledger:
    """The whole history of a site."""

    flows: tuple[FlowRecord, ...] = ()
    """Every flow ever published, in key order."""
    events: tuple[Event, ...] = ()
    """Oldest first."""
    generated: int | None = None
    """The site's build time (Unix seconds) of the last run that changed anything."""
    inputs: str = ""
    """Fingerprint of that run's inputs: the same inputs again reuse ``generated`` (idempotent)."""

    def flow(self, key: str) -> FlowRecord | None:
        """The record of a key, if it was ever published."""
        return next((f for f in self.flows if f.key == key), None)


# --------------------------------------------------------------------------- names


def flow_id_for(key: str, taken: Sequence[str] = ()) -> str:
    """Folder name of a flow: the annotated download's name without folder and suffix.

    >>> flow_id_for("x/flow.bpmn") != flow_id_for("y/flow.bpmn"), flow_id_for("住民票.bpmn")[:6]
    (True, 'model-')
    """
    flow_id = annotated_name(key)[len("annotated/"):-len(".bpmn")]
    while flow_id in taken:  # two keys with one 8-digit hash: never let them share a folder
        flow_id += "-x"
    return flow_id


def version_folder(flow_id: str, digest: str) -> str:
    """``versions/<flow>/<first 16 hex digits>``: where a version's files live."""
    return f"versions/{flow_id}/{digest[:16]}"


def diff_path(flow_id: str, old: str, new: str) -> str:
    """The diff page between two versions (a pair of hashes: the same pair always gives the same page)."""
    return f"versions/{flow_id}/diff-{old[:16]}-{new[:16]}.html"


# --------------------------------------------------------------------------- JSON out


def ledger_bytes(ledger: Ledger) -> bytes:
    """The ledger as stable, sorted JSON (UTF-8)."""
    document = {
        "format": LEDGER_FORMAT,
        "version": _LEDGER_VERSION,
        "note": "Written by bpm scan --publish; the list of published versions. Do not edit.",
        "generated": ledger.generated,
        "inputs": ledger.inputs,
        "flows": [_flow_json(f) for f in ledger.flows],
        "events": [{"time": e.time, "flow": e.flow_id, "kind": e.kind, "version": e.digest} for e in ledger.events],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False) + "\n").encode()


def _flow_json(flow: FlowRecord) -> dict[str, Any]:
    return {
        "key": flow.key,
        "id": flow.flow_id,
        "removed": flow.removed,
        "versions": [
            {
                "hash": v.digest,
                "published": v.published,
                "pages": [{"process": p.process_id, "name": p.name, "page": p.page} for p in v.pages],
                "diff": v.diff,
                "changes": None if v.changes is None else [_change_json(c) for c in v.changes],
                "note": v.note,
            }
            for v in flow.versions
        ],
    }


def _change_json(change: ProcessChange) -> dict[str, Any]:
    return {
        "process": change.process_id,
        "old_process": change.old_process_id,
        "name": change.name,
        "kind": change.kind,
        "steps": dict(sorted(change.steps.items())),
        "flows": change.flows,
        "hours": [float(change.hours_old), float(change.hours_new)],  # float(): a sum of nothing is int 0
        "fte": [float(change.fte_old), float(change.fte_new)],
        "dispositions": [
            [d.disposition, d.steps_old, d.steps_new, float(d.hours_old), float(d.hours_new)]
            for d in change.dispositions
        ],
        "estimated": change.estimated,
    }


# --------------------------------------------------------------------------- JSON in (checked)


class _Damaged(ValueError):
    """A field of the ledger that is missing or not what we wrote."""


def parse_ledger(data: bytes, where: str) -> Ledger:
    """Read a ledger back, or :class:`RenderError` naming what is damaged (never a half-read history)."""
    try:
        document = json.loads(data.decode("utf-8"))
        return _ledger(document)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        problem: Say | str = say("versions.not_json", detail=error)
    except _Damaged as error:
        problem = str(error)
    raise RenderError(
        say("versions.damaged", problem=problem),
        file=where,
        hint=say("versions.damaged_hint"),
    )


def _ledger(document: object) -> Ledger:
    doc = _mapping(document, "the file")
    if doc.get("format") != LEDGER_FORMAT or doc.get("version") != _LEDGER_VERSION:
        raise _Damaged(f"format is not {LEDGER_FORMAT} version {_LEDGER_VERSION}")
    flows = tuple(_flow(item, i) for i, item in enumerate(_list(doc.get("flows"), "flows")))
    ids = [f.flow_id for f in flows]
    keys = [f.key for f in flows]
    if len(set(ids)) != len(ids) or len(set(keys)) != len(keys):
        raise _Damaged("two flows share a key or a folder")
    known = {f.flow_id: {v.digest for v in f.versions} for f in flows}
    events = []
    for i, item in enumerate(_list(doc.get("events"), "events")):
        raw = _mapping(item, f"events[{i}]")
        event = Event(_int(raw.get("time"), f"events[{i}].time"), _text(raw.get("flow"), f"events[{i}].flow"),
                      _choice(raw.get("kind"), EVENT_KINDS, f"events[{i}].kind"),
                      _match(raw.get("version"), _DIGEST, f"events[{i}].version"))
        if event.digest not in known.get(event.flow_id, set()):
            raise _Damaged(f"events[{i}] names a version that is not in the list")
        events.append(event)
    generated = doc.get("generated")
    return Ledger(flows, tuple(events), None if generated is None else _int(generated, "generated"),
                  _text(doc.get("inputs", ""), "inputs"))


def _flow(item: object, index: int) -> FlowRecord:
    where = f"flows[{index}]"
    raw = _mapping(item, where)
    versions = tuple(_version(v, f"{where}.versions[{j}]") for j, v in enumerate(_list(raw.get("versions"),
                                                                                        f"{where}.versions")))
    if not versions:
        raise _Damaged(f"{where} has no versions")
    removed = raw.get("removed")
    flow_id = _match(raw.get("id"), _FLOW_ID, f"{where}.id")
    for version in versions:
        if version.diff is not None and not version.diff.startswith(f"versions/{flow_id}/"):
            raise _Damaged(f"{where}: a diff page outside the flow's folder")
    return FlowRecord(_text(raw.get("key"), f"{where}.key"), flow_id, versions,
                      None if removed is None else _int(removed, f"{where}.removed"))


def _version(item: object, where: str) -> Version:
    raw = _mapping(item, where)
    pages = tuple(
        PageRecord(_text(p.get("process"), f"{where}.pages"), _text(p.get("name"), f"{where}.pages"),
                   _match(p.get("page"), _PAGE, f"{where}.pages"))
        for p in (_mapping(x, f"{where}.pages") for x in _list(raw.get("pages"), f"{where}.pages"))
    )
    diff = raw.get("diff")
    changes = raw.get("changes")
    return Version(
        _match(raw.get("hash"), _DIGEST, f"{where}.hash"),
        _int(raw.get("published"), f"{where}.published"),
        pages,
        None if diff is None else _match(diff, _DIFF, f"{where}.diff"),
        None if changes is None else tuple(_change(c, f"{where}.changes") for c in _list(changes, where)),
        _text(raw.get("note", ""), f"{where}.note"),
    )


def _change(item: object, where: str) -> ProcessChange:
    raw = _mapping(item, where)
    steps_raw = _mapping(raw.get("steps"), f"{where}.steps")
    steps = {_choice(k, STEP_KINDS, f"{where}.steps"): _int(v, f"{where}.steps") for k, v in steps_raw.items()}
    hours = _pair(raw.get("hours"), f"{where}.hours")
    fte = _pair(raw.get("fte"), f"{where}.fte")
    moves = []
    for entry in _list(raw.get("dispositions"), f"{where}.dispositions"):
        row = _list(entry, f"{where}.dispositions")
        if len(row) != 5:
            raise _Damaged(f"{where}.dispositions: a row is not 5 values")
        moves.append(DispositionMove(_text(row[0], where), _int(row[1], where), _int(row[2], where),
                                     _float(row[3], where), _float(row[4], where)))
    return ProcessChange(
        _text(raw.get("process"), f"{where}.process"), _text(raw.get("old_process"), f"{where}.old_process"),
        _text(raw.get("name"), f"{where}.name"), _choice(raw.get("kind"), PROCESS_KINDS, f"{where}.kind"),
        steps, _int(raw.get("flows"), f"{where}.flows"), hours[0], hours[1], fte[0], fte[1], tuple(moves),
        raw.get("estimated") is True,
    )


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Damaged(f"{where} is not an object")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Damaged(f"{where} is not a list")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise _Damaged(f"{where} is not a text")
    return value


def _match(value: object, pattern: re.Pattern[str], where: str) -> str:
    text = _text(value, where)
    if not pattern.match(text):
        raise _Damaged(f"{where} is not a name bpm writes: {text[:80]!r}")
    return text


def _choice(value: object, choices: Sequence[str], where: str) -> str:
    if value not in choices:
        raise _Damaged(f"{where} is not one of {', '.join(choices)}")
    return str(value)


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**40 * _MAX_COUNT:
        raise _Damaged(f"{where} is not a whole number")
    return value


def _float(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) < 1e15:
        raise _Damaged(f"{where} is not a number")
    return float(value)


def _pair(value: object, where: str) -> tuple[float, float]:
    items = _list(value, where)
    if len(items) != 2:
        raise _Damaged(f"{where} is not two numbers")
    return _float(items[0], where), _float(items[1], where)
