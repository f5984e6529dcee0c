"""A scanned folder's own ``profile.toml`` prices it, as ``bpm compare`` does with a municipality's folder.

Before, ``bpm score flows/compare/b-shi`` quietly used the default profile although the folder holds B市's own
(its staff costs differ), so one city scored alone and the same city in a comparison disagreed without a word.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from test_cli_score_cities import CITIES, run_bpm

CITY = CITIES / "b-shi"


def test_a_folder_profile_is_used_and_said(tmp_path: Path) -> None:
    found = run_bpm("score", str(CITY), "-o", str(tmp_path / "found.json"), "--jobs", "1")
    named = run_bpm("score", str(CITY), "--profile", str(CITY / "profile.toml"), "-o", str(tmp_path / "named.json"),
                    "--jobs", "1")
    assert found.returncode == 0, found.stderr
    assert named.returncode == 0, named.stderr
    assert f"using scoring profile {CITY / 'profile.toml'}" in found.stderr
    assert "using scoring profile" not in named.stderr  # named by the user: nothing to say, nothing overridden
    assert (tmp_path / "found.json").read_bytes() == (tmp_path / "named.json").read_bytes()


def test_the_folder_profile_changes_the_money_against_the_default(tmp_path: Path) -> None:
    """The check above could pass if neither run read the profile: the default must give other figures."""
    bare = tmp_path / "bare"
    shutil.copytree(CITY, bare)
    (bare / "profile.toml").unlink()
    with_profile = run_bpm("score", str(CITY), "-o", str(tmp_path / "city.json"), "--jobs", "1")
    without = run_bpm("score", str(bare), "-o", str(tmp_path / "bare.json"), "--jobs", "1")
    assert with_profile.returncode == 0 and without.returncode == 0, with_profile.stderr + without.stderr
    assert (tmp_path / "city.json").read_bytes() != (tmp_path / "bare.json").read_bytes()


def test_profile_option_overrides_and_says_which_file_is_not_used(tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("", encoding="utf-8")  # an empty profile: the defaults
    result = run_bpm("score", str(CITY), "--profile", str(other), "-o", str(tmp_path / "r.json"), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert f"{CITY / 'profile.toml'} is not used: --profile names {other}" in result.stderr


def test_two_folders_with_two_profiles_are_refused_naming_both(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        folder.mkdir()
        shutil.copy(CITY / "profile.toml", folder / "profile.toml")
        shutil.copy(next((CITY / "flows").glob("*.bpmn")), folder / "flow.bpmn")
    result = run_bpm("score", str(first), str(second), "-o", str(tmp_path / "r.json"))
    assert result.returncode != 0
    assert "2 scoring profiles found" in result.stderr
    assert str(first / "profile.toml") in result.stderr and str(second / "profile.toml") in result.stderr
    assert "Traceback" not in result.stderr
