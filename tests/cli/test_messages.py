"""CLI messages in Japanese by default, English under ``--lang en`` or an English locale (issue 10 item 4).

The rest of the suite runs with ``BPM_LANG=en`` (tests/conftest.py); these tests choose the language
themselves.  They check the catalogue (both languages, the same placeholders), that bpm/cli.py says
nothing outside it, the language rule, and the Japanese texts end to end, file/line/id included.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bpm.messages import language_from_environment, placeholders, text
from bpm.messages_catalogue import MESSAGES

REPO = Path(__file__).resolve().parents[2]
LEGAL = REPO / "tests" / "data" / "legal"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NEUTRAL = {"cli.summary", "cli.bigger_paper"}
"""Ids whose text is the same in both languages (a prefix around other text, an option name)."""


def run_bpm(*args: str, lang: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own, with the locale variables given (none of the suite's)."""
    clean = {k: v for k, v in os.environ.items() if k not in {"BPM_LANG", "LANG", "LC_ALL", "LC_MESSAGES"}}
    if lang is not None:
        clean["BPM_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300, env={**clean, **env})


# --------------------------------------------------------------------------- the catalogue


def test_every_message_has_japanese_and_english_with_the_same_placeholders() -> None:
    for key, (ja, en) in MESSAGES.items():
        assert ja.strip() and en.strip(), key
        assert placeholders(ja) == placeholders(en), key  # file, line, id, numbers appear in both
        if key not in NEUTRAL:
            assert JAPANESE.search(ja), f"{key}: the Japanese text has no Japanese in it: {ja!r}"
            assert ja != en, key


def _cli_calls() -> list[ast.Call]:
    tree = ast.parse((REPO / "bpm" / "cli.py").read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def test_cli_says_nothing_outside_the_catalogue() -> None:
    """No literal text reaches the user from bpm/cli.py: messages, errors, hints and help are catalogue ids."""
    speaking = {"echo", "_progress", "_notice", "step", "BpmError", "SurveyError", "RenderError", "BpmnParseError",
                "BadParameter", "UsageError", "stage", "tell"}
    literal = (ast.Constant, ast.JoinedStr)
    offenders = []
    for call in _cli_calls():
        texts = [a for a in call.args[:1] if _name(call) in speaking and _name(call) != "echo"]
        texts += [k.value for k in call.keywords if k.arg in {"help", "hint", "message"}]
        for node in texts:
            if isinstance(node, literal) and not (isinstance(node, ast.Constant) and node.value in ("", None)):
                offenders.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
        if _name(call) == "echo" and call.args and isinstance(call.args[0], ast.JoinedStr):
            rendered = ast.unparse(call.args[0])
            if re.search(r"[A-Za-z]{3,} [a-z]{2,}", re.sub(r"\{[^}]*\}", "", rendered)):
                offenders.append(f"line {call.lineno}: {rendered[:80]}")
    assert not offenders, "\n".join(offenders)


def test_every_catalogue_id_is_used_and_every_used_id_exists() -> None:
    used = set()
    for call in _cli_calls():
        if _name(call) in {"m", "h", "text"} and call.args and isinstance(call.args[0], ast.Constant):
            used.add(call.args[0].value)
    source = (REPO / "bpm" / "cli.py").read_text(encoding="utf-8")
    used |= set(re.findall(r"m\('([a-z_.]+)'", source))  # inside f-strings
    assert used - set(MESSAGES) == set()
    assert set(MESSAGES) - used == set()


# --------------------------------------------------------------------------- the language rule


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "ja"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "C.UTF-8"}, "ja"),  # CI containers: the product's default language
    ({"LC_ALL": "POSIX"}, "ja"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "ja_JP.UTF-8"}, "en"),
    ({"LC_ALL": "ja_JP.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "ja"),  # LC_ALL wins, as in POSIX
    ({"BPM_LANG": "en", "LC_ALL": "ja_JP.UTF-8"}, "en"),
    ({"BPM_LANG": "ja", "LANG": "en_US.UTF-8"}, "ja"),
    ({"BPM_LANG": "fr", "LANG": "en_US.UTF-8"}, "en"),  # an unknown BPM_LANG falls back to the locale
])
def test_language_from_the_environment(environ: dict[str, str], expected: str) -> None:
    assert language_from_environment(environ) == expected


# --------------------------------------------------------------------------- end to end


