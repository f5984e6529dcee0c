"""Python objects kept by content key on disk: the store behind the read cache and the per-flow scoring cache.

A re-scan of a portfolio where one flow in a thousand changed should not read
and score the other 999 again.  :mod:`bpm.read_cache` and
:mod:`scoring.flow_cache` decide *what* a result depends on (its key); this
module keeps the results: one file per key under the cache folder of
:mod:`reports.pictures_cache` (``$BPM_CACHE_DIR``, ``off`` turns every cache
off), in its own sub-folder (``reads/``, ``flows/``), two-character
sub-folders, hex names only, written atomically (a temporary file renamed into
place), bounded by ``$BPM_CACHE_MB`` (least recently used removed first).

**Why pickle, and why that is acceptable here.**  The results are trees of
frozen dataclasses (the model, assessments, findings); a hand-written format
for them would be a second copy of the model to keep in step.  Pickle can run
code while loading, so an entry is never trusted blindly:

- an entry starts with a magic line and the SHA-256 of its payload: a torn,
  truncated or altered file is rejected before anything is unpickled;
- the unpickler resolves only an allow-list of globals — data classes and
  enums of this program's own packages (``bpm``, ``scoring``), plain
  containers and the module's own rebuild function — never a function that
  could do something (``os.system``, ``eval``, a writer of this program);
- an entry not owned by the user running the scan is ignored;
- the folder is the user's own (created 0700, entries 0600), like any cache
  under ``~/.cache``; someone who can write there can already change the
  user's files.

Whatever fails — a missing folder, a foreign or damaged entry, an entry of
another type — is a miss: the result is computed as if there were no cache
(and stored again).  Nothing a scan writes depends on the cache.

Loading speed matters (a warm run loads every flow): the standard pickling of
a slotted frozen dataclass calls ``dataclasses.fields`` for each object, so
:func:`dumps` pickles such objects as their field values and :func:`_rebuild`
sets the slots directly (≈ 3× faster on a 50-step model).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import io
import json
import operator
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CACHE_ENV", "LIMIT_ENV", "ObjectStore", "cache_folder", "cache_limit", "code_version", "digest", "dumps",
           "entries_in", "loads", "prune_results", "remove_oldest", "write_atomically"]

T = TypeVar("T")

CACHE_ENV = "BPM_CACHE_DIR"
"""Environment variable naming the cache folder (``off``: no cache)."""
LIMIT_ENV = "BPM_CACHE_MB"
"""Environment variable bounding the cache's size in megabytes."""
DEFAULT_LIMIT_MB = 1024
_MAGIC = b"bpm-cache 1\n"
_KEY = re.compile(r"^[0-9a-f]{64}$")
_SUFFIX = ".pickle"
_OWN_PACKAGES = ("bpm", "scoring")
_SAFE_BUILTINS = frozenset({"tuple", "list", "dict", "set", "frozenset", "bytes", "bytearray", "complex", "str",
                            "int", "float", "bool", "slice", "range"})
_SAFE_ELSEWHERE = {("collections", "OrderedDict"), ("datetime", "datetime"), ("datetime", "date"),
                   ("datetime", "timedelta"), ("datetime", "timezone"), ("datetime", "time"),
                   ("decimal", "Decimal"), ("fractions", "Fraction"), ("copyreg", "_reconstructor")}


def cache_folder(environ: Mapping[str, str] | None = None) -> Path | None:
    """The cache folder (the pictures' copies and, in sub-folders, the stores here), or None when turned off.

    >>> cache_folder({"BPM_CACHE_DIR": "/tmp/c"})
    PosixPath('/tmp/c')
    >>> cache_folder({"BPM_CACHE_DIR": "off"}) is None
    True
    >>> cache_folder({"XDG_CACHE_HOME": "/x", "HOME": "/h"})
    PosixPath('/x/bpm-rpa-scanner/pictures')
    """
    env = os.environ if environ is None else environ
    chosen = env.get(CACHE_ENV, "").strip()
    if chosen.lower() in ("off", "none", "0"):
        return None
    if chosen:
        return Path(chosen)
    base = env.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path(env.get("HOME") or Path.home()) / ".cache"
    return root / "bpm-rpa-scanner" / "pictures"


def cache_limit(environ: Mapping[str, str] | None = None) -> int:
    """The cache's size bound in bytes (``BPM_CACHE_MB``; a bad value gives the default).

    >>> cache_limit({"BPM_CACHE_MB": "10"})
    10485760
    >>> cache_limit({"BPM_CACHE_MB": "lots"}) == DEFAULT_LIMIT_MB * 1024 * 1024
    True
    """
    env = os.environ if environ is None else environ
    try:
        megabytes = float(env.get(LIMIT_ENV, DEFAULT_LIMIT_MB))
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    if not 0 <= megabytes < 1e9:  # NaN and absurd values too
        megabytes = DEFAULT_LIMIT_MB
    return int(megabytes * 1024 * 1024)


_LIBRARIES = {"bpm": ("lxml.etree", "networkx", "numpy", "scipy"), "scoring": ("networkx", "numpy", "scipy")}
"""The libraries whose results a package's results carry (their version is part of the key)."""


