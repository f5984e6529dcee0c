"""Nothing lost when a site is written: the user's files, a concurrent run, a kill, a full disk.

Real processes, real locks, real file systems: a second process holds the
lock, a scan is killed mid-write, a file size limit (and, where it can be
mounted, a tiny tmpfs) fills the disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bpm.errors import RenderError
from reports.outdir import MARKER, lock_folder, lock_path
from reports.site import SiteInput, build_site

REPO = Path(__file__).resolve().parents[2]
COUNTER = REPO / "tests" / "data" / "scoring" / "counter.bpmn"


def run_bpm(*args: str, cwd: Path | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=300,
        **kwargs,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path, keep: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name != keep)


# --------------------------------------------------------------------------- the user's files


def test_files_the_user_added_are_kept(site_input: SiteInput, tmp_path: Path) -> None:
    """Re-running into an earlier site deleted the user's own files without a word."""
    out = tmp_path / "site"
    build_site(site_input, out)
    (out / "README.txt").write_text("社内向けの説明", encoding="utf-8")
    (out / ".htaccess").write_text("Require ip 10.0.0.0/8\n", encoding="utf-8")
    (out / "static" / "logo.png").write_bytes(b"\x89PNG logo")
    (out / "archive" / "2023").mkdir(parents=True)
    (out / "archive" / "2023" / "old.html").write_text("last year", encoding="utf-8")
    (out / "empty").mkdir()
    (out / "latest").symlink_to("index.html")
    messages: list[str] = []
    build_site(site_input, out, progress=messages.append)
    assert (out / "README.txt").read_text(encoding="utf-8") == "社内向けの説明"
    assert (out / ".htaccess").read_text(encoding="utf-8") == "Require ip 10.0.0.0/8\n"
    assert (out / "static" / "logo.png").read_bytes() == b"\x89PNG logo"
    assert (out / "archive" / "2023" / "old.html").read_text(encoding="utf-8") == "last year"
    assert (out / "empty").is_dir()
    assert os.readlink(out / "latest") == "index.html"
    assert any(m.startswith("keeping 6 file(s) bpm did not write") for m in messages), messages
    manifest = json.loads((out / MARKER).read_text(encoding="utf-8"))["files"]
    assert "index.html" in manifest and "README.txt" not in manifest
    assert leftovers(tmp_path, "site") == []


