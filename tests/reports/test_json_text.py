"""orjson's JSON is the standard library's, byte for byte (the downloads' JSON files must not change)."""

from __future__ import annotations

import io
import json
import math
import random
import struct
from typing import Any

import pytest

from reports.json_text import Member, exact_float, exact_int, indented_json, write_indented_object


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


def _streamed(members: list[Member]) -> bytes:
    handle = io.BytesIO(b"kept")
    handle.seek(4)
    write_indented_object(handle, lambda: iter(members), lambda fast, value: _fast(value) if fast else value)
    data = handle.getvalue()
    assert data[:4] == b"kept"  # what was in the file before is left alone, even by the fallback
    return data[4:]


def test_an_object_written_part_by_part_is_the_whole_document_byte_for_byte() -> None:
    """Each member and each item of a streamed sequence is encoded alone; the file is json.dumps(indent=2)."""
    deep: Any = [{"k": [1, {"x": 1e-05, "y": [[], {}, "改行\nなし"]}]}, [], {}]
    members: list[Member] = [
        ("format", "bpm", False),
        ("processes", (deep[0], {"steps": [{"id": "a", "v": 2**70}], "empty": []}, 0.1, "文字"), True),
        ("empty_items", (), True),
        ("text_is_not_items", "abc", True),
        ("nested", deep, False),
        ("money", None, True),
        ("list", [1, [2, [3]]], True),
    ]
    expected = _stdlib({key: value for key, value, _items in members})
    assert _streamed(members) == expected
    assert _streamed([]) == _stdlib({}) == b"{}"
    assert _streamed([("only", [], True)]) == _stdlib({"only": []})


def test_a_streamed_object_orjson_refuses_is_rewritten_by_the_standard_library() -> None:
    """Deeper than orjson nests, in the last item: the parts already written are replaced by json.dumps's text."""
    deep: Any = []
    for _ in range(300):
        deep = [deep]
    members: list[Member] = [("a", [1.5, 2], True), ("b", (["x"], deep), True)]
    assert _streamed(members) == _stdlib({"a": [1.5, 2], "b": [["x"], deep]})
    with pytest.raises(UnicodeEncodeError):
        _streamed([("a", [1], True), ("file", ["bad\udcff.bpmn"], True)])
