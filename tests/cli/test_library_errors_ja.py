"""Hostile input in a Japanese run: the library's errors come out in Japanese, file/line/id unchanged (issue 10 item 4).

Each case runs the real command in its own process under a C locale (Japanese, the product's default) and
under ``--lang en``, and compares: the same ``file:line:`` prefix and ``[id=…]`` in both, Japanese words in one,
none in the other, and never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from locale_runs import JAPANESE, LEGAL, run_bpm

FLOW = str(LEGAL / "konin_coarse.bpmn")


def _case(tmp_path: Path, name: str) -> tuple[list[str], str, str, str]:
    """The command line of one hostile input, its file, and the Japanese and English phrases of its message."""
    if name == "dtd":
        path = tmp_path / "dtd.bpmn"
        path.write_text('<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY x "y">]>\n'
                        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>\n', encoding="utf-8")
        return ["inspect", str(path)], str(path), "DTD（<!DOCTYPE …>）を宣言しています", "the file declares a DTD"
    if name == "xml":
        path = tmp_path / "bad.bpmn"
        path.write_text('<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n'
                        '<process id="p">\n<task id="t" name="a"></process>\n</definitions>\n', encoding="utf-8")
        return ["inspect", str(path)], str(path), "XMLの形式が正しくありません", "malformed XML: "
    if name == "survey":
        path = tmp_path / "survey.csv"
        path.write_text("業務,手順ID,件数\n婚姻届,T_Uketsuke,たくさん\n", encoding="utf-8")
        return (["score", FLOW, "--survey", str(path), "--out", str(tmp_path / "r.csv")], str(path),
                "2行目、件数（annual_count）列: 'たくさん' は数値ではありません",
                "row 2, column 件数 (annual_count): 'たくさん' is not a number")
    path = tmp_path / "profile.toml"
    path.write_text('[cost]\nstaff_yen_per_hour = "高い"\n', encoding="utf-8")
    return (["score", FLOW, "--profile", str(path), "--out", str(tmp_path / "r.csv")], str(path),
            "cost.staff_yen_per_hour は数値にしてください", "cost.staff_yen_per_hour must be a number, not text")


@pytest.mark.parametrize("name", ["dtd", "xml", "survey", "profile"])
def test_a_bad_input_is_reported_in_japanese_with_file_line_and_id(tmp_path: Path, name: str) -> None:
    args, file, phrase, english = _case(tmp_path, name)
    ja = run_bpm(*args, LANG="C.UTF-8")
    en = run_bpm("--lang", "en", *args, LANG="ja_JP.UTF-8")
    assert ja.returncode == en.returncode == 1, (ja.stderr, en.stderr)
    ja_line, en_line = ja.stderr.strip().splitlines()[-1], en.stderr.strip().splitlines()[-1]
    assert "Traceback" not in ja.stderr + en.stderr
    assert phrase in ja_line, ja_line
    prefix = re.escape(file) + r":\d+: "
    assert re.match(prefix, ja_line) and re.match(prefix, en_line), (ja_line, en_line)
    assert ja_line.split(": ", 1)[0] == en_line.split(": ", 1)[0]  # the same file:line
    assert re.findall(r"\[id=[^\]]*\]", ja_line) == re.findall(r"\[id=[^\]]*\]", en_line)
    assert english in en_line and phrase not in en_line, en_line
    assert JAPANESE.search(ja_line.split(": ", 1)[1].split("[id=")[0])


def test_lint_and_legal_findings_print_the_run_language_only() -> None:
    """The terminal says one language; the site and the JSON/SARIF output keep both (issue 10 item 4)."""
    ja = run_bpm("lint", FLOW, LANG="C.UTF-8")
    en = run_bpm("--lang", "en", "lint", FLOW)
    ja_lines = [line for line in ja.stdout.splitlines() if "procedure-decision-missing" in line]
    en_lines = [line for line in en.stdout.splitlines() if "procedure-decision-missing" in line]
    assert ja_lines and len(ja_lines) == len(en_lines), (ja.stdout, en.stdout)
    for ja_line, en_line in zip(ja_lines, en_lines, strict=True):
        assert "に必須の" in ja_line and "no step for the required decision" not in ja_line, ja_line
        assert "no step for the required decision" in en_line and "に必須の" not in en_line, en_line
        assert ja_line.split(": ", 1)[0] == en_line.split(": ", 1)[0]  # the same file:line
        assert re.findall(r"\[id=[^\]]*\]", ja_line) == re.findall(r"\[id=[^\]]*\]", en_line)
    rules_ja = run_bpm("lint", "--list-rules", LANG="C.UTF-8").stdout.splitlines()
    rules_en = run_bpm("--lang", "en", "lint", "--list-rules").stdout.splitlines()
    assert len(rules_ja) == len(rules_en) > 10
    assert all(" / " not in line for line in rules_ja + rules_en)
    assert all(JAPANESE.search(line) for line in rules_ja)