@lru_cache(maxsize=8)
def code_version(*packages: str) -> str:
    """SHA-256 (hex) of every file of ``packages`` (beside this one: sources and their data files such as the
    shipped profile and catalogue), Python's and the libraries' versions: any change of the code or data that
    shapes a cached result makes every key new."""
    import importlib

    root = Path(__file__).resolve().parent.parent
    digest_ = hashlib.sha256(sys.version.encode())
    for library in sorted({name for package in packages for name in _LIBRARIES.get(package, ())}):
        found = getattr(importlib.import_module(library), "__version__", "-")
        digest_.update(f"\0{library} {found}".encode())
    for package in sorted(packages):
        for path in sorted((root / package).rglob("*")):
            if "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo") or not path.is_file():
                continue
            digest_.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
            digest_.update(path.read_bytes())
    return digest_.hexdigest()


# --------------------------------------------------------------------------- pickling


def _slots(cls: type) -> set[str]:
    names: set[str] = set()
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.update((slots,) if isinstance(slots, str) else slots)
    return names - {"__weakref__"}


@cache
def _plain_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of a slotted data class whose state is exactly its fields, else None."""
    if not (dataclasses.is_dataclass(cls) and cls.__dictoffset__ == 0):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    getstate = getattr(cls, "__getstate__", None)
    if getstate is not None and getattr(getstate, "__qualname__", "") != "_dataclass_getstate":
        return None  # the class decides how it is pickled
    if "__reduce__" in cls.__dict__ or "__reduce_ex__" in cls.__dict__ or _slots(cls) != set(names):
        return None
    return names


@cache
def _setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    names = _plain_fields(cls)
    if names is None:
        raise pickle.UnpicklingError(f"not a plain data class: {cls!r}")
    return tuple(getattr(cls, name).__set__ for name in names)


def _rebuild(cls: type, values: tuple[Any, ...]) -> Any:
    """A slotted data class from its field values, as it was pickled (no ``__init__``, no checks re-run)."""
    setters = _setters(cls)
    if len(values) != len(setters):
        raise pickle.UnpicklingError(f"{cls.__name__}: {len(values)} values for {len(setters)} fields")
    obj: Any = object.__new__(cls)
    for setter, value in zip(setters, values, strict=True):
        setter(obj, value)
    return obj


class _Reducers(dict[type, Callable[[Any], Any]]):
    """``Pickler.dispatch_table``: a reducer for each plain slotted data class, made when first met."""

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        names = _plain_fields(cls)
        if names is None:
            raise KeyError(cls)
        get = operator.attrgetter(*names) if names else (lambda obj: ())
        if len(names) == 1:
            def reduce(obj: Any, cls: type = cls, get: Any = get) -> Any:
                return _rebuild, (cls, (get(obj),))
        else:
            def reduce(obj: Any, cls: type = cls, get: Any = get) -> Any:
                return _rebuild, (cls, get(obj))
        self[cls] = reduce
        return reduce


class _Pickler(pickle.Pickler):
    dispatch_table = _Reducers()


def dumps(obj: object) -> bytes:
    """``obj`` pickled (protocol 5), slotted data classes as their field values."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=5).dump(obj)
    return buffer.getvalue()


class _Unpickler(pickle.Unpickler):
    """Resolves only data classes and enums of this program, plain containers and :func:`_rebuild`."""

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_rebuild":
            return _rebuild
        if module == "builtins" and name in _SAFE_BUILTINS:
            return super().find_class(module, name)
        if (module, name) in _SAFE_ELSEWHERE:
            return super().find_class(module, name)
        if module.split(".", 1)[0] in _OWN_PACKAGES and (module in sys.modules or _importable(module)):
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum)):
                return found
        raise pickle.UnpicklingError(f"not allowed in a cache entry: {module}.{name}")


