"""`bpm compare` end to end on the three-city fixture: the site, unmatched flows, anonymisation, --jobs, errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reports.compare_anon import city_code

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "compare"
CITY_DIRS = [str(DATA / name) for name in ("koshi", "otsushi", "heishi")]
NAMES = ("甲市", "乙市", "丙市", "koshi", "otsushi", "heishi")
NOTES = ("繁忙期に応援職員を配置", "内部手順書", "待ち時間の苦情あり", "担当者メモ", "数値は試験用",
         "件数は令和6年度実績")
"""Names and pieces of every kind of note in the fixture (text annotation, documentation, survey 備考, metadata)."""


def run_bpm(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    env.pop("BPM_COMPARE_SALT", None)
    return subprocess.run([sys.executable, "-m", "bpm.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=600, env=env)


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "site"
    result = run_bpm("compare", *CITY_DIRS, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "otsushi/flows/annai.bpmn: flow '窓口案内業務' matches no standard procedure" in result.stderr
    assert f"comparison written to {out}" in result.stderr
    return out


def test_site_pages_heat_map_and_unmatched_flows(site: Path) -> None:
    pages = sorted(p.name for p in site.glob("*.html"))
    assert len(pages) == 2 + 2 + 3  # overview, method, two procedures, three cities
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ja"' in index and "Content-Security-Policy" in index and "unsafe-inline" not in index
    assert "例示・架空のデータです" in index  # the fixture cities are illustrative
    cells = re.findall(r'<td class="num (heat-\d|heat-na)"[^>]*><a [^>]*>([\d.,]+)</a><br><small>([^<]*)</small>',
                       index)
    # columns sorted by group then key: heishi (4 min), koshi (8), otsushi (12); median 8
    assert cells[:3] == [("heat-0", "4.0", "▼50%"), ("heat-3", "8.0", "±0%"), ("heat-6", "12.0", "▲50%")]
    assert cells[3] == ("heat-na", "3.0", "—")  # inkan_shomei: 甲市 alone in its group
    assert "窓口案内業務" in index and "flows/annai.bpmn" in index
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in text
    city = next(site.glob("c-koshi-*.html")).read_text(encoding="utf-8")
    assert "年間333時間（0.17人工）" in city  # no spaces in Japanese (ja filter); (8 − 6) × 10,000 ÷ 60; 333 ÷ 1,920
    assert "財政効果ではありません" in city
    assert len(list((site / "diagrams").glob("*.svg"))) == 4  # every matched flow drawn once


def test_pages_are_stamped_in_japan_time_like_the_main_site(site: Path) -> None:
    """SOURCE_DATE_EPOCH 1767225600 is 2026-01-01 00:00 UTC: a reader in Japan sees 09:00 JST, never UTC."""
    for page in sorted(site.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert "2026-01-01 09:00 JST" in text, page.name
        assert "UTC" not in text, page.name


def test_anonymised_site_holds_no_name_or_note_in_any_byte(tmp_path: Path) -> None:
    out = tmp_path / "anon"
    result = run_bpm("compare", *CITY_DIRS, "--out", str(out), "--anonymise", "--salt", "研究会2025")
    assert result.returncode == 0, result.stderr
    written = files_of(out)
    assert any(name.startswith("diagrams/") for name in written)
    for name, content in written.items():
        for secret in (*NAMES, *NOTES):
            assert secret.encode("utf-8") not in content, (name, secret)
    index = written["index.html"].decode("utf-8")
    assert city_code("甲市", "研究会2025") in index
    assert ">100,000<" not in index and ">120,000<" not in index  # exact population would identify a city: band only
    again = tmp_path / "again"
    assert run_bpm("compare", *CITY_DIRS, "--out", str(again), "--anonymise", "--salt", "研究会2025").returncode == 0
    assert files_of(again) == written  # stable codes: the same salt gives the same site


def test_jobs_give_the_same_site(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "jobs"
    result = run_bpm("compare", *CITY_DIRS, "--out", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert files_of(out) == files_of(site)


def test_bad_city_folders_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_bpm("compare", str(empty), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert f"{empty}: no municipality.toml in the city folder" in result.stderr
    bad = tmp_path / "bad"
    shutil.copytree(DATA / "koshi", bad)
    bad_meta = '"団体名" = "甲市"\n"人口" = -5\n"類似団体区分" = "都市Ⅲ-1"\n"年度" = 2025\n'
    (bad / "municipality.toml").write_text(bad_meta, encoding="utf-8")
    result = run_bpm("compare", str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert f"{bad / 'municipality.toml'}:2: 人口 (population) must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr
    (bad / "municipality.toml").write_text((DATA / "koshi" / "municipality.toml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    (bad / "procedures.csv").write_text("業務,標準手続\n独自手続X,nothing\n", encoding="utf-8")
    result = run_bpm("compare", str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 1
    assert f"{bad / 'procedures.csv'}:2: 標準手続 'nothing' names no procedure of the catalogue" in result.stderr