def test_japanese_by_default_under_a_c_locale_and_english_when_asked(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    ja = run_bpm("scan", str(tmp_path / "empty"), "--out", str(tmp_path / "site"), LANG="C.UTF-8")
    assert ja.returncode == 1
    suffixes = ".bpmn, .bpmn2, .bpmn20.xml"
    assert ja.stderr.strip() == f"{tmp_path / 'empty'}: フォルダにBPMNファイル（{suffixes}）がありません"
    for en in (run_bpm("--lang", "en", "scan", str(tmp_path / "empty"), LANG="ja_JP.UTF-8"),
               run_bpm("scan", str(tmp_path / "empty"), LANG="en_US.UTF-8")):
        assert en.returncode == 1
        assert en.stderr.strip() == f"{tmp_path / 'empty'}: no BPMN files (.bpmn, .bpmn2, .bpmn20.xml) in directory"


def test_japanese_notes_keep_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    source = (LEGAL / "konin_coarse.bpmn").read_bytes()
    (folder / "konin.bpmn").write_bytes(source)
    (folder / ".hidden.bpmn").write_bytes(source)
    result = run_bpm("-q", "inspect", str(folder), lang="ja")
    assert result.returncode == 0, result.stderr
    assert f"bpm: 対象外 {folder / '.hidden.bpmn'}: 隠しファイル" in result.stderr
    assert "  プール（2）:" in result.stdout and "  プロセス（" in result.stdout and "  図: 0" in result.stdout
    assert "  検査結果: なし" in result.stdout and "processes" not in result.stdout and "findings" not in result.stdout


def test_a_japanese_error_names_file_line_and_element_id(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = run_bpm("score", str(LEGAL / "koseki_loop.bpmn"), "--survey", str(LEGAL / "shares_163.csv"),
                     "--out", str(out), lang="ja")
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"{re.escape(str(LEGAL / 'koseki_loop.bpmn'))}:\d+: 1件のフローは件数が計算できないため評価できません。"
        r"何も書き出していません \[id=G_Juri\] \(入力を直すか、--exclude-unsolvable を付けて.*\)", last), last
    assert "Traceback" not in result.stderr and not out.exists()
    english = run_bpm("--lang", "en", "score", str(LEGAL / "koseki_loop.bpmn"), "--survey",
                      str(LEGAL / "shares_163.csv"), "--out", str(out))
    assert english.stderr.strip().splitlines()[-1].startswith(last.split(": 1件")[0] + ": 1 flow(s) cannot be scored")


def test_usage_errors_and_help_in_both_languages() -> None:
    usage = run_bpm("lint", lang="ja")
    assert usage.returncode == 2 and "BPMNファイルかフォルダを1つ以上指定してください" in usage.stderr
    helped = run_bpm("scan", "--help", LANG="C.UTF-8")
    assert helped.returncode == 0
    assert "読み込み・検査・評価を行い、HTMLレポートを作成します" in helped.stdout
    assert "業務量調査票（CSV または XLSX）" in helped.stdout and "Import, check, score" not in helped.stdout
    english = run_bpm("--lang", "en", "scan", "--help", LANG="ja_JP.UTF-8")
    assert "Import, check, score and write the HTML report site" in english.stdout
    assert "業務量調査 sheet (CSV or XLSX)" in english.stdout and "HTMLレポートを作成します" not in english.stdout
    top = " ".join(run_bpm("--lang", "en", "--help", LANG="ja_JP.UTF-8").stdout.split())  # unwrapped
    assert "Language of messages and help" in top and "find RPA and outsourcing candidates" in top
    assert "評価プロファイル" in run_bpm("score", "--help", LANG="ja_JP.UTF-8").stdout


def test_text_fills_placeholders_in_the_language_asked() -> None:
    assert text("cli.skipped", "ja", path="a/.x.bpmn", reason="隠しファイル") == "bpm: 対象外 a/.x.bpmn: 隠しファイル"
    assert text("cli.skipped", "en", path="a/.x.bpmn", reason="hidden file") == "bpm: skipped a/.x.bpmn: hidden file"


def test_the_data_quality_summary_in_japanese_keeps_file_line_and_suggestion(tmp_path: Path) -> None:
    from test_cli_survey import mistyped  # the sheet with a mistyped header and 16 mistyped 業務 names

    folder = mistyped(tmp_path / "flows")
    result = run_bpm("score", str(folder), "--out", str(tmp_path / "results.csv"), lang="ja")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    header = [line for line in lines if line.startswith(f"注意: {folder / 'survey.csv'}:1: ")]
    assert header and "調査票の列「処理時問(分)」" in header[0] and "もしかして: 処理時間(分)" in header[0], lines
    assert len([line for line in lines if line.startswith(f"注意: {folder / 'survey.csv'}:")]) >= 17
    assert lines[-2].startswith("bpm: データの不足: ") and lines[-2].endswith("調査票の記入の誤り: 17"), lines[-3:]
    assert "data gaps" not in result.stderr and "did you mean" not in result.stderr.split("もしかして")[0]
    assert lines[-1] == f"{tmp_path / 'results.csv'} を書き出しました（{lines[-1].split('（')[1]}"


def test_every_command_has_a_short_japanese_summary_in_the_command_list() -> None:
    """Click cuts a summary at spaces and ASCII full stops: a Japanese help needs its own short first paragraph."""
    from bpm.cli import main
    from bpm.messages import relocalise

    relocalise(main, "ja")
    try:
        for name, command in main.commands.items():
            short = command.get_short_help_str(limit=60)
            assert JAPANESE.search(short), (name, short)  # not a bare "..."
    finally:
        relocalise(main, "en")
