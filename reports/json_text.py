"""JSON text byte for byte as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, made by orjson.

Why: with ``indent`` the standard library encodes in pure Python (its C
encoder only writes compact JSON), and the downloads' JSON files are the
largest files of a site (the assessment is ~0.75 MB a flow).  orjson writes
the same layout (two-space indent, ``", "`` → ``","`` + newline, ``": "``)
and the same string escapes, about ten times faster.

Where the two differ, the value is handed to orjson as the standard
library's own text (:class:`orjson.Fragment`), so the files stay identical:

- floats outside 1e-4 ≤ |x| < 1e16 (Python writes ``1e-05`` and ``1e+16``,
  orjson ``0.00001`` and ``1e16``; inside that range both write the same
  shortest digits, checked in the tests on random doubles);
- integers beyond 64 bits (orjson refuses them).

A document orjson refuses for another reason (a string with a lone
surrogate, nesting deeper than 255) is written by the standard library, so
the result, or the error, is what it always was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import IO, Any

import orjson

__all__ = ["Member", "exact_float", "exact_int", "indented_json", "write_indented_object"]

_SMALLEST_PLAIN = 1e-4
_LARGEST_PLAIN = 1e16
_INT_RANGE = (-(2**63), 2**64 - 1)


def exact_float(value: float) -> float | orjson.Fragment:
    """``value`` as orjson will write it exactly as the standard library does (finite floats only).

    >>> exact_float(0.25), exact_float(0.0)
    (0.25, 0.0)
    >>> orjson.dumps([exact_float(1e-05), exact_float(1e16)])
    b'[1e-05,1e+16]'
    """
    size = abs(value)
    if size == 0 or _SMALLEST_PLAIN <= size < _LARGEST_PLAIN:
        return value
    return orjson.Fragment(float.__repr__(value))


def exact_int(value: int) -> int | orjson.Fragment:
    """``value`` as orjson can write it (integers beyond 64 bits as their text)."""
    low, high = _INT_RANGE
    return value if low <= value <= high else orjson.Fragment(int.__repr__(value))


def indented_json(build: Callable[[bool], Any]) -> bytes:
    """UTF-8 JSON of ``build(True)`` as the standard library indents it (``indent=2``, ``ensure_ascii=False``).

    ``build(fast)`` makes the document; with ``fast`` its floats and integers
    go through :func:`exact_float` / :func:`exact_int`, without it they stay
    plain (for the standard library's fallback).  No newline at the end.

    >>> indented_json(lambda fast: {"a": [1, exact_float(1e-05) if fast else 1e-05], "b": "日本"}).decode()
    '{\\n  "a": [\\n    1,\\n    1e-05\\n  ],\\n  "b": "日本"\\n}'
    """
    try:
        return orjson.dumps(build(True), option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        return json.dumps(build(False), ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8")


Member = tuple[str, Any, bool]
"""One member of a streamed object: (key, value, whether the value is a sequence written item by item)."""


def write_indented_object(
    handle: IO[bytes], members: Callable[[], Iterable[Member]], plain: Callable[[bool, Any], Any]
) -> None:
    """Write an object as :func:`indented_json` of the same members would, one part at a time.

    Why: the assessment of a thousand flows is ~750 MB of JSON; built whole,
    its plain values and its text sat in memory at once.  Here each member
    (and each item of a member given as a sequence) is made plain by
    ``plain(fast, value)``, encoded and written before the next is made.
    orjson indents a part as if it stood alone, so its lines are shifted by
    the depth it stands at (a newline never occurs inside a JSON string).
    ``members`` is called again for the standard library's fallback, which
    rewrites the file from the start (``handle`` must be seekable).  No
    newline at the end.
    """
    start = handle.tell()
    try:
        _write_members(handle, members(), lambda value: plain(True, value))
    except orjson.JSONEncodeError:
        handle.seek(start)
        handle.truncate()
        document = {key: plain(False, value) for key, value, _items in members()}
        handle.write(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False).encode("utf-8"))


def _write_members(handle: IO[bytes], members: Iterable[Member], plain: Callable[[Any], Any]) -> None:
    handle.write(b"{")
    first = True
    for key, value, items in members:
        handle.write(b"\n  " if first else b",\n  ")
        first = False
        handle.write(orjson.dumps(key) + b": ")
        if items and value.__class__ in (list, tuple) and len(value) > 0:
            handle.write(b"[")
            for index, item in enumerate(value):
                handle.write(b"\n    " if index == 0 else b",\n    ")
                handle.write(_part(plain(item), 4))
            handle.write(b"\n  ]")
        else:
            handle.write(_part(plain(value), 2))
    handle.write(b"\n}" if not first else b"}")


def _part(value: Any, depth: int) -> bytes:
    """``value`` indented by orjson, its lines after the first shifted by ``depth`` spaces."""
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    return text.replace(b"\n", b"\n" + b" " * depth) if b"\n" in text else text
