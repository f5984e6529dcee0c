"""Read, assess and reduce one municipality's portfolio: the unit of work a process pool maps over cities.

Why per city: each city has its own profile (its staff cost per hour), its
own survey sheet and its own mapping table, so a city is assessed as ``bpm
score`` would assess it alone; what comes back is small (one
:class:`~scoring.compare.FlowFigures` per flow), so memory stays flat however
many cities are compared.  :func:`assess_city` is a function of its
arguments only and returns the same figures whichever worker runs it.

Files are read and flows scored through the user's result caches
(:mod:`bpm.read_cache`, :mod:`scoring.flow_cache`; ``BPM_CACHE_DIR=off``
turns them off), as ``bpm score`` does: comparing again after one city
changed reads and scores only that city's changed flows again.  Their keys
hold each file's path and each city's profile, survey rows and cases, so
two cities never share an entry, even for byte-identical flows.

Errors are returned, not raised, so a worker process hands back the full
message (file, line, element, hint) — exceptions with keyword fields do not
survive pickling intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bpm.errors import BpmError
from bpm.model import ArtifactKind, Definitions
from bpm.read_cache import ReadCache
from scoring.assess import assess
from scoring.cities import MAPPING_FILES, CityMeta, MappingRow, load_city_meta, load_mapping, mapped_procedure
from scoring.compare import City, FlowFigures, flow_figures, staff_cash
from scoring.flow_cache import FlowCache
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


def assess_city(files: CityFiles, *, max_bytes: int, keep_dispositions: bool = True,
                collect_secrets: bool = False, money_in_full: bool = False) -> CityResult | CityError:
    """Read one city's metadata, flows, survey, profile and mapping; assess; reduce to flow figures.

    The money stage runs its cost gate only (``money_in_full=False``, :func:`scoring.assess.assess`): the
    figures read each step's final disposition and hours, never its cash, ranges or reasons, and the gate is
    what decides the dispositions; pricing in full gives the same figures (tested) at about twice the CPU.
    """
    try:
        return _assess_city(files, max_bytes, keep_dispositions, collect_secrets, money_in_full)
    except BpmError as error:
        return CityError(error.message, error.file, error.line, error.element_id, error.hint)


def _assess_city(files: CityFiles, max_bytes: int, keep_dispositions: bool, collect_secrets: bool,
                 money_in_full: bool) -> CityResult:
    meta = load_city_meta(Path(files.metadata))
    profile = load_profile(Path(files.profile) if files.profile else None)
    survey = load_survey(files.survey) if files.survey else None
    catalogue = load_catalogue(profile.legal.procedures)
    table = _mapping_file(files, meta)
    mapping = load_mapping(table, catalogue) if table is not None else ()
    reads = ReadCache.from_environment()
    read = [reads.read(path, max_bytes=max_bytes) for path, _ in files.bpmn]
    definitions = [r.definitions for r in read]
    keys = {d.file: key for d, (_, key) in zip(definitions, files.bpmn, strict=True)}
    by_file = {d.file: d for d in definitions}
    cache = FlowCache.from_environment(zip(definitions, (r.key for r in read), strict=True))
    assessment = assess(definitions, survey=survey, profile=profile, money_in_full=money_in_full, cache=cache)
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
