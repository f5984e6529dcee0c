"""The comparison site (``bpm compare``): overview heat map, a page per procedure, a page per city, the method.

Built like the scan site: every page and diagram is rendered into memory
first, then put in place through :mod:`reports.outdir` (staging folder,
atomic swap, the user's own files kept, one run at a time).  Pages are
Japanese first with complete English, self-contained (copied CSS/JS, diagrams
as SVG files next to the pages, no network), carry the page's own
Content-Security-Policy, and print on A4.

Diagrams are drawn at render time by reading the flow again (one file at a
time), so memory does not grow with the number of cities.  With
``--anonymise`` they are drawn from a scrubbed copy of the model and the
finished site is searched for every name and note before it is written
(:mod:`reports.compare_anon`).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bpm.errors import BpmError, say
from bpm.model import ElementId
from bpm.reader import DEFAULT_MAX_BYTES, read_bpmn
from reports import csp, markup
from reports.compare_anon import Scrubber, check_published
from reports.compare_chart import Dot, DotRow, dot_plot, heat_bin, heat_css
from reports.format import ja_spacing, jst_time
from reports.i18n import LANGS, Bilingual, t
from reports.outdir import MARKER, FolderLock, check_out_dir, lock_folder, marker_bytes, publish, recover
from reports.overlay import Overlay
from reports.pictures import picture_bytes, pictures
from reports.site import build_time
from reports.style import DISPOSITION_STYLES
from reports.views import slug
from scoring.cities import population_band, prefecture_order
from scoring.compare import (
    HEAT_MEASURE,
    MEASURE_BY_KEY,
    MEASURES,
    QUANTILE_METHOD_EN,
    QUANTILE_METHOD_JA,
    City,
    CityProcedure,
    Comparison,
    FlowFigures,
    GroupStats,
    Potential,
    deviation,
    group_of,
    quantile,
)
from scoring.result import Disposition

_HERE = Path(__file__).resolve().parent
Progress = Callable[[str], None]
Diagrams = Literal["all", "leaders", "none"]


@dataclass(frozen=True, slots=True)
class CompareInput:
    """Everything the comparison site shows, computed by the caller."""

    comparison: Comparison
    """Measures, groups, potentials, unmatched flows."""
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """City key → file key → BPMN path, for drawing diagrams."""
    anonymised: bool = False
    """City names replaced by codes, notes removed, exact population hidden."""
    scrubber: Scrubber | None = None
    """Replaces names in model texts (anonymised runs)."""
    names: tuple[str, ...] = ()
    """Every name that must not appear in an anonymised site."""
    notes: tuple[str, ...] = ()
    """Every free-text note that must not appear in an anonymised site."""
    diagrams: Diagrams = "all"
    """Draw every city's flows, only the leading cities', or none."""
    max_bytes: int = DEFAULT_MAX_BYTES
    """Largest BPMN file read again for drawing (the reader's default, the one --max-size starts from)."""


# --------------------------------------------------------------------------- names and small views


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def procedure_page(key: str) -> str:
    """Page file name of a procedure (keys may be any text: slug plus hash)."""
    return f"p-{slug(key, 24) or 'procedure'}-{_hash(key)}.html"


SPLIT_CITIES = 200
"""A procedure compared across more cities than this gets one page per 類似団体 group for its tables, evidence
and diagrams; its own page keeps the dot plot, each group's statistics and leader, and links.  At 1,741 cities
one page held every city's ten measures with their evidence in two languages (17 MB), more than a phone or an
intranet browser opens comfortably; below this size nothing changes."""


def group_page(key: str, group: str) -> str:
    """Page file name of one 類似団体 group of a procedure compared across many cities."""
    return f"p-{slug(key, 24) or 'procedure'}-{_hash(key)}-g{_hash(group)}.html"


def city_page(key: str) -> str:
    """Page file name of a city."""
    return f"c-{slug(key, 24) or 'city'}-{_hash(key)}.html"


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


@dataclass(frozen=True, slots=True)
class Cell:
    """One heat-map cell."""

    text: str
    """The value."""
    delta: str
    """Signed deviation from the group median with ▲/▼ (or a dash)."""
    css: str
    """Bin class."""
    href: str
    """Link to the city page."""
    title: str
    """Hover text (group, median, n)."""


@dataclass(frozen=True, slots=True)
class HeatRow:
    """One procedure of the heat map."""

    name: Bilingual
    href: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True, slots=True)
