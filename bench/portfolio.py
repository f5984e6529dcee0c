"""A city's portfolio on disk: N synthetic flows and the survey sheet that goes with them.

``bpm scan DIR`` picks up ``DIR/survey.csv`` by itself, so a portfolio folder
is scanned exactly as a reform team's folder would be.  Folders are cached: a
``.portfolio.json`` records the parameters and a folder whose record matches
is reused, so the 1,000-flow portfolio is generated once per machine.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bench.synthetic import FlowSpec, IdStyle, SurveyRow, synthetic_flow

SURVEY_HEADER = ("業務", "手順ID", "手順", "件数", "処理時間(分)", "例外率", "入力形式", "使用システム", "判断",
                 "公権力の行使", "分岐確率", "備考")
_PROCEDURES = ("転入届", "転出届", "転居届", "住民票の写し等の交付", "印鑑登録", "印鑑登録証明書の交付", "戸籍届出",
               "戸籍証明書の交付", "郵送請求", "国民健康保険 加入")
_RECORD = ".portfolio.json"


@dataclass(frozen=True, slots=True)
class PortfolioSpec:
    """What a generated portfolio holds; equal specs give equal files."""

    flows: int
    """Number of BPMN files (one process each)."""
    tasks: int = 50
    """Tasks per flow."""
    seed: int = 0
    """Base seed; flow ``i`` uses ``seed * 1_000_003 + i``."""
    id_style: IdStyle = "random"
    """``numbered`` makes every file use the same ids (Activity_1…)."""
    survey: bool = True
    """Write ``survey.csv`` (件数 per flow, minutes and shares for about half the steps)."""


def flow_spec(spec: PortfolioSpec, index: int) -> FlowSpec:
    """The :class:`FlowSpec` of flow ``index`` (0-based) of a portfolio."""
    procedure = _PROCEDURES[index % len(_PROCEDURES)]
    return FlowSpec(
        tasks=spec.tasks,
        seed=spec.seed * 1_000_003 + index,
        name=f"{procedure}（合成{index + 1:04d}）",
        annual_count=1000 + (index * 7919) % 20000,
        id_style=spec.id_style,
    )


def survey_csv(rows: Iterable[SurveyRow]) -> bytes:
    """The 業務量調査 sheet as CSV (UTF-8 with BOM, as Excel writes it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SURVEY_HEADER)
    for row in rows:
        writer.writerow((row.flow, row.step_id, row.step, row.annual_count, row.minutes, row.exception_rate,
                         row.input_form, "", row.judgment, row.legal_authority, row.probability,
                         "合成データ（ベンチマーク用）"))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_portfolio(folder: Path, spec: PortfolioSpec) -> Path:
    """Write (or reuse) the portfolio ``spec`` in ``folder``; returns ``folder``."""
    record = json.dumps(asdict(spec), sort_keys=True)
    marker = folder / _RECORD
    if marker.is_file() and marker.read_text(encoding="utf-8") == record:
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rows: list[SurveyRow] = []
    for index in range(spec.flows):
        flow = synthetic_flow(flow_spec(spec, index))
        (folder / f"flow-{index + 1:05d}.bpmn").write_bytes(flow.xml)
        rows.extend(flow.survey)
    if spec.survey:
        (folder / "survey.csv").write_bytes(survey_csv(rows))
    marker.write_text(record, encoding="utf-8")
    return folder


def revise_flow(folder: Path, spec: PortfolioSpec, index: int = 0, revision: int = 1) -> Path:
    """Rewrite flow ``index`` with one task renamed (the survey still matches it by id); returns its path."""
    path = folder / f"flow-{index + 1:05d}.bpmn"
    changed = synthetic_flow(replace(flow_spec(spec, index), revision=revision))
    path.write_bytes(changed.xml)
    (folder / _RECORD).unlink(missing_ok=True)  # no longer the pristine portfolio
    return path
