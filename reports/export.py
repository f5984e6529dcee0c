"""Hand results to other tools: the full assessment as JSON.

The JSON export keeps what the flat pandas step table cannot: the evidence
behind every value, reasons in both languages, data gaps and profile sources.
The user's own BPMN file with the results attached is :mod:`reports.annotate`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from scoring.result import Assessment

__all__ = ["JSON_FORMAT", "assessment_json"]

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
    document: dict[str, Any] = {"format": JSON_FORMAT, "version": _JSON_VERSION}
    plain = _plain(assessment)
    assert isinstance(plain, dict)
    document.update(plain)
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.metadata.get("json", True)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        items = {_key(k): _plain(v) for k, v in value.items()}
        return {k: items[k] for k in sorted(items)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def _key(key: Any) -> str:
    return str(key.value) if isinstance(key, Enum) else str(key)
