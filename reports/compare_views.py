"""Each page of the comparison site as a view: the overview, the method, a procedure (or one of its groups), a city.

Pure functions of the comparison (:class:`CompareIndex`) and, where a page
shows diagrams, of a ``figures`` callback that draws them
(:mod:`reports.compare_site` owns the drawing and the files).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from reports.compare_chart import Dot, DotRow, dot_plot, heat_bin
from reports.compare_pages import (
    SPLIT_CITIES,
    Cell,
    CityView,
    CompareInput,
    Figure,
    HeatRow,
    MeasureCell,
    city_page,
    group_page,
    num,
    procedure_page,
)
from reports.i18n import Bilingual
from scoring.cities import population_band, prefecture_order
from scoring.compare import (
    HEAT_MEASURE,
    MEASURE_BY_KEY,
    MEASURES,
    QUANTILE_METHOD_EN,
    QUANTILE_METHOD_JA,
    City,
    CityProcedure,
    FlowFigures,
    GroupStats,
    Potential,
    deviation,
    group_of,
    quantile,
)

FigureMaker = Callable[[Sequence[FlowFigures], str], list[Figure]]
"""Draws flows' diagrams (once each) and returns their files with a caption."""


class CompareIndex:
    """The comparison looked up by procedure, by city and by (procedure, city), built once for every page.

    Why built once: a national comparison has 1,741 cities × 20 procedures, and a page that scanned every row or
    flow for its city would make the site quadratic in the number of cities.
    """

    def __init__(self, data: CompareInput) -> None:
        self.data = data
        self.c = data.comparison
        self.names = self._procedure_names()
        self.order = sorted(self.c.cities.values(), key=lambda city: (city.meta.similar_group, city.key))
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
        self.illustrative = any(city.meta.illustrative for city in self.c.cities.values())

    def _procedure_names(self) -> dict[str, Bilingual]:
        names: dict[str, Bilingual] = {}
        for row in self.c.rows:
            for flow in row.flows:
                if flow.procedure_ja and row.procedure not in names:
                    names[row.procedure] = Bilingual(flow.procedure_ja, flow.procedure_en or flow.procedure_ja)
        for key in self.c.procedures:
            names.setdefault(key, Bilingual.same(key))
        return names

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
        return MeasureCell(num(value.value, digits), value.value,
                           Bilingual(f"{value.evidence_ja}。算定: {spec.normalisation_ja}",
                                     f"{value.evidence_en}. Computed as: {spec.normalisation_en}"))


def overview_view(index: CompareIndex) -> dict[str, Any]:
    """The overview: the heat map (a column a city, or a group past :data:`SPLIT_CITIES`) and the lists."""
    if len(index.order) > SPLIT_CITIES:
        columns, grouped = _grouped_heat(index)
        return {**_index_rest(index), "heat": grouped, "grouped": columns}
    heat = []
    for procedure in index.c.procedures:
        cells: list[Cell | None] = []
        for city in index.order:
            row = index.rows.get((procedure, city.key))
            if row is None:
                cells.append(None)
                continue
            stats = index.stats("similar_group", city, procedure, HEAT_MEASURE)
            value = row.value(HEAT_MEASURE)
            dev = deviation(value, stats.median) if stats is not None and stats.n > 1 else None
            bin_ = heat_bin(dev)
            delta = "—" if dev is None else f"{'▲' if dev > 0 else '▼' if dev < 0 else '±'}{abs(dev):.0f}%"
            title = (f"{city.meta.similar_group}: 中央値 median {num(stats.median)}, n={stats.n}"
                     if stats is not None else "")
            cells.append(Cell(num(value), delta, f"heat-{bin_}" if bin_ is not None else "heat-na",
                              city_page(city.key), title))
        heat.append(HeatRow(index.names[procedure], procedure_page(procedure), tuple(cells)))
    return {**_index_rest(index), "heat": heat, "grouped": None}


