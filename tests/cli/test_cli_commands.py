"""`bpm score`, `bpm scan` and `bpm render` end to end: real files in, real files out, exact messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bpm.reader import read_bpmn
from reports.dot import dot_available
from reports.export_columns import header as export_header
from reports.style import DISPOSITION_STYLES
from scoring.features import assessable_steps
from scoring.survey import load_survey
from scoring.table import COLUMNS

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
NODI = REPO / "tests" / "data" / "reports_nodi"
SAMPLE_FILES = sorted(FLOWS.glob("*.bpmn"))
SAMPLE_PROCESSES = [p for path in SAMPLE_FILES for p in read_bpmn(path).processes.values()]
SAMPLE_STEPS = sum(len(assessable_steps(p)) for p in SAMPLE_PROCESSES)
"""Assessed steps in the sample files (every task of every process)."""
SAMPLE_SURVEY = load_survey(FLOWS / "survey.xlsx")


def run_bpm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=cwd or REPO, timeout=300
    )


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("score")
    for name in ("results.csv", "results.xlsx", "results.json"):
        result = run_bpm("score", str(FLOWS), "--out", str(out / name))
        assert result.returncode == 0, result.stderr
        assert f"wrote {out / name} ({SAMPLE_STEPS} steps)" in result.stderr
    return out


def test_score_writes_the_same_table_in_three_formats(scored: Path) -> None:
    csv = pd.read_csv(scored / "results.csv", encoding="utf-8-sig")
    xlsx = pd.read_excel(scored / "results.xlsx")
    records = json.loads((scored / "results.json").read_text(encoding="utf-8"))
    assert len(csv) == len(xlsx) == len(records) == SAMPLE_STEPS
    assert list(csv.columns) == list(xlsx.columns) == [export_header(k, "ja") for k in COLUMNS]
    assert list(records[0]) == list(COLUMNS)  # JSON keeps the keys scripts use
    assert set(csv["処理方針"]) <= {s.ja for s in DISPOSITION_STYLES.values()}
    assert csv["手順ID"].tolist() == xlsx["手順ID"].tolist() == [r["step_id"] for r in records]


def test_score_lang_en_writes_english_headers_and_sheets(tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "results.xlsx"
    result = run_bpm("-q", "score", str(FLOWS / "juminhyo.bpmn"), "--lang", "en", "--out", str(out))
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Steps", "Assumptions", "Legend"]
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [export_header(k, "en") for k in COLUMNS]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_score_uses_the_sample_survey_found_in_the_directory(scored: Path) -> None:
    csv = pd.read_csv(scored / "results.csv", encoding="utf-8-sig")
    cases = next(r.annual_count for r in SAMPLE_SURVEY.rows if r.process == "転入届" and r.is_flow_row)
    tennyu = csv[csv["業務フロー"] == "転入届"]
    assert (tennyu["年間実施回数"].max()) >= cases  # 件数 of 転入届 in flows/survey.xlsx
    sheet_minutes = next(r.minutes for r in SAMPLE_SURVEY.rows if r.step_id == "Activity_TennyuKisaiShinsa")
    review = csv[csv["手順ID"] == "Activity_TennyuKisaiShinsa"].iloc[0]
    assert review["分/回"] == sheet_minutes  # 処理時間(分) of 記載内容審査 in the sheet
    assert review["処理方針"] != "民間委託", "公権力の行使 is never outsourced"


def test_score_reports_a_malformed_profile_by_key(tmp_path: Path) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text('[cost]\nhours_per_fte = "many"\n', encoding="utf-8")
    result = run_bpm("score", str(FLOWS / "juminhyo.bpmn"), "--profile", str(profile), "--out", str(tmp_path / "r.csv"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hours_per_fte" in result.stderr and "bad.toml" in result.stderr
    assert not (tmp_path / "r.csv").exists()


def test_score_reports_a_bad_survey_cell_with_file_and_line(tmp_path: Path) -> None:
    sheet = tmp_path / "survey.csv"
    sheet.write_text("業務,手順,件数,処理時間(分)\n住民票の写し等の交付,申請書受領,,abc\n", encoding="utf-8")
    result = run_bpm("score", str(FLOWS / "juminhyo.bpmn"), "--survey", str(sheet), "--out", str(tmp_path / "r.csv"))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "survey.csv:2" in result.stderr


def test_score_refuses_an_unknown_output_format(tmp_path: Path) -> None:
    result = run_bpm("score", str(FLOWS / "juminhyo.bpmn"), "--out", str(tmp_path / "r.txt"))
    assert result.returncode == 1
    assert "unknown results format '.txt'" in result.stderr


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("scan") / "site"
    result = run_bpm("scan", str(FLOWS), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, result


def test_scan_writes_the_site_and_says_where_to_open_it(
    scanned: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, result = scanned
    index = out / "index.html"
    assert index.is_file() and (out / "candidates.html").is_file()
    assert len(list(out.glob("flow-*.html"))) == len(SAMPLE_PROCESSES)  # one page per process
    last = result.stderr.strip().splitlines()[-1]
    assert index.resolve().as_uri() in last
    assert f"[1/{len(SAMPLE_FILES)}] reading" in result.stderr, "progress is shown while scanning"


def test_scan_offers_every_diagram_as_svg_png_and_pdf(
    scanned: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = scanned
    diagrams = sorted(p.name for p in (out / "diagrams").iterdir())
    stems = {name.rsplit(".", 1)[0] for name in diagrams}
    modeled = sum(len(read_bpmn(path).diagrams) for path in SAMPLE_FILES)  # one picture per modeler diagram
    assert len(stems) == modeled == len(SAMPLE_FILES) + 1  # マイナンバーカード draws 交付 and 更新 apart
    assert diagrams == sorted(f"{s}.{fmt}" for s in stems for fmt in ("pdf", "png", "svg"))
    page = next(out.glob("flow-*tennyu*.html")).read_text(encoding="utf-8")
    for fmt in ("svg", "png", "pdf"):
        linked = [name for name in diagrams if name.endswith(f".{fmt}") and f'href="diagrams/{name}"' in page]
        assert len(linked) == 1, fmt
    assert (out / "downloads" / "results.xlsx").is_file()
    assert len(list((out / "downloads" / "annotated").glob("tennyu-*.bpmn"))) == 1  # slug + hash of the path


def test_scan_refuses_to_replace_a_directory_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run_bpm("scan", str(FLOWS / "juminhyo.bpmn"), "--out", str(tmp_path))
    assert result.returncode == 1
    assert "does not look like a report site" in result.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_render_writes_each_format_of_each_diagram(tmp_path: Path) -> None:
    result = run_bpm("render", str(FLOWS / "juminhyo.bpmn"), str(FLOWS / "inkan.bpmn"), "-f", "png", "-f", "pdf",
                     "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 4 and {p.rsplit(".", 1)[1] for p in written} == {"png", "pdf"}
    assert all((tmp_path / n).read_bytes()[:4] in (b"\x89PNG", b"%PDF") for n in written)
    assert result.stderr.strip().endswith(f"4 file(s) written to {tmp_path}")


@pytest.mark.skipif(not dot_available(), reason="Graphviz dot is not installed")
def test_render_lays_out_files_without_coordinates(tmp_path: Path) -> None:
    result = run_bpm("render", str(NODI / "counter_nodi.bpmn"), "-f", "svg", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (svg,) = tmp_path.iterdir()
    assert svg.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')


def test_render_di_only_names_the_file_without_coordinates(tmp_path: Path) -> None:
    result = run_bpm("render", str(NODI / "counter_nodi.bpmn"), "--layout", "di", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "counter_nodi.bpmn has no diagram interchange" in result.stderr
    assert "use layout auto or dot" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists(), "nothing is written when a file fails"