class CityView:
    """A city as the overview lists it."""

    key: str
    label: str
    href: str
    group: str
    band: Bilingual
    population: str
    fiscal_year: int
    flows: int
    illustrative: bool


@dataclass(frozen=True, slots=True)
class Figure:
    """A diagram file and its caption."""

    src: str
    caption: str


@dataclass(frozen=True, slots=True)
class MeasureCell:
    """A measure value with evidence."""

    text: str
    sort: float
    evidence: Bilingual


# --------------------------------------------------------------------------- the renderer


class _Site:
    """Renders every page into ``out`` (name → bytes)."""

    def __init__(self, data: CompareInput, title: str | None, report: Progress, notice: Progress,
                 environ: Mapping[str, str] | None) -> None:
        self.data = data
        self.c = data.comparison
        self.report = report
        self.notice = notice
        self.out: dict[str, bytes] = {}
        self.created = build_time(environ)
        self.generated = jst_time(self.created)  # Japan time, as on the main site
        self.title = Bilingual(title, title) if title else Bilingual.of("compare.title")
        self.env = Environment(loader=FileSystemLoader(_HERE / "templates"), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True)
        self.env.globals["t"] = t
        self.env.globals["langs"] = LANGS
        self.env.filters["ja"] = ja_spacing  # Japanese text: no half-width space around numbers
        markup.install(self.env)  # tr, bi, num…: the bilingual pieces the shared templates call
        self.names = self._procedure_names()
        self.order = sorted(self.c.cities.values(), key=lambda city: (city.meta.similar_group, city.key))
        # Indexes built once: a national comparison has 1,741 cities × 20 procedures, and a page that scanned
        # every row or flow for its city would make the site quadratic in the number of cities.
        self.rows: dict[tuple[str, str], CityProcedure] = {(r.procedure, r.city): r for r in self.c.rows}
        self.rows_of_procedure: dict[str, list[CityProcedure]] = defaultdict(list)
        self.flow_count: dict[str, int] = defaultdict(int)
        for r in self.c.rows:
            self.rows_of_procedure[r.procedure].append(r)
            self.flow_count[r.city] += len(r.flows)
        self.unmatched_of_city: dict[str, list[FlowFigures]] = defaultdict(list)
        for f in self.c.unmatched:
            self.unmatched_of_city[f.city].append(f)
            self.flow_count[f.city] += 1
        self.potentials_of_city: dict[str, list[Potential]] = defaultdict(list)
        for p in self.c.potentials:
            self.potentials_of_city[p.city].append(p)
        self.drawn: dict[tuple[str, str, str], str | None] = {}
        self.illustrative = any(city.meta.illustrative for city in self.c.cities.values())

    # ---------------------------------------------------------------- helpers

    def _procedure_names(self) -> dict[str, Bilingual]:
        names: dict[str, Bilingual] = {}
        for row in self.c.rows:
            for flow in row.flows:
                if flow.procedure_ja and row.procedure not in names:
                    names[row.procedure] = Bilingual(flow.procedure_ja, flow.procedure_en or flow.procedure_ja)
        for key in self.c.procedures:
            names.setdefault(key, Bilingual.same(key))
        return names

    def page(self, template: str, name: str, **context: Any) -> None:
        self.report(say("progress.rendering", name=name).render())
        html = self.env.get_template(template).render(
            site={"title": self.title, "generated": self.generated, "illustrative": self.illustrative,
                  "anonymised": self.data.anonymised, "method": QUANTILE_METHOD_JA},
            csp=csp.PLACEHOLDER, **context)
        self.out[name] = csp.apply_policy(html).encode("utf-8")

    def stats(self, grouping: str, city: City, procedure: str, measure: str) -> GroupStats | None:
        return self.c.stats[grouping].get((group_of(city, grouping), procedure, measure))

    def label(self, key: str) -> str:
        return self.c.cities[key].label

    def city_view(self, city: City) -> CityView:
        band = population_band(city.meta.population)
        flows = self.flow_count.get(city.key, 0)
        population = Bilingual(band[0], band[1]).ja if self.data.anonymised else f"{city.meta.population:,}"
        return CityView(city.key, city.label, city_page(city.key), city.meta.similar_group, Bilingual(*band),
                        population, city.meta.fiscal_year, flows, city.meta.illustrative)

    def measure_cell(self, row: CityProcedure, measure: str) -> MeasureCell:
        value = row.values[measure]
        spec = MEASURE_BY_KEY[measure]
        digits = 0 if measure in ("cost_per_case", "legal_findings") else 1
        return MeasureCell(_num(value.value, digits), value.value,
                           Bilingual(f"{value.evidence_ja}。算定: {spec.normalisation_ja}",
                                     f"{value.evidence_en}. Computed as: {spec.normalisation_en}"))

    # ---------------------------------------------------------------- diagrams

    def diagram(self, flow: FlowFigures) -> str | None:
        """The site path of a flow's diagram (drawn once), or None when it cannot be drawn."""
        key = (flow.city, flow.file_key, flow.process_id)
        if key in self.drawn:
            return self.drawn[key]
        self.drawn[key] = None
        path = self.data.sources.get(flow.city, {}).get(flow.file_key)
        if path is None or self.data.diagrams == "none":
            return None
        try:
            definitions = read_bpmn(path, max_bytes=self.data.max_bytes)
            if self.data.scrubber is not None:
                definitions = self.data.scrubber.definitions(definitions)
            marks: dict[ElementId, Overlay] = {}
            for step_id, value in flow.dispositions:
                style = DISPOSITION_STYLES[Disposition(value)]
                marks[ElementId(self._scrub(step_id))] = Overlay(
                    fill=style.fill, badge=style.ja, title=f"{style.ja} / {style.en}", css_class=style.css_class)
            drawn = pictures(definitions, overlays=marks, key=f"{flow.city}/{self._scrub(flow.file_key)}",
                             on_layout_error=lambda _pid, _error: None)
            process_id = self._scrub(flow.process_id)
            picture = next((p for p in drawn if process_id in p.process_ids), None)
            if picture is None:
                return None
            name = f"diagrams/{_hash(repr(key))}.svg"
            self.out[name] = picture_bytes(picture, "svg", created=self.created)
        except BpmError as error:
            self.notice(say("compare_site.no_diagram", city=flow.city, file=flow.file_key,
                            reason=error.message).render())
            return None
        self.drawn[key] = name
        return name

    def _scrub(self, text: str) -> str:
        return self.data.scrubber.text(text) if self.data.scrubber is not None else text

    def figures(self, flows: Sequence[FlowFigures], caption: str) -> list[Figure]:
        found = []
        for flow in flows:
            src = self.diagram(flow)
            if src is not None:
                found.append(Figure(src, f"{caption} — {flow.process_name or flow.process_id}"))
        return found

    # ---------------------------------------------------------------- pages

    def render(self) -> dict[str, bytes]:
        self.page("compare_index.html", "index.html", view=self.index_view())
        self.page("compare_method.html", "method.html", view=self.method_view())
        for procedure in self.c.procedures:
            view = self.procedure_view(procedure)
            self.page("compare_procedure.html", procedure_page(procedure), view=view)
            for section in view["sections"] if view["split"] else ():
                self.page("compare_procedure.html", section["page"],
                          view=self.procedure_view(procedure, only_group=section["group"]))
        for city in self.order:
            self.page("compare_city.html", city_page(city.key), view=self.city_page_view(city))
        self.out["static/site.css"] = (_HERE / "static" / "site.css").read_bytes()
        self.out["static/site.js"] = (_HERE / "static" / "site.js").read_bytes()
        self.out["static/compare.css"] = ((_HERE / "static" / "compare.css").read_text(encoding="utf-8")
                                          + heat_css()).encode("utf-8")
        self.out["static/dispositions.css"] = _disposition_css()
        return self.out

    def index_view(self) -> dict[str, Any]:
        if len(self.order) > SPLIT_CITIES:
            columns, grouped = self.grouped_heat()
            return {**self._index_rest(), "heat": grouped, "grouped": columns}
        heat = []
        for procedure in self.c.procedures:
            cells: list[Cell | None] = []
            for city in self.order:
                row = self.rows.get((procedure, city.key))
                if row is None:
                    cells.append(None)
                    continue
                stats = self.stats("similar_group", city, procedure, HEAT_MEASURE)
                value = row.value(HEAT_MEASURE)
                dev = deviation(value, stats.median) if stats is not None and stats.n > 1 else None
                bin_ = heat_bin(dev)
                delta = "—" if dev is None else f"{'▲' if dev > 0 else '▼' if dev < 0 else '±'}{abs(dev):.0f}%"
                title = (f"{city.meta.similar_group}: 中央値 median {_num(stats.median)}, n={stats.n}"
                         if stats is not None else "")
                cells.append(Cell(_num(value), delta, f"heat-{bin_}" if bin_ is not None else "heat-na",
                                  city_page(city.key), title))
            heat.append(HeatRow(self.names[procedure], procedure_page(procedure), tuple(cells)))
        return {**self._index_rest(), "heat": heat, "grouped": None}

    def _index_rest(self) -> dict[str, Any]:
        """The overview's parts other than the heat map."""
        return {
            "page": {"key": "index", "title": Bilingual.of("compare.nav.overview")},
            "cities": [self.city_view(c) for c in self.order],
            "prefectures": self.by_prefecture(),
            "unit": MEASURE_BY_KEY[HEAT_MEASURE],
            "procedures": [(self.names[p], procedure_page(p), len(self.rows_of_procedure.get(p, ())))
                           for p in self.c.procedures],
            "unmatched": [(self.label(f.city), f) for f in self.c.unmatched],
            "excluded": [(self.label(c), file, message) for c, file, message in self.c.excluded],
            "flows": sum(len(r.flows) for r in self.c.rows) + len(self.c.unmatched),
        }

    def by_prefecture(self) -> list[tuple[str, list[CityView]]] | None:
        """The overview's city list by 都道府県 (code order, cities naming none last); None when no city names one.

        Never in an anonymised site: a 都道府県 with a 類似団体区分 and a population band can single a city out
        (the anonymised metadata holds none)."""
        if self.data.anonymised or not any(city.meta.prefecture for city in self.order):
            return None
        found: dict[str, list[CityView]] = defaultdict(list)
        for city in self.order:
            found[city.meta.prefecture].append(self.city_view(city))
        return sorted(found.items(), key=lambda item: prefecture_order(item[0]))

    def grouped_heat(self) -> tuple[list[tuple[str, int]], list[HeatRow]]:
        """The overview of more than :data:`SPLIT_CITIES` cities: one column per 類似団体 group, not per city.

        Each cell is the group's median, coloured by its deviation from the median of every city (the same
        quantile method), and opens the group's page of that procedure, which lists each city; a table of 1,741
        city columns could not be read on any screen or sheet of paper."""
        groups = sorted({city.meta.similar_group for city in self.order})
        sizes: dict[str, int] = defaultdict(int)
        for city in self.order:
            sizes[city.meta.similar_group] += 1
        heat = []
        for procedure in self.c.procedures:
            rows = self.rows_of_procedure.get(procedure, [])
            overall = quantile([r.value(HEAT_MEASURE) for r in rows], 0.5) if rows else 0.0
            split = len(rows) > SPLIT_CITIES
            cells: list[Cell | None] = []
            for group in groups:
                stats = self.c.stats["similar_group"].get((group, procedure, HEAT_MEASURE))
                if stats is None:
                    cells.append(None)
                    continue
                dev = deviation(stats.median, overall) if len(rows) > 1 else None
                bin_ = heat_bin(dev)
                delta = "—" if dev is None else f"{'▲' if dev > 0 else '▼' if dev < 0 else '±'}{abs(dev):.0f}%"
                href = group_page(procedure, group) if split else procedure_page(procedure)
                title = (f"{group}: n={stats.n}, 第1四分位 Q1 {_num(stats.q1)}, 第3四分位 Q3 {_num(stats.q3)}; "
                         f"全団体の中央値 median of all {_num(overall)}")
                cells.append(Cell(_num(stats.median), delta, f"heat-{bin_}" if bin_ is not None else "heat-na",
                                  href, title))
            heat.append(HeatRow(self.names[procedure], procedure_page(procedure), tuple(cells)))
        return [(g, sizes[g]) for g in groups], heat

    def method_view(self) -> dict[str, Any]:
        from reports.compare_chart import HEAT_COLOURS, HEAT_EDGES
        from scoring.cities import POPULATION_BANDS

        return {
            "page": {"key": "method", "title": Bilingual.of("compare.nav.method")},
            "measures": MEASURES,
            "quantile": Bilingual(QUANTILE_METHOD_JA, QUANTILE_METHOD_EN),
            "bands": [Bilingual(ja, en) for _, ja, en in POPULATION_BANDS],
            "scale": list(zip(range(len(HEAT_COLOURS)), _bin_labels(HEAT_EDGES), strict=True)),
        }

    def procedure_view(self, procedure: str, only_group: str | None = None) -> dict[str, Any]:
        """A procedure's page, or with ``only_group`` the page of one of its groups (see :data:`SPLIT_CITIES`)."""
        rows = self.rows_of_procedure.get(procedure, [])
        split = len(rows) > SPLIT_CITIES and only_group is None
        groups: dict[str, list[CityProcedure]] = defaultdict(list)
        for row in rows:
            group = self.c.cities[row.city].meta.similar_group
            if only_group is None or group == only_group:
                groups[group].append(row)
        if only_group is not None:
            rows = [r for members in groups.values() for r in members]
        plot_rows = []
        sections = []
        for group, members in sorted(groups.items()):
            first = self.c.cities[members[0].city]
            stats = self.stats("similar_group", first, procedure, HEAT_MEASURE)
            assert stats is not None
            plot_rows.append(DotRow(f"{group} (n={stats.n})", tuple(
                Dot(self.label(r.city), r.value(HEAT_MEASURE), r.city == stats.leader) for r in members),
                stats.median, stats.q1, stats.q3))
            leader_row = self.rows[(procedure, stats.leader)]
            leader_figs = (self.figures(leader_row.flows, self.label(stats.leader))
                           if self.data.diagrams != "none" else [])
            others = []
            if self.data.diagrams == "all" and not split:
                for r in members:
                    if r.city != stats.leader:
                        others.append((self.label(r.city), city_page(r.city),
                                       self.figures(r.flows, self.label(r.city))))
            sections.append({
                "group": group,
                "stats": [(spec, self.stats("similar_group", first, procedure, spec.key)) for spec in MEASURES],
                "leader": (self.label(stats.leader), city_page(stats.leader)),
                "leader_figures": leader_figs,
                "others": others,
                "cities": [] if split else [(self.label(r.city), city_page(r.city),
                                             [self.measure_cell(r, spec.key) for spec in MEASURES]) for r in members],
                "page": group_page(procedure, group) if split else None,
                "n": len(members),
            })
        bands: dict[str, GroupStats] = {}
        for row in rows:
            city = self.c.cities[row.city]
            s = self.stats("band", city, procedure, HEAT_MEASURE)
            if s is not None:
                bands[s.group] = s
        unit = MEASURE_BY_KEY[HEAT_MEASURE]
        return {
            "page": {"key": "procedure", "title": self.names[procedure]},
            "name": self.names[procedure],
            "key": procedure,
            "plot": dot_plot(plot_rows, unit=unit.unit_ja, title=f"{self.names[procedure].ja}: {unit.ja}"),
            "sections": sections,
            "bands": [(s, self.label(s.leader)) for _, s in sorted(bands.items())],
            "labels": {k: self.label(k) for k in self.c.cities},
            "measures": MEASURES,
            "split": len(rows) if split else 0,
            "parent": procedure_page(procedure) if only_group is not None else None,
        }

    def city_page_view(self, city: City) -> dict[str, Any]:
        potentials = self.potentials_of_city.get(city.key, [])
        items = []
        for p in potentials:
            row = self.rows[(p.procedure, city.key)]
            stats = self.stats("similar_group", city, p.procedure, HEAT_MEASURE)
            assert stats is not None
            own = self.figures(row.flows, city.label) if self.data.diagrams == "all" else []
            lead = (self.figures(self.rows[(p.procedure, stats.leader)].flows, self.label(stats.leader))
                    if self.data.diagrams != "none" and stats.leader != city.key else [])
            items.append({
                "name": self.names[p.procedure], "href": procedure_page(p.procedure), "potential": p,
                "leader": (self.label(stats.leader), city_page(stats.leader)), "is_leader": stats.leader == city.key,
                "measures": [(spec, self.measure_cell(row, spec.key)) for spec in MEASURES],
                "own": own, "lead": lead,
                "flows": row.flows,
            })
        return {
            "page": {"key": "city", "title": Bilingual.same(city.label)},
            "city": self.city_view(city),
            "note": "" if self.data.anonymised else city.meta.note,
            "entries": items,
            "hours": sum(p.hours for p in potentials),
            "fte": sum(p.fte for p in potentials),
            "cash": sum(p.staff_cost_yen for p in potentials),
            "staff_rate": city.staff_yen_per_hour,
            "unmatched": self.unmatched_of_city.get(city.key, []),
        }