def _index_rest(index: CompareIndex) -> dict[str, Any]:
    """The overview's parts other than the heat map."""
    return {
        "page": {"key": "index", "title": Bilingual.of("compare.nav.overview")},
        "cities": [index.city_view(c) for c in index.order],
        "prefectures": _by_prefecture(index),
        "unit": MEASURE_BY_KEY[HEAT_MEASURE],
        "procedures": [(index.names[p], procedure_page(p), len(index.rows_of_procedure.get(p, ())))
                       for p in index.c.procedures],
        "unmatched": [(index.label(f.city), f) for f in index.c.unmatched],
        "excluded": [(index.label(c), file, message) for c, file, message in index.c.excluded],
        "flows": sum(len(r.flows) for r in index.c.rows) + len(index.c.unmatched),
    }


def _by_prefecture(index: CompareIndex) -> list[tuple[str, list[CityView]]] | None:
    """The overview's city list by 都道府県 (code order, cities naming none last); None when no city names one.

    Never in an anonymised site: a 都道府県 with a 類似団体区分 and a population band can single a city out
    (the anonymised metadata holds none)."""
    if index.data.anonymised or not any(city.meta.prefecture for city in index.order):
        return None
    found: dict[str, list[CityView]] = defaultdict(list)
    for city in index.order:
        found[city.meta.prefecture].append(index.city_view(city))
    return sorted(found.items(), key=lambda item: prefecture_order(item[0]))


def _grouped_heat(index: CompareIndex) -> tuple[list[tuple[str, int]], list[HeatRow]]:
    """The overview of more than :data:`SPLIT_CITIES` cities: one column per 類似団体 group, not per city.

    Each cell is the group's median, coloured by its deviation from the median of every city (the same
    quantile method), and opens the group's page of that procedure, which lists each city; a table of 1,741
    city columns could not be read on any screen or sheet of paper."""
    groups = sorted({city.meta.similar_group for city in index.order})
    sizes: dict[str, int] = defaultdict(int)
    for city in index.order:
        sizes[city.meta.similar_group] += 1
    heat = []
    for procedure in index.c.procedures:
        rows = index.rows_of_procedure.get(procedure, [])
        overall = quantile([r.value(HEAT_MEASURE) for r in rows], 0.5) if rows else 0.0
        split = len(rows) > SPLIT_CITIES
        cells: list[Cell | None] = []
        for group in groups:
            stats = index.c.stats["similar_group"].get((group, procedure, HEAT_MEASURE))
            if stats is None:
                cells.append(None)
                continue
            dev = deviation(stats.median, overall) if len(rows) > 1 else None
            bin_ = heat_bin(dev)
            delta = "—" if dev is None else f"{'▲' if dev > 0 else '▼' if dev < 0 else '±'}{abs(dev):.0f}%"
            href = group_page(procedure, group) if split else procedure_page(procedure)
            title = (f"{group}: n={stats.n}, 第1四分位 Q1 {num(stats.q1)}, 第3四分位 Q3 {num(stats.q3)}; "
                     f"全団体の中央値 median of all {num(overall)}")
            cells.append(Cell(num(stats.median), delta, f"heat-{bin_}" if bin_ is not None else "heat-na",
                              href, title))
        heat.append(HeatRow(index.names[procedure], procedure_page(procedure), tuple(cells)))
    return [(g, sizes[g]) for g in groups], heat


def method_view() -> dict[str, Any]:
    """The method page: measures, quantile method, population bands, the heat scale."""
    from reports.compare_chart import HEAT_COLOURS, HEAT_EDGES
    from scoring.cities import POPULATION_BANDS

    return {
        "page": {"key": "method", "title": Bilingual.of("compare.nav.method")},
        "measures": MEASURES,
        "quantile": Bilingual(QUANTILE_METHOD_JA, QUANTILE_METHOD_EN),
        "bands": [Bilingual(ja, en) for _, ja, en in POPULATION_BANDS],
        "scale": list(zip(range(len(HEAT_COLOURS)), _bin_labels(HEAT_EDGES), strict=True)),
    }