def test_a_file_of_the_users_where_we_write_is_refused_by_name(site_input: SiteInput, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(replace(site_input, downloads={}), out)
    (out / "downloads").mkdir()
    (out / "downloads" / "results.csv").write_text("my own spreadsheet", encoding="utf-8")
    before = snapshot(out)
    clash = r"1 file\(s\) of yours where the report writes its own: downloads/results.csv"
    with pytest.raises(RenderError, match=clash):
        build_site(site_input, out)
    assert snapshot(out) == before
    assert leftovers(tmp_path, "site") == []


def test_a_site_from_before_the_manifest_is_recognised_by_its_layout(site_input: SiteInput, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("This directory was written by `bpm scan`; it is replaced on every run.\n")
    (out / "flow-gone-0000.html").write_text("a page of ours from an old run")
    (out / "notes.txt").write_text("mine")
    build_site(site_input, out)
    assert not (out / "flow-gone-0000.html").exists()
    assert (out / "notes.txt").read_text() == "mine"


# --------------------------------------------------------------------------- one run at a time


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """Another process that holds the lock of tmp_path/site until it is killed."""
    out = tmp_path / "site"
    code = ("import sys, time; from pathlib import Path; from reports.outdir import lock_folder; "
            "lock = lock_folder(Path(sys.argv[1])); print('locked', flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    yield out, holder
    holder.kill()
    holder.wait()


def test_a_second_run_is_refused_while_one_is_writing(
    site_input: SiteInput, lock_holder: tuple[Path, subprocess.Popen[str]]
) -> None:
    """Two scans to one --out both reported success and the last one won."""
    out, _ = lock_holder
    with pytest.raises(RenderError, match="another bpm scan is writing") as caught:
        build_site(site_input, out)
    assert caught.value.hint is not None and str(lock_path(out.resolve())) in caught.value.hint
    assert not out.exists()


def test_the_cli_refuses_a_concurrent_scan_before_any_work(lock_holder: tuple[Path, subprocess.Popen[str]]) -> None:
    out, _ = lock_holder
    result = run_bpm("scan", str(COUNTER), "--out", str(out))
    assert result.returncode == 1
    assert f"{out}: another bpm scan is writing {out} right now" in result.stderr
    assert "reading" not in result.stderr  # refused before reading anything


def test_a_killed_run_does_not_block_the_next(
    site_input: SiteInput, lock_holder: tuple[Path, subprocess.Popen[str]]
) -> None:
    out, holder = lock_holder
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_path(out).exists()  # the killed run could not clean up: a stale lock file
    build_site(site_input, out)
    assert (out / "index.html").is_file()
    assert not lock_path(out).exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked children share the lock's open file on POSIX only")
def test_a_child_forked_while_the_lock_is_held_does_not_keep_it_after_the_run_dies(
    site_input: SiteInput, tmp_path: Path, process_alive: Callable[[int], bool]
) -> None:
    """A killed scan's pool workers kept the lock (they share its open file), so the next scan was refused."""
    out = tmp_path / "site"
    code = ("import os, sys, time; from pathlib import Path; from reports.outdir import lock_folder; "
            "lock = lock_folder(Path(sys.argv[1])); child = os.fork()\n"
            "if child == 0:\n    time.sleep(120); os._exit(0)\n"
            "print(child, flush=True); time.sleep(120)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert holder.stdout is not None
    child = int(holder.stdout.readline())
    try:
        holder.kill()
        holder.wait()
        assert process_alive(child)  # the forked child outlives the run ...
        build_site(site_input, out)  # ... but does not hold the lock
        assert (out / "index.html").is_file()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def test_a_child_forked_while_the_lock_is_held_leaves_it_to_the_parent(tmp_path: Path) -> None:
    """The child's copy is closed, not released: it must not remove the lock file the parent still holds."""
    out = tmp_path / "site"
    with lock_folder(out):
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child, which exits without pytest's unwinding
            os._exit(0)
        os.waitpid(child, 0)
        assert lock_path(out).exists()
        with pytest.raises(RenderError, match="another bpm scan is writing"):
            lock_folder(out)
    assert not lock_path(out).exists()


def test_the_lock_is_released_and_removed(site_input: SiteInput, tmp_path: Path) -> None:
    out = tmp_path / "site"
    with lock_folder(out) as lock:
        build_site(site_input, out, lock=lock)
        assert lock_path(out).exists()
    assert not lock_path(out).exists()
    build_site(site_input, out)  # and can be taken again


# --------------------------------------------------------------------------- the swap


def test_a_run_killed_between_the_renames_is_repaired(site_input: SiteInput, tmp_path: Path) -> None:
    """A kill between the two renames of the swap left no site, only hidden folders that were never cleaned.

    This is the state the two-rename fallback leaves when killed there (the
    atomic exchange used on Linux leaves none): the old site moved aside, a
    half-written new one.  The next run puts the old site back first, so even
    a run that then fails leaves a site, and cleans up the staging folders.
    """
    out = tmp_path / "site"
    build_site(site_input, out)
    before = snapshot(out)
    out.rename(tmp_path / ".site.bpm-abcd1234-old")
    (tmp_path / ".site.bpm-efgh5678-new" / "static").mkdir(parents=True)
    (tmp_path / ".site.x1y2z3w4.new").mkdir()  # the name an earlier version used
    broken = replace(site_input, downloads={"../escape.csv": b"x"})
    with pytest.raises(RenderError, match="download name"):
        build_site(broken, out)
    assert snapshot(out) == before
    assert leftovers(tmp_path, "site") == []


def test_a_site_or_the_old_site_is_always_there_when_a_scan_is_killed(tmp_path: Path) -> None:
    """Kill real scans at points spread over their run, the last ones close to the swap."""
    out = tmp_path / "site"
    started = time.monotonic()
    timed = run_bpm("-q", "scan", str(COUNTER), "--out", str(out), "--title", "timed")
    duration = time.monotonic() - started
    assert timed.returncode == 0, timed.stderr
    # A killed run may have finished before the kill (runs vary in speed), so the site left may be that of any run
    # started so far, but always a whole one: a complete index with one of their titles and its static files.
    started_titles = ["timed"]
    for fraction in (0.6, 0.85, 0.95, 1.02):
        started_titles.append(f"run {fraction}")
        scan = subprocess.Popen([sys.executable, "-m", "bpm.cli", "-q", "scan", str(COUNTER), "--out", str(out),
                                 "--title", started_titles[-1]], cwd=REPO, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        scan.kill()
        scan.wait()
        index = (out / "index.html").read_text(encoding="utf-8")
        assert "</html>" in index and (out / MARKER).is_file(), fraction
        assert sum(f"<title>概要 | {t}</title>" in index for t in started_titles) == 1, (fraction, started_titles)
        assert len(list((out / "static").iterdir())) == 3
    last = run_bpm("-q", "scan", str(COUNTER), "--out", str(out), "--title", "last")
    assert last.returncode == 0, last.stderr
    assert leftovers(tmp_path, "site") == []


# --------------------------------------------------------------------------- where it cannot write


def test_out_dot_is_refused_cleanly(tmp_path: Path) -> None:
    """--out . wrote the site and then failed with FileNotFoundError (exit 3)."""
    result = run_bpm("scan", str(COUNTER), "--out", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "is the folder you are working in" in result.stderr and "--out site" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["/proc/bpm-test/site", "{tmp}/a-file/site"])
def test_an_unwritable_output_is_exit_1_naming_the_path(tmp_path: Path, target: str) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    out = target.format(tmp=tmp_path)
    result = run_bpm("-q", "scan", str(COUNTER), "--out", out)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{out}: cannot write the site to {out}: ")
    assert "Traceback" not in result.stderr


def test_a_folder_we_may_not_enter_is_exit_1_not_a_traceback(tmp_path: Path) -> None:
    """Root ignores permissions, so the check is run without the capabilities that let it (setpriv)."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or os.geteuid() != 0:
        pytest.skip("needs root and util-linux setpriv to drop the permission-override capabilities")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o000)
    out = locked / "site"
    try:
        result = subprocess.run(
            [setpriv, "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m", "bpm.cli", "-q", "scan",
             str(COUNTER), "--out", str(out)],
            capture_output=True, text=True, cwd=REPO, timeout=300,
        )
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert f"cannot write the site to {out}: Permission denied" in result.stderr


def _small_files() -> None:
    """In the child: files may not grow beyond 64 KB (EFBIG instead of the default SIGXFSZ kill)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_is_exit_1_and_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert run_bpm("-q", "scan", str(COUNTER), "--out", str(out)).returncode == 0
    before = snapshot(out)
    result = run_bpm("-q", "scan", str(COUNTER), "--out", str(out), preexec_fn=_small_files)
    assert result.returncode == 1, result.stderr
    assert f"cannot write the site to {out}: File too large" in result.stderr
    assert snapshot(out) == before
    assert leftovers(tmp_path, "site") == []


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs, where this machine lets us mount one (root with CAP_SYS_ADMIN)."""
    mount = shutil.which("mount")
    point = tmp_path / "disk"
    point.mkdir()
    if mount is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_really_full_disk_is_exit_1_naming_the_path(tiny_disk: Path) -> None:
    out = tiny_disk / "site"
    result = run_bpm("-q", "scan", str(COUNTER), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert f"cannot write the site to {out}: No space left on device" in result.stderr
    assert "free some space" in result.stderr
    assert list(tiny_disk.iterdir()) == []


def test_pages_are_written_as_they_come_and_the_marker_lists_them(tmp_path: Path) -> None:
    """A thousand-flow site is streamed: each file is on disk before the next one is even made."""
    from reports.outdir import publish_files

    out = tmp_path / "site"
    seen_on_disk: list[bool] = []

    def pages() -> Iterator[tuple[str, bytes]]:
        for number in range(5):
            if number:
                staged = list(tmp_path.glob(f".site.bpm-*-new/flow-{number - 1}.html"))
                seen_on_disk.append(len(staged) == 1)
            yield f"flow-{number}.html", f"<p>{number}</p>".encode()

    with lock_folder(out):
        names = publish_files(pages(), out, lambda _message: None)
    assert seen_on_disk == [True] * 4
    assert names == sorted([MARKER, *(f"flow-{n}.html" for n in range(5))])
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["files"] == names
    assert (out / "flow-3.html").read_bytes() == b"<p>3</p>"


def test_a_failure_while_streaming_leaves_the_previous_site(tmp_path: Path) -> None:
    from reports.outdir import publish_files

    out = tmp_path / "site"
    with lock_folder(out):
        publish_files(iter([("index.html", b"old")]), out, lambda _message: None)

    def broken() -> Iterator[tuple[str, bytes]]:
        yield "index.html", b"new"
        raise RenderError("cannot draw", file="flow.bpmn", line=3)

    with lock_folder(out), pytest.raises(RenderError):
        publish_files(broken(), out, lambda _message: None)
    assert (out / "index.html").read_bytes() == b"old"
    assert not list(tmp_path.glob(".site.bpm-*"))  # no staging folder left behind


def test_a_streamed_site_carries_kept_files_over_as_links_and_lists_them(tmp_path: Path) -> None:
    """A versioned site's earlier versions are hard-linked into the new site, beside the user's own files,
    and listed in the marker; the pages arrive one by one as in any streamed site."""
    from reports.outdir import publish_files

    out = tmp_path / "site"
    with lock_folder(out):
        publish_files(iter([("index.html", b"v1"), ("versions/a/1/page.html", b"old page")]), out,
                      lambda _message: None)
    (out / "notes.txt").write_bytes(b"the user's")
    before = (out / "versions/a/1/page.html").stat().st_ino

    with lock_folder(out):
        names = publish_files(iter([("index.html", b"v2")]), out, lambda _message: None,
                              keep={"versions/a/1/page.html"})
    assert names == sorted([MARKER, "index.html", "versions/a/1/page.html"])
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["files"] == names
    assert (out / "versions/a/1/page.html").stat().st_ino == before
    assert (out / "index.html").read_bytes() == b"v2"
    assert (out / "notes.txt").read_bytes() == b"the user's"


@pytest.mark.parametrize("keep", ["index.html", "versions/missing.html", "../outside.html", MARKER])
def test_a_kept_file_that_is_rewritten_or_not_ours_is_refused_and_the_site_left(tmp_path: Path, keep: str) -> None:
    from reports.outdir import publish_files

    out = tmp_path / "site"
    (tmp_path / "outside.html").write_bytes(b"not ours")
    with lock_folder(out):
        publish_files(iter([("index.html", b"v1")]), out, lambda _message: None)
    before = snapshot(out)
    with lock_folder(out), pytest.raises(RenderError, match=r"cannot keep|cannot write"):
        publish_files(iter([("index.html", b"v2")]), out, lambda _message: None, keep={keep})
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".site.bpm-*"))
