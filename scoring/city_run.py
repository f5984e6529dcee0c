"""Read, assess and reduce one municipality's portfolio: the unit of work a process pool maps over cities.

Why per city: each city has its own profile (its staff cost per hour), its
own survey sheet and its own mapping table, so a city is assessed as ``bpm
score`` would assess it alone; what comes back is small (one
:class:`~scoring.compare.FlowFigures` per flow), so memory stays flat however
many cities are compared.  :func:`assess_city` is a function of its
arguments only and returns the same figures whichever worker runs it.

A whole city's :class:`CityResult` is kept in the user's result cache
(``BPM_CACHE_DIR``; ``off`` turns it off) under the digest of everything
:func:`assess_city` reads (:func:`city_key`): every input file's path and
bytes, the city's key and folder, the options, the code version and the
language.  Comparing again with one city in 1,741 changed then costs that
city's assessment plus ≈ 1.4 ms a city (measured) to hash the others' files.  A city
whose run raises a user error is never stored (it is read again).

The per-flow stores ``bpm score`` uses (:mod:`bpm.read_cache`,
:mod:`scoring.flow_cache`) are *not* used here: their keys hold each city's
path, profile and survey, so cities never share an entry; a national run
would write ≈ 210 KB a flow (≈ 7 GB for 1,741 × 20) for a store bounded by
``BPM_CACHE_MB`` (1 GiB by default), at up to ≈ 15 % more CPU on a cold run
(1.16× measured once, 0.99–1.07× another time), and pruning it, least
recently used first, would evict the early cities' whole results with it;
one ≈ 20 KB entry a city (≈ 35 MB) stays within the limit.
What a changed city costs again is its whole run (≈ 1 CPU-s), not only its
changed flows.

Errors are returned, not raised, so a worker process hands back the full
message (file, line, element, hint) — exceptions with keyword fields do not
survive pickling intact.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass
from pathlib import Path

from bpm.cache_store import ObjectStore, code_version, digest
from bpm.collector import collector_frozen
from bpm.errors import BpmError
from bpm.messages import language
from bpm.model import ArtifactKind, Definitions
from bpm.reader import read_bpmn
from scoring import interned
from scoring.assess import assess
from scoring.cities import MAPPING_FILES, CityMeta, MappingRow, load_city_meta, load_mapping, mapped_procedure
from scoring.compare import City, FlowFigures, flow_figures, staff_cash
from scoring.procedures import load_catalogue
from scoring.profile import load_profile
from scoring.survey import Survey, load_survey


@dataclass(frozen=True, slots=True)
class CityFiles:
    """Where one city's inputs are (found by the caller, which owns file discovery)."""

    key: str
    """The city's id in this run (its folder name, made unique)."""
    folder: str
    """The city folder."""
    metadata: str
    """Its ``municipality.toml``."""
    bpmn: tuple[tuple[str, str], ...]
    """(path, key inside the folder) of every BPMN file, sorted."""
    survey: str | None = None
    """Survey sheet, if any."""
    profile: str | None = None
    """Scoring profile, if any."""
    mapping: str | None = None
    """Mapping table (業務 → 標準手続); default: the one the metadata names, else one of
    :data:`~scoring.cities.MAPPING_FILES` in the folder."""


@dataclass(frozen=True, slots=True)
class CityError:
    """A user error met while reading one city, carried back whole."""

    message: str
    file: str | None
    line: int | None
    element_id: str | None
    hint: str | None

    def raise_it(self) -> None:
        """Raise it as a :class:`~bpm.errors.BpmError` (in the parent process)."""
        raise BpmError(self.message, file=self.file, line=self.line, element_id=self.element_id, hint=self.hint)


@dataclass(frozen=True, slots=True)
class CityResult:
    """One city, assessed and reduced."""

    city: City
    """The city (metadata and its profile's FTE hours and staff cost)."""
    flows: tuple[FlowFigures, ...]
    """One per assessed process, in file order."""
    excluded: tuple[tuple[str, str, str], ...]
    """(city, file key, message) of processes whose volumes cannot be computed."""
    unused_mapping: tuple[MappingRow, ...]
    """Mapping rows that matched no flow (said, not dropped)."""
    secrets: tuple[str, ...] = ()
    """Names and free-text notes that must not appear in an anonymised output (collected when asked)."""