def procedure_view(index: CompareIndex, figures: FigureMaker, procedure: str,
                   only_group: str | None = None) -> dict[str, Any]:
    """A procedure's page, or with ``only_group`` the page of one of its groups (see :data:`SPLIT_CITIES`)."""
    rows = index.rows_of_procedure.get(procedure, [])
    split = len(rows) > SPLIT_CITIES and only_group is None
    groups: dict[str, list[CityProcedure]] = defaultdict(list)
    for row in rows:
        group = index.c.cities[row.city].meta.similar_group
        if only_group is None or group == only_group:
            groups[group].append(row)
    if only_group is not None:
        rows = [r for members in groups.values() for r in members]
    plot_rows = []
    sections = []
    for group, members in sorted(groups.items()):
        first = index.c.cities[members[0].city]
        stats = index.stats("similar_group", first, procedure, HEAT_MEASURE)
        assert stats is not None
        plot_rows.append(DotRow(f"{group} (n={stats.n})", tuple(
            Dot(index.label(r.city), r.value(HEAT_MEASURE), r.city == stats.leader) for r in members),
            stats.median, stats.q1, stats.q3))
        leader_row = index.rows[(procedure, stats.leader)]
        leader_figs = (figures(leader_row.flows, index.label(stats.leader))
                       if index.data.diagrams != "none" else [])
        others = []
        if index.data.diagrams == "all" and not split:
            for r in members:
                if r.city != stats.leader:
                    others.append((index.label(r.city), city_page(r.city),
                                   figures(r.flows, index.label(r.city))))
        sections.append({
            "group": group,
            "stats": [(spec, index.stats("similar_group", first, procedure, spec.key)) for spec in MEASURES],
            "leader": (index.label(stats.leader), city_page(stats.leader)),
            "leader_figures": leader_figs,
            "others": others,
            "cities": [] if split else [(index.label(r.city), city_page(r.city),
                                         [index.measure_cell(r, spec.key) for spec in MEASURES]) for r in members],
            "page": group_page(procedure, group) if split else None,
            "n": len(members),
        })
    bands: dict[str, GroupStats] = {}
    for row in rows:
        city = index.c.cities[row.city]
        s = index.stats("band", city, procedure, HEAT_MEASURE)
        if s is not None:
            bands[s.group] = s
    unit = MEASURE_BY_KEY[HEAT_MEASURE]
    return {
        "page": {"key": "procedure", "title": index.names[procedure]},
        "name": index.names[procedure],
        "key": procedure,
        "plot": dot_plot(plot_rows, unit=unit.unit_ja, title=f"{index.names[procedure].ja}: {unit.ja}"),
        "sections": sections,
        "bands": [(s, index.label(s.leader)) for _, s in sorted(bands.items())],
        "labels": {k: index.label(k) for k in index.c.cities},
        "measures": MEASURES,
        "split": len(rows) if split else 0,
        "parent": procedure_page(procedure) if only_group is not None else None,
    }


def city_page_view(index: CompareIndex, figures: FigureMaker, city: City) -> dict[str, Any]:
    """A city's page: each procedure's measures, the hours freed at the group's top quartile, diagrams."""
    potentials = index.potentials_of_city.get(city.key, [])
    items = []
    for p in potentials:
        row = index.rows[(p.procedure, city.key)]
        stats = index.stats("similar_group", city, p.procedure, HEAT_MEASURE)
        assert stats is not None
        own = figures(row.flows, city.label) if index.data.diagrams == "all" else []
        lead = (figures(index.rows[(p.procedure, stats.leader)].flows, index.label(stats.leader))
                if index.data.diagrams != "none" and stats.leader != city.key else [])
        items.append({
            "name": index.names[p.procedure], "href": procedure_page(p.procedure), "potential": p,
            "leader": (index.label(stats.leader), city_page(stats.leader)), "is_leader": stats.leader == city.key,
            "measures": [(spec, index.measure_cell(row, spec.key)) for spec in MEASURES],
            "own": own, "lead": lead,
            "flows": row.flows,
        })
    return {
        "page": {"key": "city", "title": Bilingual.same(city.label)},
        "city": index.city_view(city),
        "note": "" if index.data.anonymised else city.meta.note,
        "entries": items,
        "hours": sum(p.hours for p in potentials),
        "fte": sum(p.fte for p in potentials),
        "cash": sum(p.staff_cost_yen for p in potentials),
        "staff_rate": city.staff_yen_per_hour,
        "unmatched": index.unmatched_of_city.get(city.key, []),
    }


def _bin_labels(edges: Sequence[float]) -> list[str]:
    labels = [f"< {edges[0]:+.0f}%"]
    labels += [f"{a:+.0f}% … {b:+.0f}%" for a, b in pairwise(edges)]
    labels.append(f"≥ {edges[-1]:+.0f}%")
    return labels
