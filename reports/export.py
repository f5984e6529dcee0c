"""Hand results to other tools: the full assessment as JSON.

The JSON export keeps what the flat pandas step table cannot: the evidence
behind every value, reasons in both languages, data gaps and profile sources.
The user's own BPMN file with the results attached is :mod:`reports.annotate`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import IO, Any

from reports.json_text import Member, exact_float, exact_int, write_indented_object
from scoring.result import Assessment

__all__ = ["JSON_FORMAT", "assessment_json", "assessment_json_bytes", "write_assessment_json"]

JSON_FORMAT = "bpm-rpa-scanner/assessment"
"""``format`` value of :func:`assessment_json` documents (with ``version``)."""
_JSON_VERSION = 1


# --------------------------------------------------------------------------- JSON


def assessment_json(assessment: Assessment) -> str:
    """The whole assessment as a JSON document for other tools.

    Dataclass fields keep their declared order; mapping keys are sorted; enums
    become their values; non-finite numbers become ``null``.  The document
    starts with ``format`` and ``version`` so readers can check what they got.
    """
    return assessment_json_bytes(assessment).decode("utf-8")


def assessment_json_bytes(assessment: Assessment) -> bytes:
    """:func:`assessment_json` as UTF-8, as the site writes it (one walk, encoded by :mod:`reports.json_text`)."""
    buffer = io.BytesIO()
    write_assessment_json(assessment, buffer)
    return buffer.getvalue()


def write_assessment_json(assessment: Assessment, handle: IO[bytes]) -> None:
    """:func:`assessment_json_bytes` written to ``handle`` one process at a time (seekable; same bytes).

    The site's downloads write it to a file this way, so a thousand flows'
    JSON (~0.75 MB a flow) and its plain values never sit in memory whole.
    """
    walkers = {True: _Plain(True), False: _Plain(False)}

    def members() -> Iterator[Member]:
        yield "format", JSON_FORMAT, False
        yield "version", _JSON_VERSION, False
        for name in _field_names(assessment):
            yield name, getattr(assessment, name), True  # each process (gap, finding…) encoded on its own

    write_indented_object(handle, members, lambda fast, value: walkers[fast].plain(value))
    handle.write(b"\n")


def _field_names(value: Any) -> tuple[str, ...]:
    """The dataclass's fields that go into the JSON, in declared order (as :class:`_Plain` writes them)."""
    return _FIELDS.setdefault(value.__class__, tuple(
        f.name for f in fields(value) if f.metadata.get("json", True)))


class _Plain:
    """Turns the assessment into JSON values: one walk, dispatching on the exact type.

    The assessment holds ~300 values a step, nearly all of a handful of
    exact types (str, float, int, None, tuple, dict, the result dataclasses),
    so those are looked up by type first; anything else takes the general
    path, which checks as it always did (enum, dataclass, mapping,
    sequence, float, plain text) so the document stays what it was.
    """

    def __init__(self, fast: bool) -> None:
        self.number = exact_float if fast else _same
        self.integer = exact_int if fast else _same

    def plain(self, value: Any) -> Any:
        kind = value.__class__
        if kind is str or value is None or kind is bool:
            return value
        if kind is float:
            return self.number(value) if math.isfinite(value) else None
        if kind is int:
            return self.integer(value)
        if kind is tuple or kind is list:
            return [self.plain(v) for v in value]
        if kind is dict:
            return self._mapping(value)
        names = _FIELDS.get(kind)
        if names is not None:
            return {name: self.plain(getattr(value, name)) for name in names}
        if kind in _ENUMS:
            return self._enum(value)
        return self._general(value)

    def _general(self, value: Any) -> Any:
        if isinstance(value, Enum):  # an enum is never a dataclass instance: checked first, it is found faster
            _ENUMS.add(value.__class__)
            return self._enum(value)
        if is_dataclass(value) and not isinstance(value, type):
            names = _field_names(value)
            return {name: self.plain(getattr(value, name)) for name in names}
        if isinstance(value, Mapping):
            return self._mapping(value)
        if isinstance(value, list | tuple):
            return [self.plain(v) for v in value]
        if isinstance(value, float):
            return self.number(float(value)) if math.isfinite(value) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return self.integer(int(value))
        if value is None or isinstance(value, str | bool):
            return value
        return str(value)

    def _enum(self, value: Enum) -> Any:
        return self.number(value.value) if isinstance(value.value, float) else value.value

    def _mapping(self, value: Mapping[Any, Any]) -> dict[str, Any]:
        items = {_key(k): self.plain(v) for k, v in value.items()}
        return {k: items[k] for k in sorted(items)}


_FIELDS: dict[type, tuple[str, ...]] = {}
"""Dataclass → the names of its fields that go into the JSON, in declared order (found once per class)."""
_ENUMS: set[type] = set()
"""Enum classes met so far (written as their values)."""


def _same(value: Any) -> Any:
    return value


def _key(key: Any) -> str:
    return str(key.value) if isinstance(key, Enum) else str(key)
