"""Putting a finished site into its folder without losing anything.

The rules, as the README states them:

* ``--out`` is a new folder, an empty folder or a site ``bpm scan`` wrote
  (it holds the :data:`MARKER` file).  Anything else is refused untouched.
* The marker lists every file we wrote (the manifest).  On the next run those
  are replaced; every other file or folder in the site — the user's own
  ``README.txt``, ``.htaccess`` or logo — is carried over into the new site
  unchanged.  When one of the user's files sits where we now write a file, the
  run is refused and names it: nothing is overwritten silently.  (A site from
  an earlier version has a marker without a manifest; there our files are
  recognised by the site's fixed layout.)
* One run at a time per folder: an exclusive ``flock`` on
  ``.<name>.bpm-lock`` next to the folder; a second run is refused at once.
  The system drops the lock when a run dies, so a killed run never blocks the
  next one.  A process forked while the lock is held (the per-flow pool's
  workers) shares the lock's open file, so each closes its copy at fork:
  only the run itself holds the lock, and it goes when the run goes.
* The new site is written into a staging folder next to the output and
  exchanged with the old one in one atomic step (``renameat2`` with
  ``RENAME_EXCHANGE`` on Linux), so the folder always holds the old or the new
  site.  Where that call is missing, two renames are used, and a run killed
  between them is repaired by the next run, which first puts the old site
  back.  Staging folders left by killed runs are removed by the next run.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from types import TracebackType

from bpm.errors import RenderError, say

__all__ = [
    "MARKER", "FileCopy", "FolderLock", "SiteData", "check_out_dir", "lock_folder", "lock_path", "marker_bytes",
    "publish", "publish_files", "recover",
]

MARKER = ".bpm-site"
"""File that marks a directory as a site we wrote (and may therefore replace); it lists what we wrote."""

_MARKER_NOTE = (
    "This folder was written by `bpm scan` and is replaced on every run. "
    "Files listed under 'files' are bpm's own; any other file you put here is kept."
)
_LEGACY_LAYOUT = (
    MARKER, "index.html", "candidates.html", "assumptions.html", "flow-*.html", "static/site.css",
    "static/site.js", "static/dispositions.css", "diagrams/*.svg", "diagrams/*.png", "diagrams/*.pdf",
    "downloads/results.csv", "downloads/results.xlsx", "downloads/results.json", "downloads/assessment.json",
    "downloads/annotated/*.bpmn",
)
"""What sites written before the manifest held; used only when a marker has no file list."""

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class FileCopy:
    """A file of the site that is already on disk (a spooled download): copied into place, never read whole."""

    path: Path


SiteData = bytes | FileCopy
"""A site file's content as :func:`publish_files` takes it."""


# --------------------------------------------------------------------------- marker and manifest


def marker_bytes(names: list[str]) -> bytes:
    """The marker file: a note for people and the sorted list of the files we wrote."""
    document = {"written_by": "bpm scan", "note": _MARKER_NOTE, "files": sorted({*names, MARKER})}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _manifest(out_dir: Path) -> Callable[[str], bool]:
    """Whether a relative path is ours, by the marker's list (or, for an old marker, the fixed layout)."""
    try:
        document = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
        files = document["files"]
        if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
            raise TypeError("files is not a list of names")
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        return _in_legacy_layout
    return set(files).__contains__


def _in_legacy_layout(name: str) -> bool:
    """``flow-x.html`` is ours in an old site, ``notes/flow-x.html`` is not: folders must match exactly.

    >>> _in_legacy_layout("flow-a.html"), _in_legacy_layout("notes/flow-a.html"), _in_legacy_layout("README")
    (True, False, False)
    """
    folder, _, base = name.rpartition("/")
    for pattern in _LEGACY_LAYOUT:
        pattern_folder, _, pattern_base = pattern.rpartition("/")
        if folder == pattern_folder and fnmatchcase(base, pattern_base):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Entry:
    """A file, link or empty folder of the user's inside an earlier site."""

    name: str
    """Relative POSIX path."""
    kind: str
    """``file``, ``link``, ``folder`` or ``special``."""


