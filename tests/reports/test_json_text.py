"""orjson's JSON is the standard library's, byte for byte (the downloads' JSON files must not change)."""

from __future__ import annotations

import json
import math
import random
import struct
from typing import Any

import pytest

from reports.json_text import exact_float, exact_int, indented_json


def _stdlib(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


def _fast(value: Any) -> Any:
    if isinstance(value, float):
        return exact_float(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return exact_int(value)
    if isinstance(value, list):
        return [_fast(v) for v in value]
    if isinstance(value, dict):
        return {k: _fast(v) for k, v in value.items()}
    return value


def _random_doubles(count: int) -> list[float]:
    """Doubles from every exponent (random bit patterns), plus the decimals a report holds."""
    rng = random.Random(13)
    found: list[float] = []
    while len(found) < count:
        bits = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if math.isfinite(bits):
            found.append(bits)
        found.append(round(rng.uniform(-1e7, 1e7), rng.randint(0, 6)))
        found.append(rng.uniform(-1e-3, 1e-3))
    return found


def test_floats_are_written_as_the_standard_library_writes_them() -> None:
    edges = [0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e-05, 1e16, 9999999999999998.0, 1e22, 5e-324,
             1.7976931348623157e308, 0.1, 2.0**53, 123.0, -1234.5]
    values = edges + _random_doubles(60_000)
    assert indented_json(lambda fast: [exact_float(v) for v in values] if fast else values) == _stdlib(values)


def test_integers_of_any_size_and_text_of_any_kind() -> None:
    document = {
        "ints": [0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 10**30],
        "text": ["住民票の写し", "a\x01\x1f\x7f\u2028\u2029\"\\\n\t\b\f\r/", "=HYPERLINK(\"x\")", "", "\ufeff"],
        "nested": {"empty_list": [], "empty_map": {}, "flags": [True, False, None]},
    }
    assert indented_json(lambda fast: _fast(document) if fast else document) == _stdlib(document)


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    """A lone surrogate (a file name read with surrogateescape) fails as it always did, not differently."""
    document = {"file": "bad\udcff.bpmn"}
    with pytest.raises(UnicodeEncodeError):
        _stdlib(document)
    with pytest.raises(UnicodeEncodeError):
        indented_json(lambda fast: document)
    deep: Any = []
    for _ in range(300):  # deeper than orjson nests
        deep = [deep]
    assert indented_json(lambda fast: deep) == _stdlib(deep)