CITY_STORE = "flows"
"""The store the whole-city results live in: the flow stages' own (``bpm score`` writes there), so
``BPM_CACHE_MB`` bounds them together (:func:`bpm.cache_store.prune_results`); their keys cannot meet (each
digest starts with its own format)."""
_CITY_FORMAT = "city 1"
"""Bumped when what :func:`city_key` covers changes."""


def assess_city(files: CityFiles, *, max_bytes: int, keep_dispositions: bool = True,
                collect_secrets: bool = False, money_in_full: bool = False,
                store: ObjectStore | None = None) -> CityResult | CityError:
    """Read one city's metadata, flows, survey, profile and mapping; assess; reduce to flow figures.

    The money stage runs its cost gate only (``money_in_full=False``, :func:`scoring.assess.assess`): the
    figures read each step's final disposition and hours, never its cash, ranges or reasons, and the gate is
    what decides the dispositions; pricing in full gives the same figures (tested) at about twice the CPU.

    ``store`` (default: the user's cache, :data:`CITY_STORE`; off with ``BPM_CACHE_DIR=off``) keeps the
    whole result by :func:`city_key`: an unchanged city is not read or assessed again.
    """
    try:
        store = ObjectStore.from_environment(CITY_STORE) if store is None else store
        options = (max_bytes, keep_dispositions, collect_secrets, money_in_full)
        meta = load_city_meta(Path(files.metadata))  # read once: for the key and for the run
        key = city_key(files, options, meta) if store.on else None
        if key is not None:
            found = store.get(key, CityResult)
            if found is not None:
                return found
        result = _assess_city(files, meta, max_bytes, keep_dispositions, collect_secrets, money_in_full)
        if key is not None:
            store.put(key, result)
        return result
    except BpmError as error:
        return CityError(error.message, error.file, error.line, error.element_id, error.hint)


def city_key(files: CityFiles, options: tuple[object, ...], meta: CityMeta | None = None) -> str | None:
    """The digest of everything :func:`_assess_city` reads, or None when a file cannot be read (no caching:
    the run itself then reports the missing file).

    Paths are in the key as well as bytes: the figures name each city's files and folder.  The mapping table
    is the one :func:`_mapping_file` would pick (the metadata may name it); the shipped profile, catalogue and
    words are part of :func:`~bpm.cache_store.code_version`.  ``meta``: the city's metadata when the caller
    has read it already (its bytes are hashed all the same).
    """
    try:
        meta = load_city_meta(Path(files.metadata)) if meta is None else meta
        table = _mapping_file(files, meta)
        named = [files.metadata, *(path for path, _ in files.bpmn), files.survey, files.profile]
        contents = [(path, _file_digest(path)) for path in named]
        if table is not None:  # a missing table is the run's error to report; its absence is still keyed
            contents.append((str(table), _file_digest(str(table)) if table.is_file() else None))
    except (OSError, BpmError):
        return None
    return digest(_CITY_FORMAT, code_version("bpm", "scoring"), language(), files, options, contents)


def _file_digest(path: str | None) -> str | None:
    """SHA-256 of the file's bytes (None for no file; OSError when it cannot be read).

    Read in chunks, never whole: a file past the size limit is the run's error to report, and hashing it
    first must not hold it in memory.
    """
    if path is None:
        return None
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _assess_city(files: CityFiles, meta: CityMeta, max_bytes: int, keep_dispositions: bool, collect_secrets: bool,
                 money_in_full: bool) -> CityResult:
    """:func:`_read_and_assess`, leaving nothing of the city behind in this process but its result.

    Why: a worker assesses hundreds of cities in turn.  Everything alive before the city is frozen out of the
    cyclic collector (:func:`~bpm.collector.collector_frozen`), so that after it one collection walks only
    what the city made and frees the cycles among its models and evidence; the shared evidence tables are
    emptied too (:func:`scoring.interned.forget`).  Without both, a worker kept the evidence of earlier cities
    until the collector or the tables' limit came round, and its memory grew with the cities it had done.
    """
    with collector_frozen():
        try:
            return _read_and_assess(files, meta, max_bytes, keep_dispositions, collect_secrets, money_in_full)
        finally:
            _drop_city_garbage()


