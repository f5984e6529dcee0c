""":func:`bpm.reader.read_bpmn`, kept by content: a file read once is not parsed again while its bytes stay.

The key is the SHA-256 of the file's bytes with everything else the model
depends on: the name the file was read under (every source reference carries
it), the size limit (it decides the element limit), the version of the code
that builds the model (:func:`bpm.cache_store.code_version` of the ``bpm``
package and the versions of Python and the libraries it uses) and the run's
language (should the reader ever write a text out while reading, it would be
in that language).  A file whose bytes, name or limit differ, or an upgrade,
reads afresh.  A file that cannot be read is read by
:func:`~bpm.reader.read_bpmn` itself, so its error is the same; errors are never cached.

Storage, its safety and ``BPM_CACHE_DIR=off``: :mod:`bpm.cache_store`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass

from bpm.cache_store import ObjectStore, code_version, json_key
from bpm.errors import BpmnParseError
from bpm.messages import language
from bpm.model import Definitions
from bpm.reader import read_bpmn, read_bpmn_bytes, read_file_bytes

__all__ = ["Read", "ReadCache", "read_key"]

_FORMAT = "read 1"
"""Bumped when what a key covers changes."""


@dataclass(frozen=True, slots=True)
class Read:
    """One file's model and the content key it was stored under (None: not read through the cache)."""

    definitions: Definitions
    key: str | None


def read_key(name: str, data: bytes, max_bytes: int) -> str:
    """The key of the model read from ``data`` under ``name`` with the limit ``max_bytes``."""
    parts = {"v": _FORMAT, "file": name, "max_bytes": max_bytes, "code": code_version("bpm"), "lang": language(),
             "bytes": hashlib.sha256(data).hexdigest()}
    return json_key(parts)


class ReadCache:
    """Models by content key (an :class:`~bpm.cache_store.ObjectStore`; a store without a folder reads plainly)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReadCache:
        return cls(ObjectStore.from_environment("reads", environ))

    def read(self, path: str | os.PathLike[str], *, max_bytes: int) -> Read:
        """The model of ``path``: from the store when these bytes were read before, else read and stored."""
        if not self.store.on:
            return Read(read_bpmn(path, max_bytes=max_bytes), None)
        name = os.fspath(path)
        data = read_file_bytes(name, max_bytes=max_bytes)  # missing, not a file, too big: the reader's error
        key = read_key(name, data, max_bytes)
        found = self.store.get(key, Definitions)
        if found is not None:
            return Read(found, key)
        definitions = read_bpmn_bytes(data, name, max_bytes=max_bytes)
        self.store.put(key, definitions)
        return Read(definitions, key)

    def stored(self, path: str | os.PathLike[str], *, max_bytes: int) -> Read | None:
        """The model of ``path`` only if it is in the store (a cheap look before sending work to a pool)."""
        if not self.store.on:
            return None
        name = os.fspath(path)
        try:
            data = read_file_bytes(name, max_bytes=max_bytes)
        except BpmnParseError:
            return None  # said when the file is read for real
        key = read_key(name, data, max_bytes)
        found = self.store.get(key, Definitions)
        return Read(found, key) if found is not None else None
