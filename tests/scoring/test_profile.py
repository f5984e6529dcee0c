"""Profiles: the default loads with a source for every parameter; user profiles merge; errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.errors import ProfileError
from scoring.profile import DEFAULT_PROFILE, load_profile


def write(tmp_path: Path, text: str, name: str = "city.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_profile_values_from_the_domain_notes() -> None:
    profile = load_profile()
    assert profile.name == "default"
    assert profile.path is None
    assert profile.hours_per_fte == 1920  # 宇城市 22,654 h = 11.8人
    # Issue 9: the single 3,285円/h rate (宇城市) decided the sign of the cash effect; it is now an override
    # (0 = unset) and the full cost is built per 職種 from sourced components (facts §1, §6).
    assert profile.cost.staff_yen_per_hour == 0
    money = profile.money
    assert money is not None
    assert money.staff.regular.pay_per_fte == 6_700_000  # 加古川市 6,693千円 (K9)
    assert money.staff.regular.kyosai_rate == 0.153
    assert money.staff.kaikei.hourly_wage == 1150
    assert money.rpa.reduction_digital == 0.8  # つくば −83.3%, 別府 −80.6%
    assert profile.estimates["outsource.seat_hour_price"].low == 1750


def test_every_default_parameter_names_its_source() -> None:
    profile = load_profile()
    assert len(profile.sources) > 100
    for key, note in profile.sources.items():
        value, _, source = note.partition(" — ")
        assert value and source.strip(), f"{key} has no source note: {note!r}"
    rpa_costs = ["rpa.build_per_scenario", "rpa.maint_rate", "rpa.ocr_yen_per_page", "rpa.rebuild_on_cutover"]
    for key in rpa_costs:  # no sourced RPA price exists (domain §4 [NF]): must be flagged as an estimate
        assert "[I]" in profile.sources[key] and profile.estimates[key].estimated, key
    assert "[R]" in profile.sources["rpa.reduction_digital"]


def test_user_profile_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = write(tmp_path, """
[profile]
name = "宇城市2024"

[cost]
staff_yen_per_hour = 3500

[rpa]
licence_per_robot_year = { value = 480000, source = "見積書 2024-04" }

[thresholds]
rpa = 0.5

[lexicon.routine]
ja = ["入力", "転記"]
""")
    profile = load_profile(path)
    default = load_profile()
    assert profile.name == "宇城市2024"
    assert profile.path == str(path)
    assert profile.cost.staff_yen_per_hour == 3500
    assert profile.sources["cost.staff_yen_per_hour"] == "3,500 — user profile city.toml"
    assert profile.sources["rpa.licence_per_robot_year"] == "480,000 — 見積書 2024-04"
    assert profile.money is not None and profile.money.rpa.licence_per_robot_year == 480_000
    assert profile.thresholds.rpa == 0.5
    assert profile.lexicon["routine"].ja == ("入力", "転記")
    assert profile.lexicon["routine"].en == default.lexicon["routine"].en, "unnamed list keeps the default"
    assert profile.money is not None and default.money is not None
    assert profile.money.outsource == default.money.outsource
    assert profile.weights == default.weights


def test_profile_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    assert load_profile(write(tmp_path, "[cost]\nstaff_yen_per_hour = 3000\n", "tsukuba.toml")).name == "tsukuba"


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[cost]\nstaff_yen_per_hour = 3500\nrpa_reduction = = 0.8\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.file == str(path)
    assert caught.value.line == 3
    assert "TOML syntax error" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:3: ")


def test_unknown_key_names_the_dotted_key_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[cost]\nstaff_yen_per_hour = 3500\nstaf_yen_per_hour = 3400\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    error = caught.value
    assert "unknown key 'cost.staf_yen_per_hour'" in error.message
    assert error.element_id == "cost.staf_yen_per_hour"
    assert error.line == 3
    assert error.hint is not None and "staff_yen_per_hour" in error.hint


def test_unknown_table(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"unknown key 'costs'"):
        load_profile(write(tmp_path, "[costs]\nstaff_yen_per_hour = 1\n"))


def test_unknown_key_inside_a_parameter_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[cost]\nstaff_yen_per_hour = { value = 1, sauce = "x" }\n')
    with pytest.raises(ProfileError, match=r"unknown key 'cost.staff_yen_per_hour.sauce'") as caught:
        load_profile(path)
    assert caught.value.line == 2


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, '\n[working]\nhours_per_fte = "1920"\n')
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.element_id == "working.hours_per_fte"
    assert caught.value.line == 3
    assert "must be a number, not text" in caught.value.message


def test_wrong_type_for_a_flag(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"defaults.legal_authority must be true/false, not a number"):
        load_profile(write(tmp_path, "[defaults]\nlegal_authority = 1\n"))


def test_weight_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "[weights.rpa]\nroutine = 1.5\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.element_id == "weights.rpa.routine"
    assert "out of range (0–1)" in caught.value.message
    assert caught.value.line == 2


def test_negative_cost(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"cost.staff_yen_per_hour = -1 must not be negative"):
        load_profile(write(tmp_path, "[cost]\nstaff_yen_per_hour = -1\n"))


def test_missing_value(tmp_path: Path) -> None:
    path = write(tmp_path, '[cost]\nstaff_yen_per_hour = { source = "x" }\n')
    with pytest.raises(ProfileError, match=r"missing required key 'cost.staff_yen_per_hour.value'"):
        load_profile(path)


def test_word_list_must_hold_strings(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"lexicon.judgment.ja must be a list of non-empty strings"):
        load_profile(write(tmp_path, "[lexicon.judgment]\nja = [1, 2]\n"))


def test_all_zero_weights_rejected(tmp_path: Path) -> None:
    text = "[weights.retain]\njudgment = 0\nlegal_authority = 0\nexception = 0\nnon_routine = 0\n"
    with pytest.raises(ProfileError, match=r"weights.retain must have at least one weight above 0"):
        load_profile(write(tmp_path, text))


def test_unreadable_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read profile"):
        load_profile(tmp_path / "missing.toml")


def test_bundled_default_file_is_where_the_package_says() -> None:
    assert DEFAULT_PROFILE.is_file()
    assert DEFAULT_PROFILE.name == "default.toml"


def test_handoff_threshold_defaults_to_one_planned_hand_off(tmp_path: Path) -> None:
    profile = load_profile()
    assert profile.handoff.max_per_case == 1.0
    assert "足立区" in profile.sources["handoff.max_per_case"] and "[I]" in profile.sources["handoff.max_per_case"]
    assert load_profile(write(tmp_path, "[handoff]\nmax_per_case = 2\n")).handoff.max_per_case == 2.0
    with pytest.raises(ProfileError, match=r"handoff.max_per_case = -1 must not be negative") as caught:
        load_profile(write(tmp_path, "[handoff]\nmax_per_case = -1\n", "bad.toml"))
    assert caught.value.line == 2
    with pytest.raises(ProfileError, match=r"handoff.max_per_case must be a number, not text"):
        load_profile(write(tmp_path, '[handoff]\nmax_per_case = "one"\n', "text.toml"))