def _drop_city_garbage() -> None:
    """Let go of what a finished city left: the shared evidence lines, then the cycles it made."""
    interned.forget()
    gc.collect()


def _read_and_assess(files: CityFiles, meta: CityMeta, max_bytes: int, keep_dispositions: bool,
                     collect_secrets: bool, money_in_full: bool) -> CityResult:
    profile = load_profile(Path(files.profile) if files.profile else None)
    survey = load_survey(files.survey) if files.survey else None
    catalogue = load_catalogue(profile.legal.procedures)
    table = _mapping_file(files, meta)
    mapping = load_mapping(table, catalogue) if table is not None else ()
    definitions = [read_bpmn(path, max_bytes=max_bytes) for path, _ in files.bpmn]
    keys = {d.file: key for d, (_, key) in zip(definitions, files.bpmn, strict=True)}
    by_file = {d.file: d for d in definitions}
    assessment = assess(definitions, survey=survey, profile=profile, money_in_full=money_in_full)
    city = City(files.key, meta.name, meta, profile.hours_per_fte, staff_cash(1.0, profile), profile.name)
    flows: list[FlowFigures] = []
    used: set[int] = set()
    for process in assessment.processes:
        key = keys[process.file]
        row = None
        if process.procedure is None:
            row = mapped_procedure(mapping, process_id=process.process_id, process_name=process.name, file_key=key)
        mapped = None
        if row is not None:
            used.add(row.line)
            found = catalogue.get(row.procedure)
            mapped = (row.procedure, f"{Path(row.file).name} row {row.line}: {row.flow} → {row.procedure}",
                      found.name_ja if found else row.procedure, found.name_en if found else row.procedure)
        flows.append(flow_figures(files.key, key, by_file[process.file], process, assessment, profile,
                                  mapped=mapped, keep_dispositions=keep_dispositions))
    excluded = tuple((files.key, keys.get(e.file, e.file), e.message) for e in assessment.excluded)
    secrets = _secrets(meta, files, profile.name, survey, definitions) if collect_secrets else ()
    return CityResult(city, tuple(flows), excluded, tuple(r for r in mapping if r.line not in used), secrets)


def _mapping_file(files: CityFiles, meta: CityMeta) -> Path | None:
    """The mapping table: given, named by the metadata (it must exist), or found by its usual names."""
    if files.mapping:
        return Path(files.mapping)
    folder = Path(files.folder)
    if meta.mapping:
        return folder / meta.mapping
    return next((folder / n for n in MAPPING_FILES if (folder / n).is_file()), None)


def _secrets(meta: CityMeta, files: CityFiles, profile_name: str, survey: Survey | None,
             definitions: list[Definitions]) -> tuple[str, ...]:
    """Every name and note of the city that an anonymised site must not contain."""
    found = [meta.name, Path(files.folder).name, meta.note, *meta.note.splitlines()]
    if profile_name and profile_name != "default":
        found.append(profile_name)
    if survey is not None:
        found.extend(row.note for row in survey.rows)
    for d in definitions:
        for collaboration in d.collaborations:
            found.extend(a.name for a in collaboration.artifacts if a.kind is ArtifactKind.TEXT_ANNOTATION)
        for process in d.processes.values():
            found.append(process.documentation)
            found.extend(node.documentation for node in process.nodes.values())
            found.extend(flow.documentation for flow in process.flows.values())
            found.extend(a.name for a in process.artifacts if a.kind is ArtifactKind.TEXT_ANNOTATION)
    return tuple(sorted({s.strip() for s in found if s and s.strip()}))