def _users_entries(out_dir: Path) -> list[_Entry]:
    """Everything in an earlier site that we did not write, as leaves (files, links, empty folders)."""
    if not (out_dir / MARKER).is_file():
        return []
    is_ours = _manifest(out_dir)
    entries: list[_Entry] = []
    for folder, subfolders, files in os.walk(out_dir, followlinks=False, onerror=_raise):
        here = Path(folder)
        relative = here.relative_to(out_dir).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        for name in sorted(subfolders):
            path = here / name
            if path.is_symlink():
                entries.append(_Entry(prefix + name, "link"))
            elif not any(path.iterdir()):
                entries.append(_Entry(prefix + name, "folder"))
        subfolders[:] = sorted(n for n in subfolders if not (here / n).is_symlink())
        for name in sorted(files):
            if is_ours(prefix + name):
                continue
            mode = (here / name).lstat().st_mode
            kind = "link" if stat.S_ISLNK(mode) else "file" if stat.S_ISREG(mode) else "special"
            entries.append(_Entry(prefix + name, kind))
    return entries


def _raise(error: OSError) -> None:
    raise error


def _in_the_way(entries: list[_Entry], names: Collection[str]) -> list[str]:
    """The user's entries at a path we write, or a file where we need a folder (and the reverse)."""
    folders = {str(parent) for name in names for parent in PurePosixPath(name).parents if str(parent) != "."}
    clashes = []
    for entry in entries:
        file_in_the_way = entry.name in names or (entry.name in folders and entry.kind != "folder")
        if file_in_the_way or any(str(parent) in names for parent in PurePosixPath(entry.name).parents):
            clashes.append(entry.name)
    return clashes


# --------------------------------------------------------------------------- the lock


@dataclass
class FolderLock:
    """An exclusive lock on an output folder, held as long as this object is open."""

    out_dir: Path
    """The folder the lock protects."""
    path: Path
    """The lock file next to it."""
    fd: int | None = field(default=None, repr=False)
    """The open lock file (None once released, or where the file system cannot lock)."""

    def release(self) -> None:
        """Remove the lock file, then let go of the lock (in that order, see :func:`lock_folder`)."""
        if self.fd is None:
            return
        _HELD.pop(id(self), None)
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(self.fd)
        self.fd = None

    def __enter__(self) -> FolderLock:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


def lock_path(out_dir: Path) -> Path:
    """``.<name>.bpm-lock`` beside the folder: it survives the swap, and a directory scan skips it (hidden)."""
    return out_dir.parent / f".{out_dir.name}.bpm-lock"


def lock_folder(out_dir: Path) -> FolderLock:
    """Take the folder's lock or raise :class:`RenderError` at once when another run holds it.

    The holder deletes the lock file before it lets go; a run that opened the
    file just before that checks, once it has the lock, that the file is still
    the one at the path, and otherwise tries again on the new file.
    """
    out_dir = _absolute(out_dir)
    path = lock_path(out_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(out_dir, error) from None
    for _attempt in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as error:
            raise write_error(out_dir, error) from None
        try:
            locked = _try_lock(fd)
        except OSError:  # a file system without locks (some network shares): go on unlocked
            os.close(fd)
            return FolderLock(out_dir, path, None)
        if not locked:
            os.close(fd)
            raise RenderError(
                say("outdir.locked", out=out_dir),
                file=str(out_dir),
                hint=say("outdir.locked_hint", lock=path),
            )
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            held = FolderLock(out_dir, path, fd)
            _HELD[id(held)] = held
            return held
        os.close(fd)
    raise RenderError(say("outdir.lock_changing", out=out_dir), file=str(path))


_HELD: dict[int, FolderLock] = {}
"""The locks this process holds, so that a forked child can let go of its copies."""


def _drop_inherited_locks() -> None:
    """In a forked child: close the held locks' files and forget them, without unlinking.

    ``flock`` belongs to the open file, which a child shares with its parent:
    a pool worker left running after its run was killed (or one slow to stop)
    would otherwise keep the folder locked, and the next run would be refused.
    The child must not remove the lock file either, since the parent still
    holds it; so its copies are closed and marked released.
    """
    for held in _HELD.values():
        if held.fd is not None:
            with contextlib.suppress(OSError):
                os.close(held.fd)
            held.fd = None
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_drop_inherited_locks)


