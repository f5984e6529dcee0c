"""Run ``bpm`` once per hostile case in a fresh process, cheaply: a pre-imported parent forks a child per case.

Why not ``subprocess.run([python, -m, bpm.cli, …])`` per case: starting Python
and importing pandas, scipy, lxml and jinja2 costs about a second, which would
allow only a few dozen cases in the suite's CI budget.  A fork of a parent
that has already imported them starts in milliseconds, and each case still
runs in a process of its own with the real entry point (``bpm.cli.main``,
click's standalone mode, our error handler), an address-space limit
(``RLIMIT_AS``), a wall-clock deadline and its own process group (so a
Graphviz child is killed with it).

Protocol: one JSON request per line on stdin, ``{"args", "cwd", "timeout",
"memory"}``; one JSON answer per line on stdout, ``{"code", "signal",
"seconds", "max_rss_kb", "timed_out"}``.  The child's stdout and stderr go to
``stdout.txt`` and ``stderr.txt`` in ``cwd``.  Exit code 70 means an exception
escaped the command line handling (a traceback: always a bug).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sys
import time
import traceback

ESCAPED = 70
"""Exit code of a child in which an exception got past ``bpm.cli.main``."""


def _preload() -> None:
    """Import everything a command can touch, so children do not pay for it (an optimisation only)."""
    import importlib

    for name in ("bpm.cli", "bpm.lint", "bpm.visits", "scoring.assess", "scoring.table", "reports.export",
                 "reports.site"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _child(args: list[str], cwd: str, memory: int) -> None:
    os.setpgid(0, 0)
    os.chdir(cwd)
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    out = os.open("stdout.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open("stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(err, 2)
    code = 0
    try:
        from bpm.cli import main

        main(args=args, prog_name="bpm", standalone_mode=True)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = ESCAPED
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _run(request: dict[str, object]) -> dict[str, object]:
    args = [str(a) for a in request["args"]]  # type: ignore[attr-defined]
    cwd = str(request["cwd"])
    timeout = float(request["timeout"])  # type: ignore[arg-type]
    memory = int(request.get("memory") or 0)  # type: ignore[call-overload]
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(args, cwd, memory)
    timed_out = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > timeout:
            timed_out = True
            for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                with contextlib.suppress(ProcessLookupError):
                    target()
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.005)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # anything the command left running in its group
    return {
        "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "seconds": time.monotonic() - started,
        "max_rss_kb": usage.ru_maxrss,
        "timed_out": timed_out,
    }


def serve() -> None:
    _preload()
    print(json.dumps({"ready": True, "vm_kb": _vm_kb()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(json.dumps(_run(json.loads(line))), flush=True)


def _vm_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    serve()
