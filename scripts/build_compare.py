#!/usr/bin/env python3
"""Build the illustrative municipalities of ``bpm compare`` (flows/compare/<city>/) from the sample library.

    python scripts/build_compare.py            # write flows/compare/
    python scripts/build_compare.py --check    # exit 1 when a committed file differs from what this script makes

Why generated: the comparison needs several cities that run the *same*
procedures with different volumes, minutes, lanes and degrees of outsourcing.
Drawing seven portfolios by hand would let them drift apart; here each city
is the sample library (``scripts/flowgen``, a city of about 200,000) put
through a few stated transformations:

* volumes × (population ÷ 200,000), except processes started by a timer
  (the monthly コンビニ交付 settlement runs 12 times a year in any city);
* staff minutes × the city's minutes factor;
* lanes: a small town where one clerk does every staff step, cities whose
  counter lanes are drawn as a 委託事業者 lane (窓口委託), cities where a
  listed set of data-entry steps runs as RPA (serviceTask, no staff minutes);
* full staff cost through the money model (``[staff.regular] pay_per_fte``
  in each city's profile).

**Every number is illustrative (例示)**: the municipality files say
``"例示" = true``, the survey rows are marked 推計 with the arithmetic in 備考,
the profiles mark their figures ``[I] 例示``, and flows/README.md
(its generated section) states every ratio.  No city is a real municipality.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from flowgen.build import load_specs  # noqa: E402
from flowgen.layout import layout_views  # noqa: E402
from flowgen.spec import Evidence, Facts, FileSpec, Lane, Node, Pool, ProcessSpec, SheetPlan, Volume  # noqa: E402
from flowgen.workbook import COLUMNS, sheet_rows  # noqa: E402
from flowgen.write import to_xml  # noqa: E402

OUT = "flows/compare"
"""Where the cities go (a directory scan of flows/ skips folders holding a municipality.toml)."""
LIBRARY_POPULATION = 200_000
"""The sample library models a city of about 200,000 residents (flows/README.md)."""
FISCAL_YEAR = 2025

SYSTEM_LANE_WORDS = ("システム", "サーバ", "住基ネット", "J-LIS", "電子申請")
"""A lane whose name holds one of these is a machine, not a person (it is never merged or contracted out)."""

DESK_LANES: dict[str, tuple[str, str]] = {
    "窓口受付（証明発行）": ("委託事業者（証明発行窓口）", "Contractor (certificate counter)"),
    "出力・照合": ("委託事業者（出力・照合）", "Contractor (printing and checking)"),
    "窓口受付（住民異動）": ("委託事業者（住民異動窓口）", "Contractor (residence-change counter)"),
    "更新窓口（受付）": ("委託事業者（更新窓口）", "Contractor (renewal counter)"),
    "国保窓口（受付）": ("委託事業者（国保窓口）", "Contractor (health insurance counter)"),
    "こども窓口（受付）": ("委託事業者（こども窓口）", "Contractor (child benefit counter)"),
    "総合窓口（案内）": ("委託事業者（総合案内）", "Contractor (one-stop guidance)"),
}
"""Counter lanes a 窓口委託 contract can take, and the contractor lane each becomes (their steps are all
judgment-free in the library; a legal or judgment step found in one stops the build)."""
CERTIFICATE_DESKS = frozenset({"窓口受付（証明発行）", "出力・照合"})
CITY_HALL_DESKS = frozenset({*CERTIFICATE_DESKS, "窓口受付（住民異動）", "更新窓口（受付）"})
ALL_DESKS = frozenset(DESK_LANES)

RPA_STEPS = frozenset({
    "Activity_TennyuJukiNyuryoku", "Activity_TenshutsuJukiNyuryoku", "Activity_TenkyoJukiNyuryoku",
    "Activity_ShomeishoSakusei", "Activity_Totsugo", "Activity_Hokoku", "Activity_TorokuNyuryoku",
    "Activity_Jinko", "Activity_ShikakuNyuryoku", "Activity_NinteiNyuryoku",
})
"""Data-entry and tallying steps (no judgment, no 公権力) that an RPA city runs as a robot: 住基システム入力 of
転入・転出・転居, 転出証明書の作成, the monthly コンビニ交付 tally and report, 印鑑登録入力, 人口動態調査票,
国保 資格入力, 児童手当 認定入力."""


@dataclass(frozen=True, slots=True)
class CityPlan:
    """One illustrative municipality: who it is and how it differs from the sample library."""

    key: str
    """Folder name (the city's id in the comparison)."""
    name: str
    """団体名 (fictional)."""
    population: int
    """人口 (illustrative)."""
    group: str
    """類似団体区分 in the 総務省 spelling (人口 and an assumed 産業構造 digit)."""
    minutes_factor: float
    """Staff minutes per step × this."""
    pay_per_fte: int
    """給与費 per regular FTE (yen a year) for the money model."""
    desks: frozenset[str] = frozenset()
    """Counter lanes drawn as a 委託事業者 lane."""
    rpa: bool = False
    """Run :data:`RPA_STEPS` as RPA."""
    one_person: bool = False
    """Every staff lane of a process merged into one: one clerk does everything."""
    note_ja: str = ""
    """How the city works (備考 of municipality.toml and the README)."""
    note_en: str = ""

    @property
    def ratio(self) -> float:
        """Volume ratio to the library city."""
        return self.population / LIBRARY_POPULATION


CITIES: tuple[CityPlan, ...] = (
    CityPlan("a-cho", "A町", 8_000, "町村Ⅱ-1", 1.25, 5_900_000, one_person=True,
             note_ja="住民係の担当者1名が受付から入力・審査・決裁前の確認まで行う小さな町。郵送請求・カード交付準備も委託せず"
                     "職員が行う。",
             note_en="A small town: one clerk handles every staff step from reception to the check before the "
                     "decision; mail requests and card preparation are not contracted out."),
    CityPlan("b-shi", "B市", 40_000, "都市Ⅰ-2", 1.15, 6_300_000,
             note_ja="標準ライブラリと同じ体制（窓口・審査・係長決裁）。職員が少なく1人が複数の業務を兼ねるため処理時間がやや長い。",
             note_en="The library's organisation (counter, examiners, 係長 decision) with fewer staff covering "
                     "several procedures each: somewhat slower steps."),
    CityPlan("c-shi", "C市", 110_000, "都市Ⅲ-2", 1.00, 6_600_000,
             note_ja="標準ライブラリと同じ体制・処理時間（件数だけ人口比）。",
             note_en="The library's organisation and minutes; only the volumes follow the population."),
    CityPlan("d-shi", "D市", 125_000, "都市Ⅲ-2", 1.05, 6_700_000, desks=CITY_HALL_DESKS,
             note_ja="市民課の証明発行・住民異動・電子証明書更新の窓口を民間事業者に委託（委託事業者のレーン）。審査・決定は職員。",
             note_en="The certificate, residence-change and certificate-renewal counters are contracted out "
                     "(contractor lanes); examination and decisions stay with staff."),
    CityPlan("e-shi", "E市", 140_000, "都市Ⅲ-2", 0.95, 6_700_000, rpa=True,
             note_ja="住基システム入力・国保資格入力・児童手当認定入力・月次集計など10の入力・集計手順を RPA で処理。"
                     "窓口は職員。",
             note_en="Ten data-entry and tally steps (住基 entry, 国保 and 児童手当 entry, monthly tallies) run "
                     "as RPA; the counters are staff."),
    CityPlan("f-shi", "F市", 400_000, "中核市", 0.90, 7_000_000, desks=CERTIFICATE_DESKS,
             note_ja="中核市。証明発行窓口（受付・出力・交付）だけを委託。",
             note_en="A core city: only the certificate counter (reception, printing, handing over) is contracted "
                     "out."),
    CityPlan("g-shi", "G市", 900_000, "政令指定都市", 0.85, 7_400_000, desks=ALL_DESKS, rpa=True,
             note_ja="政令指定都市（区役所の窓口を集約した想定）。すべての受付窓口を委託し、入力・集計は RPA。",
             note_en="A designated city (ward counters pooled): every reception counter is contracted out and the "
                     "data-entry steps run as RPA."),
)
"""The cities, smallest first.  Three share 都市Ⅲ-2, so the overview has a real group median to compare with."""


# --------------------------------------------------------------------------- transformations


def is_system_lane(lane: Lane) -> bool:
    return any(word in lane.name for word in SYSTEM_LANE_WORDS)


def _scaled_volume(volume: Volume, process: ProcessSpec, plan: CityPlan) -> Volume:
    timer_only = all(n.trigger == "timer" for n in process.nodes if n.kind == "startEvent")
    if timer_only:
        note = f"例示（{plan.name}）: 定期処理のため件数は人口によらず標準ライブラリと同じ {volume.annual:,} 件。"
        return replace(volume, evidence=Evidence("推計", volume.evidence.sources, note), bpmn_annual=None)

    def scale(count: int) -> int:
        return max(1, round(count * plan.ratio))

    note = (f"例示（{plan.name}）: 標準ライブラリの {volume.annual:,} 件 × 人口比 {plan.ratio:.4g}"
            f"（{plan.population:,} ÷ {LIBRARY_POPULATION:,}）。")
    return replace(volume, annual=scale(volume.annual), march=scale(volume.march), april=scale(volume.april),
                   evidence=Evidence("推計", volume.evidence.sources, note), bpmn_annual=None)


def _scaled_facts(facts: Facts, plan: CityPlan, *, rpa: bool, staff_type: str) -> Facts:
    sources = facts.evidence.sources
    if rpa:
        note = f"例示（{plan.name}）: RPA で処理（標準ライブラリでは職員が {facts.minutes:g} 分）。"
        return replace(facts, minutes=None, staff_type="", evidence=Evidence("推計", sources, note))
    if facts.minutes is None or facts.minutes == 0:
        return replace(facts, staff_type=staff_type, evidence=Evidence("推計", sources, facts.evidence.note))
    minutes = round(facts.minutes * plan.minutes_factor, 1)
    note = f"例示（{plan.name}）: 標準ライブラリの {facts.minutes:g} 分 × {plan.minutes_factor:g}。"
    return replace(facts, minutes=minutes, staff_type=staff_type, evidence=Evidence("推計", sources, note))


def _lanes(process: ProcessSpec, plan: CityPlan) -> tuple[tuple[Lane, ...], dict[str, str], set[str]]:
    """The city's lanes, old lane id → new lane id, and the ids of contractor lanes."""
    lanes: list[Lane] = []
    moved: dict[str, str] = {}
    contractor: set[str] = set()
    merged: Lane | None = None
    for lane in process.lanes:
        if plan.one_person and not is_system_lane(lane):
            if merged is None:
                merged = Lane(lane.id, "担当者（1名で全手順）", "One clerk (every step)",
                              doc="例示: 小さな町で、受付から入力・審査まで担当者1名が行う。")
                lanes.append(merged)
            moved[lane.id] = merged.id
            continue
        if lane.name in plan.desks:
            name, en = DESK_LANES[lane.name]
            lanes.append(Lane(lane.id, name, en, doc="例示: 窓口業務委託。受付・入力補助・交付は委託事業者の従事者が"
                                                     "行い、審査・判断は職員に引き継ぐ。"))
            contractor.add(lane.id)
            continue
        lanes.append(lane)
    return tuple(lanes), moved, contractor


def city_process(process: ProcessSpec, plan: CityPlan) -> ProcessSpec:
    """One process of the library as the city runs it (all figures carried by the city's survey sheet)."""
    lanes, moved, contractor = _lanes(process, plan)
    nodes: list[Node] = []
    for node in process.nodes:
        lane = moved.get(node.lane, node.lane) if node.lane is not None else None
        if node.facts is None:
            nodes.append(replace(node, lane=lane))
            continue
        facts = node.facts
        if lane in contractor and (facts.legal or facts.judgment):
            raise ValueError(f"{process.id}/{node.id}: a judgment step in the counter lane a contractor takes")
        rpa = plan.rpa and node.id in RPA_STEPS
        if rpa and (facts.legal or facts.judgment):
            raise ValueError(f"{process.id}/{node.id}: an RPA step must need no judgment")
        staff = "委託" if lane in contractor else ("正規" if plan.one_person else facts.staff_type)
        if facts.staff_type == "委託" and lane not in contractor and plan.one_person:
            staff = "正規"
        new = _scaled_facts(facts, plan, rpa=rpa, staff_type=staff)
        if rpa:
            nodes.append(replace(node, kind="serviceTask", name=f"{node.name}（RPA）", en=f"{node.en} (RPA)",
                                 lane=lane, facts=new, doc=f"{node.doc}（RPA が処理）"))
        else:
            nodes.append(replace(node, lane=lane, facts=new))
    section = process.volume.section.replace("市民課", "住民課") if plan.one_person else process.volume.section
    volume = replace(_scaled_volume(process.volume, process, plan), section=section)
    return replace(process, lanes=lanes, nodes=tuple(nodes), volume=volume, carry="survey",
                   sheet=SheetPlan(ids=True))


def city_file(spec: FileSpec, plan: CityPlan) -> FileSpec:
    pools = []
    for pool in spec.pools:
        name = pool.name.replace("市民課", "住民課") if plan.one_person else pool.name
        pools.append(Pool(pool.id, name, pool.en, city_process(pool.process, plan) if pool.process else None))
    comment = (f"{plan.name}（例示・架空の団体、人口 {plan.population:,}）の {Path(spec.file).name}。"
               "scripts/build_compare.py が標準ライブラリから生成。数値はすべて例示です。")
    return FileSpec(f"{OUT}/{plan.key}/flows/{Path(spec.file).name}", spec.definitions_id, spec.collaboration_id,
                    tuple(pools), spec.messages, comment)


# --------------------------------------------------------------------------- files


def _metadata(plan: CityPlan) -> bytes:
    lines = [
        f"# {plan.name}: 例示・架空の団体（scripts/build_compare.py が生成。実在の自治体ではありません）",
        f'"団体名" = "{plan.name}"',
        f'"人口" = {plan.population}',
        f'"類似団体区分" = "{plan.group}"',
        f'"年度" = {FISCAL_YEAR}',
        '"例示" = true',
        f'"備考" = "{plan.note_ja}（例示）"',
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _profile(plan: CityPlan) -> bytes:
    low, high = round(plan.pay_per_fte * 0.93, -4), round(plan.pay_per_fte * 1.07, -4)
    text = (
        f"# {plan.name} の評価プロファイル（例示）: scripts/build_compare.py が生成。\n"
        "# Only the full staff cost differs from the default profile; every other figure is the default's.\n"
        "[profile]\n"
        f'name = "{plan.name}（例示）"\n'
        f'description = "{plan.name}（人口 {plan.population:,}人、例示・架空の団体） / illustrative municipality"\n'
        "\n[staff.regular]\n"
        f"pay_per_fte = {{ value = {plan.pay_per_fte}, low = {low:.0f}, high = {high:.0f}, source = "
        f'"[I] 例示: {plan.name} の給与費 per head（規模により異なる想定、実在の団体の数値ではない）" }}\n'
    )
    return text.encode("utf-8")


def _survey(plan: CityPlan, specs: Iterable[FileSpec]) -> bytes:
    """The city's 業務量調査 as Excel's 「CSV UTF-8」 (title rows, header on row 3)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f"業務量調査票（令和7年度）{plan.name}（例示）"])
    writer.writerow([f"例示の数値です（実在の自治体の実績ではありません）。標準ライブラリ（flows/survey.xlsx、人口約20万人の市）"
                     f"の件数 × 人口比 {plan.ratio:.4g}、職員の処理時間 × {plan.minutes_factor:g}。"
                     "「出典」のキーは flows/survey.xlsx の出典シート。"])
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in sheet_rows(specs):
        writer.writerow(["" if value is None else value for value in row.cells()])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


README = "flows/README.md"
"""The section between these markers of flows/README.md is generated (a README.md inside flows/compare/ would
be caught by the README's own example, ``bpm compare flows/compare/*``)."""
START, END = "<!-- compare:start -->", "<!-- compare:end -->"


def _readme_section() -> str:
    rows = "\n".join(
        f"| `{p.key}` | {p.name} | {p.population:,} | {p.group} | {p.ratio:.4g} | × {p.minutes_factor:g} | "
        f"{p.pay_per_fte / 1e6:.1f} | {p.note_ja} |"
        for p in CITIES)
    return f"""## 自治体間比較の例示データ / Illustrative municipalities for `bpm compare` (`compare/`)

**すべて例示・架空の団体です（illustrative, fictional）。** 団体名・人口・件数・処理時間・人件費は、
標準ライブラリ（`flows/`、人口約20万人の市の推計）から下の比率で作ったもので、実在の自治体の値ではありません。
各フォルダの `municipality.toml` は `"例示" = true`、調査票の行は「推計」で備考に計算式、プロファイルの値は `[I] 例示`。

Every city is fictional and every figure illustrative: the sample library (a city of about 200,000) scaled by the
ratios below. Generated by `scripts/build_compare.py` (`--check` tells whether these files are up to date); do not
edit them (or this section) by hand.

```sh
bpm compare flows/compare/* --out compare-site/
```

| folder | 団体名 | 人口 | 類似団体区分 | 件数の比率 (人口 ÷ 200,000) | 職員の処理時間 | 給与費/人 (百万円) | 体制 |
|---|---|---:|---|---:|---:|---:|---|
{rows}

What changes from the library, and nothing else (the same {len(PROCEDURE_FILES)} flow files, the same steps and
branch shares in every city):

- **件数 / volumes**: every 業務's annual, March and April cases × (人口 ÷ 200,000), rounded, at least 1; the monthly
  コンビニ交付 手数料精算 (started by a timer) stays at 12 a year.
- **処理時間 / minutes**: every staff step's minutes × the city's factor, to 0.1 min. Steps without staff minutes
  (system steps) stay at 0.
- **レーン / lanes**: A町 merges every staff lane of a process into one 「担当者（1名で全手順）」 lane (its 郵送請求
  and カード交付準備 are done by staff); D市・F市・G市 draw the counter lanes they contract out as 委託事業者 lanes
  (D市: 証明発行・住民異動・更新窓口, F市: 証明発行だけ, G市: every reception counter); the counter steps there are
  judgment-free in the library, and every examination and decision stays in a staff lane.
- **RPA**: E市 and G市 run ten data-entry and tally steps as RPA (serviceTask 「…（RPA）」, no staff minutes):
  住基システム入力 (転入・転出・転居), 転出証明書の作成, 交付件数と手数料の突合, 月次実績の集計・報告, 印鑑登録入力,
  人口動態調査票の作成, 資格入力（国保）, 認定入力（児童手当）.
- **人件費 / staff cost**: `[staff.regular] pay_per_fte` in each `profile.toml` (±7 % as its low/high); everything
  else is the default profile, so the full cost per hour goes through the money model as in `bpm scan`.
- **類似団体区分**: from the 人口 bands of the 総務省 類似団体別市町村財政指数表 (都市Ⅰ < 50,000 ≤ Ⅱ < 100,000 ≤ Ⅲ
  < 150,000 ≤ Ⅳ; 町村Ⅱ 5,000–10,000) with an assumed 産業構造 digit. B市…E市 are 市, not 中核市. Three cities share
  都市Ⅲ-2, so the heat map shows real deviations from a group median; the others are alone in their group
  (a dash in the heat map: nothing to compare with).

Each folder: `municipality.toml` (団体名, 人口, 類似団体区分, 年度, 例示, 備考), `profile.toml`, `survey.csv`
(all step figures; the BPMN carries only the flow), `flows/*.bpmn`. `bpm scan flows/` skips these folders (a folder
holding a `municipality.toml` is another municipality's portfolio).
"""


def _readme(current: str) -> bytes:
    """flows/README.md with its generated section replaced (appended when the markers are missing)."""
    section = f"{START}\n{_readme_section()}{END}"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = current.rstrip("\n") + "\n\n" + section + "\n"
    return text.encode("utf-8")


PROCEDURE_FILES: tuple[str, ...] = ()
"""Library files the cities are built from (filled by :func:`outputs`)."""


def outputs(root: Path) -> dict[str, bytes]:
    """Relative path → content of every file under flows/compare/, and flows/README.md."""
    global PROCEDURE_FILES
    library = [s for s in load_specs() if s.file.startswith("flows/")]
    PROCEDURE_FILES = tuple(Path(s.file).name for s in library)
    files: dict[str, bytes] = {README: _readme((root / README).read_text(encoding="utf-8"))}
    for plan in CITIES:
        specs = [city_file(spec, plan) for spec in library]
        folder = f"{OUT}/{plan.key}"
        for spec in specs:
            files[spec.file] = to_xml(spec, layout_views(spec))
        files[f"{folder}/municipality.toml"] = _metadata(plan)
        files[f"{folder}/profile.toml"] = _profile(plan)
        files[f"{folder}/survey.csv"] = _survey(plan, specs)
    return dict(sorted(files.items()))


def build(root: Path, *, check: bool) -> int:
    files = outputs(root)
    stale = [name for name, content in files.items()
             if not (root / name).is_file() or (root / name).read_bytes() != content]
    extra = sorted(p.relative_to(root).as_posix() for p in (root / OUT).rglob("*")
                   if p.is_file() and p.relative_to(root).as_posix() not in files) if (root / OUT).is_dir() else []
    if check:
        if stale or extra:
            print("out of date (run python scripts/build_compare.py): " + ", ".join(stale + extra), file=sys.stderr)
            return 1
        return 0
    for name in stale:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
        print(f"wrote {name}", file=sys.stderr)
    for name in extra:
        (root / name).unlink()
        print(f"removed {name}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    return build(ROOT, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