def _try_lock(fd: int) -> bool:
    """Non-blocking exclusive lock; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - not run in CI
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


# --------------------------------------------------------------------------- checks


def _absolute(out_dir: Path) -> Path:
    """Absolute, with symbolic links resolved: a linked site is replaced where it really is."""
    return Path(os.path.realpath(os.path.abspath(out_dir)))


def check_out_dir(out_dir: Path) -> Path:
    """The absolute output folder, or :class:`RenderError` when it must not be replaced."""
    out_dir = _absolute(out_dir)
    if out_dir.parent == out_dir:
        raise RenderError(say("outdir.root", out=out_dir), file=str(out_dir), hint=say("outdir.root_hint"))
    here = _absolute(Path.cwd())
    if here == out_dir or out_dir in here.parents:
        raise RenderError(
            say("outdir.cwd", out=out_dir),
            file=str(out_dir),
            hint=say("outdir.cwd_hint"),
        )
    try:
        if out_dir.exists() and not out_dir.is_dir():
            raise RenderError(say("outdir.not_directory", out=out_dir), file=str(out_dir),
                              hint=say("outdir.not_directory_hint"))
        if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise RenderError(
                say("outdir.foreign", out=out_dir, marker=MARKER),
                file=str(out_dir),
                hint=say("outdir.foreign_hint"),
            )
    except OSError as error:
        raise write_error(out_dir, error) from None
    return out_dir


def write_error(out_dir: Path, error: OSError) -> RenderError:
    """One message for every way writing can fail: unwritable, full disk, too large, gone."""
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(out_dir) else ""
    hint = {
        errno.ENOSPC: say("outdir.hint_no_space"),
        errno.EDQUOT: say("outdir.hint_quota"),
        errno.EFBIG: say("outdir.hint_too_big"),
        errno.EACCES: say("outdir.hint_forbidden"),
        errno.EPERM: say("outdir.hint_forbidden"),
        errno.EROFS: say("outdir.hint_read_only"),
    }.get(error.errno or 0, say("outdir.hint_elsewhere"))
    return RenderError(say("outdir.cannot_write", out=out_dir, reason=error.strerror or error, where=where),
                       file=str(out_dir), hint=hint)


# --------------------------------------------------------------------------- staging and swap


_STAGING = re.compile(r"^\.(?P<name>.+)\.(bpm-[a-z0-9_]{8}-(?P<kind>new|old)|[a-z0-9_]{8}\.(?P<legacy>new|old))$")
"""Our staging folders: ``.<name>.bpm-xxxxxxxx-new|old`` (and the older ``.<name>.xxxxxxxx.new|old``)."""


def _staging_folders(out_dir: Path) -> Iterator[tuple[Path, str]]:
    try:
        names = sorted(os.listdir(out_dir.parent))
    except OSError:
        return
    for name in names:
        match = _STAGING.match(name)
        path = out_dir.parent / name
        if match and match.group("name") == out_dir.name and path.is_dir() and not path.is_symlink():
            yield path, match.group("kind") or match.group("legacy")


def recover(out_dir: Path, report: Progress) -> None:
    """Undo what a killed run left: put the old site back if it is missing, remove staging folders.

    Call with the folder's lock held, so no staging folder can belong to a live run.
    """
    stale = list(_staging_folders(out_dir))
    if not out_dir.exists():
        olds = [p for p, kind in stale if kind == "old" and (p / MARKER).is_file()]
        if olds:
            newest = max(olds, key=lambda p: p.stat().st_mtime)
            report(say("progress.restoring", name=newest.name).render())
            os.rename(newest, out_dir)
            stale = [(p, kind) for p, kind in stale if p != newest]
    for path, _kind in stale:
        report(say("progress.removing", name=path.name).render())
        shutil.rmtree(path, ignore_errors=True)


def publish(contents: Mapping[str, bytes], out_dir: Path, report: Progress, *, keep: Collection[str] = ()) -> None:
    """Write ``contents`` (relative POSIX name → bytes) as the site at ``out_dir``; hold its lock."""
    publish_files(contents.items(), out_dir, report, keep=keep)


def publish_files(
    files: Iterable[tuple[str, SiteData]], out_dir: Path, report: Progress, *, keep: Collection[str] = (),
    unchanged: Callable[[Collection[str], bytes], bool] | None = None,
) -> list[str]:
    """Write the files as they come into a staging folder, then swap it in as the site at ``out_dir``.

    ``files`` may be a generator that renders page after page: each is on
    disk before the next is made, so a big portfolio never sits in memory.
    ``keep`` names files of ours in the current site that the new site carries
    over unchanged (hard links, like the user's files): a versioned site keeps
    every earlier version without reading it into memory.  Each must be a
    regular file of the current site and not be written again.  The marker
    is written last, after the carried-over files, from the names written and
    kept, unless ``files`` brings its own (which must then list the kept ones).
    Nothing of the user's is overwritten (checked before the swap), a failure
    or a kill leaves the previous site in place.  Returns the names of the new
    site's own files, kept ones and the marker included.  Hold the folder's lock.
    ``unchanged`` (given every name but the marker's, and the marker's bytes)
    may say the current site already is this one: the staging folder is then
    dropped and ``out_dir`` left untouched.
    """
    recover(out_dir, report)
    check_out_dir(out_dir)
    try:
        entries = _users_entries(out_dir)
        kept = _kept_entries(out_dir, keep)
    except OSError as error:
        raise write_error(out_dir, error) from None
    special = [e.name for e in entries if e.kind == "special"]
    if special:
        raise RenderError(say("outdir.special", out=out_dir, names=", ".join(special[:5])),
                          file=str(out_dir), hint=say("outdir.special_hint"))
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.bpm-", suffix="-new", dir=out_dir.parent))
    except OSError as error:
        raise write_error(out_dir, error) from None
    try:
        names, marker = _write_all(staging, files)
        own = sorted({*names, *(e.name for e in kept)})
        marker = marker if marker is not None else marker_bytes(own)
        if unchanged is not None and unchanged(own, marker):
            shutil.rmtree(staging, ignore_errors=True)
            return sorted({*own, MARKER})
        _check_no_clash(out_dir, entries, kept, names)
        report(say("progress.wrote", count=len(names) + 1).render())
        if entries:
            report(say("progress.keeping_users", count=len(entries),
                       names=", ".join(e.name for e in entries[:5]) + (" …" if len(entries) > 5 else "")).render())
            _carry_over(out_dir, staging, entries)
        if kept:
            report(say("progress.keeping_versions", count=len(kept)).render())
            _carry_over(out_dir, staging, kept)
        _write_file(staging, MARKER, marker)
        for directory in [staging, *(p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink())]:
            directory.chmod(0o755)
        check_out_dir(out_dir)  # again: something may have appeared while we rendered
        _swap(staging, out_dir)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise write_error(out_dir, error) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted({*own, MARKER})


def _check_no_clash(out_dir: Path, entries: list[_Entry], kept: list[_Entry], names: Collection[str]) -> None:
    """Before the swap: no file of the user's in the way of ours, no kept file also written anew."""
    clashes = _in_the_way(entries, names)
    if clashes:
        shown = ", ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
        raise RenderError(
            say("outdir.clashes", out=out_dir, count=len(clashes), names=shown),
            file=str(out_dir),
            hint=say("outdir.clashes_hint"),
        )
    rewritten = sorted(e.name for e in kept if e.name in names)
    if rewritten:
        raise RenderError(say("outdir.keep_rewritten", out=out_dir, name=rewritten[0]),
                          file=str(out_dir), hint=say("outdir.caller_bug_hint"))


def _write_all(staging: Path, files: Iterable[tuple[str, SiteData]]) -> tuple[set[str], bytes | None]:
    """Every file but the marker (kept for last: a staging folder with a marker is complete); the names, the
    marker's bytes if one came along.  A name given twice keeps its last bytes, as in a mapping."""
    names: set[str] = set()
    marker: bytes | None = None
    for name, data in files:
        if name == MARKER:
            marker = data if isinstance(data, bytes) else data.path.read_bytes()
            continue
        _write_file(staging, name, data)
        names.add(name)
    return names, marker


def _write_file(staging: Path, name: str, data: SiteData) -> None:
    target = staging.joinpath(*PurePosixPath(name).parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, FileCopy):
        shutil.copyfile(data.path, target)  # in kernel-sized chunks: a big download never sits in memory
        return
    with open(target, "wb") as handle:
        handle.write(data)


def _kept_entries(out_dir: Path, keep: Collection[str]) -> list[_Entry]:
    """Our own files carried over; a name that is missing or not a plain file is refused (before any work)."""
    kept = []
    for name in sorted(set(keep)):
        path = out_dir.joinpath(*PurePosixPath(name).parts)
        if name == MARKER or ".." in PurePosixPath(name).parts or not stat.S_ISREG(path.lstat().st_mode):
            raise RenderError(say("outdir.keep_not_file", out=out_dir, name=name),
                              file=str(out_dir), hint=say("outdir.caller_bug_hint"))
        kept.append(_Entry(name, "file"))
    return kept


def _carry_over(old_site: Path, staging: Path, entries: list[_Entry]) -> None:
    """The user's files into the new site: hard links where possible (no copy), else copies."""
    for entry in entries:
        source = old_site.joinpath(*PurePosixPath(entry.name).parts)
        target = staging.joinpath(*PurePosixPath(entry.name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind == "folder":
            target.mkdir(exist_ok=True)
            shutil.copystat(source, target)
        elif entry.kind == "link":
            os.symlink(os.readlink(source), target)
        else:
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)


def _swap(staging: Path, out_dir: Path) -> None:
    """Put the staging folder in place of ``out_dir``; the old site is deleted last."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now the old site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.bpm-", suffix="-old", dir=out_dir.parent))
    old.rmdir()
    os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(old, out_dir)  # put the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux ``renameat2``); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
