"""The legal gate at the command line: the template rule in `bpm lint`, and no silent volume fallback (issue 7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
LEGAL = REPO / "tests" / "data" / "legal"


def run_bpm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300)


def test_lint_reports_a_missing_decision_step_as_an_error() -> None:
    result = run_bpm("lint", str(LEGAL / "konin_coarse.bpmn"))
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stdout.splitlines() if "procedure-decision-missing" in line]
    assert len(lines) == 2
    assert "konin_coarse.bpmn:" in lines[0] and "error procedure-decision-missing" in lines[0]
    assert "受付・内容確認" in lines[0] and "[id=T_Uketsuke]" in lines[0]
    assert "[id=T_Shomei]" in lines[1]
    assert "2 error(s)" in result.stderr


def test_lint_can_disable_and_list_the_template_rule() -> None:
    disabled = run_bpm("lint", "--disable", "procedure-decision-missing", str(LEGAL / "konin_coarse.bpmn"))
    assert disabled.returncode == 0, disabled.stdout + disabled.stderr
    assert "procedure-decision-missing" not in disabled.stdout
    listed = run_bpm("lint", "--list-rules")
    assert listed.returncode == 0
    assert any(line.startswith("procedure-decision-missing") and " error " in line
               for line in listed.stdout.splitlines())
    complete = run_bpm("lint", str(LEGAL / "koseki_loop.bpmn"))
    assert complete.returncode == 0 and "procedure-decision-missing" not in complete.stdout


def test_score_exits_1_on_unsolvable_volumes_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = run_bpm("score", str(LEGAL / "koseki_loop.bpmn"), str(LEGAL / "konin_coarse.bpmn"),
                     "--survey", str(LEGAL / "shares_163.csv"), "--out", str(out))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "sum to 1.63" in result.stderr and "row 6 (F_Tsuikan = 0.7)" in result.stderr
    assert "koseki_loop.bpmn:" in result.stderr and "[id=G_Juri]" in result.stderr
    assert "--exclude-unsolvable" in result.stderr and "nothing written" in result.stderr
    assert not out.exists()


def test_score_publishes_with_the_flow_excluded_only_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = run_bpm("score", str(LEGAL / "koseki_loop.bpmn"), str(LEGAL / "konin_coarse.bpmn"),
                     "--survey", str(LEGAL / "shares_163.csv"), "--exclude-unsolvable", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "1 flow(s) excluded from totals and ranking" in result.stderr
    table = pd.read_csv(out, encoding="utf-8-sig")  # headers in Japanese (issue 10 item 5)
    assert set(table["業務フロー"]) == {"婚姻届"}
    legal = {"法的区分（記号）", "法的区分", "法的区分の根拠", "委託の根拠通知", "要確認の解消方法"}
    assert legal <= set(table.columns)
    uketsuke = table[table["手順ID"] == "T_Uketsuke"].iloc[0]
    assert uketsuke["法的区分（記号）"] == "authority" and uketsuke["法的区分"] == "公権力の行使"
    assert "受付・内容確認" in result.stderr  # the missing-decision errors are printed


def test_scan_exits_1_on_unsolvable_volumes_unless_asked(tmp_path: Path) -> None:
    args = ("scan", str(LEGAL / "koseki_loop.bpmn"), "--survey", str(LEGAL / "shares_163.csv"))
    refused = run_bpm(*args, "--out", str(tmp_path / "refused"))
    assert refused.returncode == 1 and not (tmp_path / "refused").exists()
    published = run_bpm(*args, str(LEGAL / "konin_coarse.bpmn"), "--exclude-unsolvable",
                        "--out", str(tmp_path / "site"))
    assert published.returncode == 0, published.stderr
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "件数を計算できず集計から除外した業務" in index and "sum to 1.63" in index
