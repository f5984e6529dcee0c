"""Run one command and print its own resource usage as JSON: the launcher behind ``bench/measure.py``.

Why a launcher: on Linux a child's ``ru_maxrss`` starts from the resident
size of the process that forked it (the old memory map's high-water mark is
kept across ``exec``), so a child forked by the benchmark, which holds MIWG
models and portfolios in memory, would report the benchmark's memory as its
own.  This launcher is small (stdlib only, about 10 MiB), forks the command and
reports what ``os.wait4`` says about it: wall time, CPU time (with the
grandchildren it waited for, e.g. Graphviz) and peak resident memory.

    python bench/launch.py REPORT.json -- COMMAND ARG…
"""

import json
import os
import subprocess
import sys
import time


def main() -> None:
    report, argv = sys.argv[1], sys.argv[3:]
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    with open(report, "w", encoding="utf-8") as handle:
        json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
                   "returncode": process.returncode}, handle)
    sys.exit(0 if process.returncode == 0 else 1)


if __name__ == "__main__":
    main()
