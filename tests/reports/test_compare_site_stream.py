"""The comparison site is written as it is rendered, with the same bytes, messages and refusals as in memory.

Why: at 1,741 cities ``bpm compare`` held every page until publishing.  Now
:func:`reports.compare_site.compare_files` hands out each file as its job
finishes and :func:`reports.compare_site.build_compare` writes it into the
staging folder at once.  The site on disk must equal what
:func:`reports.compare_site.render_compare` gives in memory (marker included),
the messages must come in the same order, and an anonymised site holding a
name must be refused naming the same file, with nothing put in place.
Built from the bench's synthetic figures (5 cities, 3 procedures, no diagrams).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.municipal_site import figures
from bpm.errors import BpmError, say
from reports.compare_anon import anonymise
from reports.compare_site import CompareInput, build_compare, compare_files, render_compare
from reports.outdir import MARKER
from scoring.city_run import CityResult
from scoring.compare import compare

ENV = {"SOURCE_DATE_EPOCH": "0"}


def plain() -> CompareInput:
    cities, flows = figures(5, 3, seed=2)
    return CompareInput(compare(cities, flows), diagrams="none")


def shown_word() -> str:
    """A procedure's name: on the overview, its own page and every city's page."""
    _cities, flows = figures(5, 3, seed=2)
    return flows[0].procedure_ja


def anonymised(extra_names: tuple[str, ...] = ()) -> CompareInput:
    """An anonymised comparison; ``extra_names`` are words the check must refuse (to make a leak on purpose)."""
    cities, flows = figures(5, 3, seed=2)
    results = [CityResult(city, tuple(f for f in flows if f.city == key), (), ()) for key, city in cities.items()]
    coded, scrubber, names = anonymise(results, "salt")
    comparison = compare({r.city.key: r.city for r in coded}, [f for r in coded for f in r.flows])
    return CompareInput(comparison, {}, True, scrubber, names + extra_names, (), "none")


def on_disk(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("make", [plain, anonymised], ids=["plain", "anonymised"])
def test_the_written_site_and_messages_equal_the_site_in_memory(make: Callable[[], CompareInput], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])  # build_compare reads the environment
    data = make()
    said_memory: list[str] = []
    site = render_compare(data, progress=said_memory.append, jobs=2)
    said_disk: list[str] = []
    out = tmp_path / "site"
    written = build_compare(data, out, progress=said_disk.append, jobs=2)
    assert on_disk(out) == site
    assert written == sorted(out / name for name in site)
    assert said_disk[: len(said_memory)] == said_memory and len(said_disk) == len(said_memory) + 1  # + "wrote"


def test_files_come_one_by_one_and_each_name_once() -> None:
    said: list[str] = []
    files = compare_files(plain(), progress=said.append, environ=ENV)
    first_name, _ = next(files)
    assert first_name == "index.html" and len(said) == 1  # the other pages are not rendered yet
    names = [first_name, *(name for name, _ in files)]
    assert len(names) == len(set(names)) and MARKER not in names
    site = render_compare(plain(), environ=ENV)
    assert dict(compare_files(plain(), environ=ENV)) == {n: b for n, b in site.items() if n != MARKER}


def _refusal(action: Callable[[], object]) -> str:
    with pytest.raises(BpmError) as raised:
        action()
    return f"{raised.value.file}: {raised.value}"


def test_a_leak_is_refused_naming_the_same_file_and_nothing_is_put_in_place(tmp_path: Path) -> None:
    leaky = anonymised(extra_names=(shown_word(),))
    said_memory: list[str] = []
    in_memory = _refusal(lambda: render_compare(leaky, progress=said_memory.append, environ=ENV))
    out = tmp_path / "site"
    said: list[str] = []
    streamed = _refusal(lambda: build_compare(leaky, out, progress=said.append))
    assert streamed == in_memory
    assert not in_memory.startswith("index.html")  # the first file by name, not the first rendered
    assert said == said_memory and said[-1] == say("compare_site.checking_names").render()
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no site, no staging folder left


def test_a_leak_stops_handing_out_files() -> None:
    handed: list[str] = []
    with pytest.raises(BpmError):
        for name, _ in compare_files(anonymised(extra_names=(shown_word(),)), environ=ENV):
            handed.append(name)
    clean = [name for name, _ in compare_files(anonymised(), environ=ENV)]
    assert handed == clean[: len(handed)] and len(handed) < len(clean)