def _importable(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def loads(data: bytes) -> object:
    """The object :func:`dumps` wrote, resolving only the allowed globals (else ``UnpicklingError``)."""
    return _Unpickler(io.BytesIO(data)).load()


def json_key(parts: Mapping[str, object]) -> str:
    """SHA-256 (hex) of ``parts`` as sorted JSON: the key of an entry whose inputs are plain text and numbers
    (a file's hash, its name, code version, language, limits), the same on every machine and Python."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def digest(*parts: object) -> str:
    """SHA-256 (hex) of ``parts`` pickled: a key part for values of the run (profile, survey rows …).

    Sets are pickled in sorted order where they can be, so the digest does not depend on the hash seed, and
    every object by value, so it does not depend on which equal objects are one (:class:`_DigestPickler`).
    """
    buffer = io.BytesIO()
    _DigestPickler(buffer, protocol=5).dump(parts)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


class _DigestPickler(pickle.Pickler):
    """:func:`dumps`' reducers, with sets in sorted order and without pickle's memo (``fast``).

    ``persistent_id`` is the one hook the C pickler calls before its own handling of sets; the sorted items
    it returns are pickled in the set's place (a digest is never unpickled).  Without the memo every object is
    written by value wherever it occurs, so a digest does not depend on which equal values happen to be one
    object — results loaded from the store and fresh ones share strings and tuples differently, and both must
    give the same key.
    """

    dispatch_table = _Reducers()

    def __init__(self, file: io.BytesIO, protocol: int) -> None:
        super().__init__(file, protocol=protocol)
        self.fast = True

    def persistent_id(self, obj: Any) -> Any:
        if type(obj) in (set, frozenset):
            try:
                items = sorted(obj)
            except TypeError:
                items = sorted(obj, key=repr)
            return type(obj).__name__, tuple(items)
        return None


# --------------------------------------------------------------------------- the store


class ObjectStore:
    """Objects by key in one sub-folder of the cache folder (see the module docstring for the rules)."""

    def __init__(self, folder: Path | None, limit_bytes: int) -> None:
        self.folder = folder
        self.limit_bytes = limit_bytes

    @classmethod
    def from_environment(cls, kind: str, environ: Mapping[str, str] | None = None) -> ObjectStore:
        """The store ``kind`` (``reads``, ``flows``) in the user's cache folder; off when the cache is."""
        folder = cache_folder(environ)
        return cls(folder / kind if folder is not None else None, cache_limit(environ))

    @property
    def on(self) -> bool:
        return self.folder is not None

    def _path(self, key: str) -> Path | None:
        if self.folder is None or not _KEY.match(key):
            return None
        return self.folder / key[:2] / f"{key}{_SUFFIX}"

    def get(self, key: str, kind: type[T]) -> T | None:
        """The stored object if it is whole, ours and a ``kind``; None otherwise (a miss)."""
        path = self._path(key)
        if path is None:
            return None
        try:
            with open(path, "rb") as stream:
                if os.fstat(stream.fileno()).st_uid != os.getuid():
                    return None
                data = stream.read()
        except OSError:
            return None
        head = len(_MAGIC) + 32
        if not data.startswith(_MAGIC) or hashlib.sha256(data[head:]).digest() != data[len(_MAGIC):head]:
            return None
        try:
            found = loads(data[head:])
        except Exception:  # anything a foreign or stale entry raises is a miss
            return None
        if not isinstance(found, kind):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the store is pruned
        return found

    def put(self, key: str, obj: object) -> None:
        """Store ``obj`` atomically (silently skipped when it cannot be pickled or the folder written)."""
        path = self._path(key)
        if path is None:
            return
        try:
            payload = dumps(obj)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if len(payload) > self.limit_bytes:
            return
        with contextlib.suppress(OSError):
            write_atomically(path, _MAGIC + hashlib.sha256(payload).digest() + payload)

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last used, size, path) of every entry."""
        return entries_in(self.folder, (_SUFFIX,))


KINDS = ("reads", "flows", "surveys")
"""The stores of results (the pictures have their own, :mod:`reports.pictures_cache`)."""


def prune_results(environ: Mapping[str, str] | None = None) -> int:
    """Bound the result stores together by ``BPM_CACHE_MB`` (least recently used first); the bytes removed."""
    return prune([ObjectStore.from_environment(kind, environ) for kind in KINDS], cache_limit(environ))


def prune(stores: Iterable[ObjectStore], limit_bytes: int) -> int:
    """Remove the least recently used entries of ``stores`` until together they hold at most ``limit_bytes``;
    the bytes removed."""
    return remove_oldest([entry for store in stores for entry in store.entries()], limit_bytes)


# --------------------------------------------------------------------------- files (shared with the picture cache)


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` in ``path`` through a temporary file renamed into place, so a stopped run or two scans at once
    leave whole files only (the folder made 0700 if missing).  Raises OSError; callers treat it as "not stored"."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, scratch = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def entries_in(folder: Path | None, suffixes: tuple[str, ...]) -> list[tuple[float, int, Path]]:
    """(last used, size, path) of every entry of a key-named cache folder: hex names with one of ``suffixes``
    in two-character sub-folders (anything else there, a symlinked sub-folder included, is not ours to count or
    remove); empty when the folder cannot be read."""
    if folder is None or not folder.is_dir():
        return []
    found: list[tuple[float, int, Path]] = []
    try:
        for sub in folder.iterdir():
            if not (len(sub.name) == 2 and sub.is_dir() and not sub.is_symlink()):
                continue
            for path in sub.iterdir():
                if path.suffix in suffixes and _KEY.match(path.stem) and path.is_file():
                    status = path.stat()
                    found.append((status.st_mtime, status.st_size, path))
    except OSError:
        return []
    return found


def remove_oldest(entries: Iterable[tuple[float, int, Path]], limit_bytes: int) -> int:
    """Remove the least recently used of ``entries`` until the rest hold at most ``limit_bytes``; the bytes
    removed (an entry that cannot be removed is skipped)."""
    ordered = sorted(entries)
    total = sum(size for _, size, _ in ordered)
    removed = 0
    for _, size, path in ordered:
        if total - removed <= limit_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        removed += size
    return removed