def _bin_labels(edges: Sequence[float]) -> list[str]:
    labels = [f"< {edges[0]:+.0f}%"]
    labels += [f"{a:+.0f}% … {b:+.0f}%" for a, b in pairwise(edges)]
    labels.append(f"≥ {edges[-1]:+.0f}%")
    return labels


def _disposition_css() -> bytes:
    lines = ["/* Generated from reports/style.py: disposition colours. */"]
    for style in DISPOSITION_STYLES.values():
        lines.append(f".{style.css_class} {{ --disp-strong: {style.strong}; --disp-fill: {style.fill}; }}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_compare(data: CompareInput, *, title: str | None = None, progress: Progress | None = None,
                   notice: Progress | None = None, environ: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """Every file of the comparison site (relative POSIX path → bytes), in memory; checked when anonymised."""
    report = progress or (lambda _message: None)
    out = _Site(data, title, report, notice or report, environ).render()
    if data.anonymised:
        report(say("compare_site.checking_names").render())
        check_published(out, data.names, data.notes)
    out[MARKER] = marker_bytes(list(out))
    return dict(sorted(out.items()))


def build_compare(data: CompareInput, out_dir: Path, *, title: str | None = None, progress: Progress | None = None,
                  notice: Progress | None = None, lock: FolderLock | None = None) -> list[Path]:
    """Render the comparison site and put it at ``out_dir`` (rules of :mod:`reports.outdir`); the files written."""
    out_dir = check_out_dir(out_dir)
    report = progress or (lambda _message: None)
    with lock_folder(out_dir) if lock is None else nullcontext(lock):
        recover(out_dir, report)
        contents = render_compare(data, title=title, progress=progress, notice=notice)
        publish(contents, out_dir, report)
    return sorted(out_dir.joinpath(*PurePosixPath(name).parts) for name in contents)
