"""Synthetic municipalities for the cross-city comparison (issue 14): N cities × M standard procedures.

Every city is a folder holding its flows, its 業務量調査 sheet, its scoring
profile and a small metadata file (団体名, 人口, 類似団体区分, 年度).  The same
standard procedure has the same skeleton in every city (seeded by the
procedure), and each city varies it the way real cities differ: case volumes
follow the population, minutes are faster or slower, the number of lanes
differs and part of the counter work may sit in a 委託事業者 lane.

**All figures are illustrative** (marked as such in every metadata file and
survey row): populations are drawn to resemble the national spread of 1,741
municipalities, volumes per 1,000 residents are the estimates of
``shared/domain/counter-procedures.md`` (marked [est] there), and the
類似団体区分 bands below are assumptions to check against the 総務省
類似団体別市町村財政指数表 of the chosen year.

The on-disk format of issue 14 is not decided yet, so the layout is a
parameter (:class:`CityLayout`); ``bench/README.md`` documents the default.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bench.portfolio import survey_csv
from bench.synthetic import CONTRACTOR_LANE, FlowSpec, SurveyRow, synthetic_flow


@dataclass(frozen=True, slots=True)
class Procedure:
    """A standard procedure of the catalogue, with an illustrative volume."""

    code: str
    name: str
    aliases: tuple[str, ...]
    """Names cities use for it (the name matching of issue 14 must cope)."""
    per_1000: float
    """Cases a year per 1,000 residents [est]."""
    tasks: int
    """Tasks in its skeleton."""
    catalogue: str = ""
    """Key of the standard procedure in scoring/catalogue/procedures.toml (or one of :data:`EXTRA_PROCEDURES`,
    which every city profile adds): what ``bpm compare`` groups by.  Several codes may share a key (転入・転出・
    転居 are all 住民異動届); their flows then add up to one procedure per city."""


# Volumes per 1,000 residents: counter-procedures.md estimates for a city of 200,000 divided by 200 ([est]).
CATALOGUE: tuple[Procedure, ...] = (
    Procedure("P01", "転入届", ("住民異動届（転入）", "転入手続"), 25, 40, "jumin_ido"),
    Procedure("P02", "転出届", ("住民異動届（転出）", "転出手続"), 25, 25, "jumin_ido"),
    Procedure("P03", "転居届", ("住民異動届（転居）", "転居・世帯変更届"), 10, 20, "jumin_ido"),
    Procedure("P04", "住民票の写し等の交付", ("住民票交付", "住民票の写しの交付"), 450, 20, "juminhyo_kofu"),
    Procedure("P05", "戸籍証明書の交付", ("戸籍謄抄本の交付", "戸籍証明交付"), 150, 18, "koseki_shomei"),
    Procedure("P06", "印鑑登録", ("印鑑登録申請", "印鑑登録事務"), 25, 25, "inkan_toroku"),
    Procedure("P07", "印鑑登録証明書の交付", ("印鑑証明交付", "印鑑登録証明"), 300, 15, "inkan_shomei"),
    Procedure("P08", "戸籍届出", ("戸籍届出受付", "出生・婚姻・死亡届"), 26, 45, "koseki_todoke"),
    Procedure("P09", "郵送請求", ("証明書の郵送請求", "郵送による証明交付"), 87, 30, "yuso_seikyu"),
    Procedure("P10", "マイナンバーカード交付", ("個人番号カード交付", "マイナンバーカードの交付"), 60, 30, "mynumber"),
    Procedure("P11", "電子証明書更新", ("電子証明書の更新", "署名用電子証明書更新"), 40, 15, "mynumber"),
    Procedure("P12", "国民健康保険 加入", ("国保加入", "国民健康保険資格取得"), 40, 25, "kokuho"),
    Procedure("P13", "国民健康保険 喪失", ("国保喪失", "国民健康保険資格喪失"), 40, 20, "kokuho"),
    Procedure("P14", "国民年金 資格取得", ("国民年金加入", "国民年金第1号被保険者資格取得"), 15, 18, "nenkin"),
    Procedure("P15", "児童手当 認定請求", ("児童手当申請", "児童手当の認定請求"), 11, 30, "jido_teate"),
    Procedure("P16", "関係課連携", ("ワンストップ連携", "異動に伴う関係課連絡"), 25, 35, "onestop"),
    Procedure("P17", "おくやみ窓口", ("死亡に伴う手続案内", "おくやみコーナー"), 8, 35, "okuyami"),
    Procedure("P18", "後期高齢者医療 資格取得", ("後期高齢者医療加入", "後期高齢 資格取得"), 8, 18, "kouki"),
    Procedure("P19", "介護保険 資格取得", ("介護保険加入", "介護保険被保険者資格取得"), 10, 18, "kaigo"),
    Procedure("P20", "就学通知", ("就学通知書の発行", "入学通知"), 5, 15, "shugaku"),
)

EXTRA_PROCEDURES: dict[str, tuple[str, str, str]] = {
    "okuyami": ("おくやみ窓口", "Bereavement counter", "おくやみ"),
    "kouki": ("後期高齢者医療 資格取得", "Late-stage elderly medical insurance enrolment", "後期高齢"),
    "kaigo": ("介護保険 資格取得", "Long-term care insurance enrolment", "介護保険"),
    "shugaku": ("就学通知", "School enrolment notice", "就学"),
}
"""Procedures the catalogue lacks, added by every synthetic city's profile ([legal.procedures]; not on the 内閣府
list, so nothing in them is outsourced): key → (name ja, name en, alias)."""

_LANE_POOL = ("窓口受付", "審査・入力担当", "係長（決裁）", "住基システム", "証明発行担当", "総合窓口")
_OUTSOURCING = ((0.0, 0.45), (0.3, 0.25), (0.6, 0.2), (0.9, 0.1))
"""Share of counter work in a 委託事業者 lane, and the share of cities doing so [illustrative]."""


@dataclass(frozen=True, slots=True)
class CityLayout:
    """Where a city's files go and how a flow names its standard procedure (issue 14's format is open)."""

    city_dir: str = "{code}-{kind}{number:04d}"
    """Folder name pattern (fields: code, kind 市/町/村/区, number)."""
    metadata_file: str = "municipality.toml"
    """Metadata file; ``.toml`` or ``.json`` by its suffix."""
    metadata_keys: Literal["ja", "en"] = "ja"
    """Key names: 団体コード/団体名/人口/類似団体区分/年度, or code/name/population/similar_group/fiscal_year."""
    flows_dir: str = "flows"
    """Sub-folder for the BPMN files ('' = next to the metadata)."""
    survey_file: str = "survey.csv"
    profile_file: str = "profile.toml"
    procedure_tag: Literal["property", "name", "mapping"] = "property"
    """property: the flow has a ``procedure`` property with the catalogue code and a city-specific name;
    name: the flow is named exactly as the catalogue; mapping: city-specific names and a mapping table (業務 →
    catalogue key)."""
    mapping_file: str = "procedures.csv"
    """The mapping table (業務, 標準手続) when ``procedure_tag`` is ``mapping``."""


@dataclass(frozen=True, slots=True)
class City:
    """One synthetic municipality."""

    number: int
    code: str
    kind: str
    name: str
    population: int
    similar_group: str
    fiscal_year: int
    minutes_scale: float
    outsourced_share: float
    lanes: tuple[str, ...]
    staff_yen_per_hour: int


def _population(rng: random.Random) -> tuple[str, int]:
    """Kind and population, roughly the national mix (792 市, 23 区, 743 町, 183 村) [illustrative]."""
    kind = rng.choices(("市", "区", "町", "村"), (792, 23, 743, 183))[0]
    low, high = {"市": (20_000, 800_000), "区": (60_000, 900_000), "町": (2_000, 60_000), "村": (300, 20_000)}[kind]
    population = int(math.exp(rng.uniform(math.log(low), math.log(high))))
    if kind == "市" and rng.random() < 0.025:
        population = rng.randint(700_000, 3_700_000)  # 政令指定都市
    return kind, population


def similar_group(kind: str, population: int, industry: int) -> str:
    """類似団体区分 from population bands and an industry-structure digit (bands assumed; see module doc)."""
    if kind == "区":
        return "特別区"
    if kind == "市":
        if population >= 700_000:
            return "政令指定都市"
        if population >= 200_000:
            return "中核市"
        band = "Ⅰ" if population < 50_000 else "Ⅱ" if population < 100_000 else "Ⅲ" if population < 150_000 else "Ⅳ"
        return f"都市{band}-{industry}"
    bands = ((5_000, "Ⅰ"), (10_000, "Ⅱ"), (15_000, "Ⅲ"), (20_000, "Ⅳ"))
    band = next((name for limit, name in bands if population < limit), "Ⅴ")
    return f"町村{band}-{industry}"


def make_cities(count: int, seed: int = 0, fiscal_year: int = 2024) -> list[City]:
    """``count`` cities, deterministic from ``seed``."""
    cities = []
    for number in range(1, count + 1):
        rng = random.Random(f"city:{seed}:{number}")
        kind, population = _population(rng)
        share = rng.choices([s for s, _ in _OUTSOURCING], [w for _, w in _OUTSOURCING])[0]
        lanes = ("窓口受付", "審査・入力担当", *rng.sample(_LANE_POOL[2:], rng.randint(1, 3)))
        cities.append(City(
            number=number, code=f"99{number:04d}", kind=kind, name=f"サンプル{kind}{number:04d}",
            population=population, similar_group=similar_group(kind, population, rng.randint(0, 2)),
            fiscal_year=fiscal_year, minutes_scale=round(math.exp(rng.gauss(0.0, 0.2)), 3),
            outsourced_share=share, lanes=lanes, staff_yen_per_hour=rng.randint(2_800, 4_000),
        ))
    return cities


def _metadata(city: City, layout: CityLayout) -> str:
    ja = layout.metadata_keys == "ja"
    values = {
        "団体コード" if ja else "code": city.code,
        "団体名" if ja else "name": city.name,
        "人口" if ja else "population": city.population,
        "類似団体区分" if ja else "similar_group": city.similar_group,
        "年度" if ja else "fiscal_year": city.fiscal_year,
        "illustrative": True,
        "備考" if ja else "note": "ベンチマーク用の架空の団体（例示値） / fictional municipality for benchmarks",
    }
    if layout.metadata_file.endswith(".json"):
        return json.dumps(values, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for key, value in values.items():
        text = "true" if value is True else str(value) if isinstance(value, int) else json.dumps(value,
                                                                                                ensure_ascii=False)
        lines.append(f"{json.dumps(key, ensure_ascii=False)} = {text}")
    return "\n".join(lines) + "\n"


def _profile(city: City) -> str:
    return (
        "# 例示プロファイル（ベンチマーク用の架空の団体） / illustrative profile of a fictional municipality\n"
        "[profile]\n"
        f'name = "{city.name}"\n'
        f'description = "{city.name}（人口 {city.population:,}人、例示値） / illustrative"\n\n'
        "[cost]\n"
        f"staff_yen_per_hour = {city.staff_yen_per_hour}\n"
        + "".join(
            f'\n[legal.procedures.{key}]\nname_ja = "{ja}"\nname_en = "{en}"\naliases_ja = ["{alias}"]\n'
            'on_list = false\nsource = "bench/municipal.py: illustrative procedure outside the catalogue"\n'
            for key, (ja, en, alias) in EXTRA_PROCEDURES.items()
        )
    )


def city_flows(city: City, procedures: int, seed: int, layout: CityLayout) -> Iterator[tuple[Procedure, str, FlowSpec]]:
    """Each procedure the city runs: the catalogue entry, the name the city uses and the flow spec."""
    for index in range(procedures):
        base = CATALOGUE[index % len(CATALOGUE)]
        extra = index // len(CATALOGUE)
        procedure = base if not extra else Procedure(f"{base.code}-{extra}", f"{base.name}（{extra + 1}）",
                                                     tuple(f"{a}（{extra + 1}）" for a in base.aliases),
                                                     base.per_1000, base.tasks, base.catalogue)
        rng = random.Random(f"proc:{seed}:{city.number}:{procedure.code}")
        local = procedure.name if layout.procedure_tag == "name" else rng.choice(procedure.aliases)
        cases = max(1, round(procedure.per_1000 * city.population / 1000 * rng.uniform(0.8, 1.25)))
        lanes = city.lanes if not city.outsourced_share else (CONTRACTOR_LANE, *city.lanes)
        yield procedure, local, FlowSpec(
            tasks=max(5, round(procedure.tasks * rng.uniform(0.85, 1.2))),
            seed=(seed * 1_000_003 + city.number) * 1009 + index,
            name=local,
            lanes=lanes,
            outsourced_share=city.outsourced_share,
            minutes_scale=city.minutes_scale,
            annual_count=cases,
            procedure=procedure.catalogue if layout.procedure_tag == "property" else None,
        )


def write_municipalities(root: Path, cities: int, procedures: int = 20, *, seed: int = 0,
                         layout: CityLayout | None = None, fiscal_year: int = 2024) -> list[Path]:
    """Write ``cities`` city folders of ``procedures`` flows each under ``root``; returns the folders."""
    layout = layout or CityLayout()
    folders = []
    for city in make_cities(cities, seed, fiscal_year):
        folder = root / layout.city_dir.format(code=city.code, kind=city.kind, number=city.number)
        flows = folder / layout.flows_dir if layout.flows_dir else folder
        flows.mkdir(parents=True, exist_ok=True)
        (folder / layout.metadata_file).write_text(_metadata(city, layout), encoding="utf-8")
        (folder / layout.profile_file).write_text(_profile(city), encoding="utf-8")
        rows: list[SurveyRow] = []
        mapping = []
        for procedure, local, spec in city_flows(city, procedures, seed, layout):
            flow = synthetic_flow(spec)
            (flows / f"{procedure.code}.bpmn").write_bytes(flow.xml)
            rows.extend(flow.survey)
            mapping.append((local, procedure.catalogue))
        (folder / layout.survey_file).write_bytes(survey_csv(rows))
        if layout.procedure_tag == "mapping":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(("業務", "標準手続"))
            writer.writerows(mapping)
            (folder / layout.mapping_file).write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
        folders.append(folder)
    return folders
