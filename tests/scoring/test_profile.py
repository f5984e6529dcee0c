"""Profiles: the default loads with a source for every parameter; user profiles merge; errors name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from bpm.errors import ProfileError
from bpm.limits import MAX_ANNUAL_COUNT, MAX_MINUTES, MAX_YEN_PER_HOUR
from bpm.reader import read_bpmn
from scoring.assess import assess
from scoring.profile import DEFAULT_PROFILE, load_profile, upper_bound
from scoring.survey import load_survey
from scoring.table import steps_frame


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


def test_a_user_profile_leaves_the_default_of_later_runs_untouched(tmp_path: Path) -> None:
    """The default profile is read once a process and shared: loading a user profile on top of it (a city of
    ``bpm compare``) must not change what the next city, with no profile of its own, is given."""
    before = load_profile()
    path = write(tmp_path, """
[profile]
name = "他市"
[cost]
staff_yen_per_hour = 9999
[thresholds]
rpa = 0.9
[legal.overrides.x]
flow = "f"
step = "s"
class = "factual"
reason = "確認済み"
""")
    assert load_profile(path).cost.staff_yen_per_hour == 9999
    after = load_profile()
    assert after == before
    assert after.name == "default" and after.path is None and after.legal.overrides == ()
    assert after.sources == before.sources and after.sources["cost.staff_yen_per_hour"].startswith("0 — ")


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


# --------------------------------------------------------------------------- hostile profiles (issue 8)


def test_a_profile_saved_with_a_bom_reads(tmp_path: Path) -> None:
    path = tmp_path / "notepad.toml"
    path.write_bytes("\ufeff[cost]\nstaff_yen_per_hour = 3000\n".encode())
    assert load_profile(path).cost.staff_yen_per_hour == 3000


@pytest.mark.parametrize("text", ["a = " + "[" * 100_000 + "]" * 100_000, "a = " + "{b=" * 5000 + "1" + "}" * 5000])
def test_deep_nesting_is_refused_before_the_parser_recurses(tmp_path: Path, text: str) -> None:
    with pytest.raises(ProfileError, match="nested more than 32 deep") as caught:
        load_profile(write(tmp_path, "# deep\n" + text + "\n"))
    assert caught.value.line == 2


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting(tmp_path: Path) -> None:
    text = ('[profile]\nname = "' + "[" * 40 + '"\n# ' + "{" * 40 + "\n"
            "description = '''" + "[{" * 40 + "'''\n")
    assert load_profile(write(tmp_path, text)).name == "[" * 40


def test_a_profile_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# padding\n" * 110_000)
    with pytest.raises(ProfileError, match="larger than the limit of 1,024 KB"):
        load_profile(path)


def test_a_profile_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "sjis.toml"
    path.write_bytes("[cost]\n# 人件費\nstaff_yen_per_hour = 3000\n".encode("cp932"))
    with pytest.raises(ProfileError, match="not UTF-8") as caught:
        load_profile(path)
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[cost]\nstaff_yen_per_hour = 1e300\n", "cost.staff_yen_per_hour = 1e+300 is out of range (0–1,000,000)"),
        ("[outsource]\nexternal_support_yen = 1e13\n", "out of range (0–1,000,000,000,000)"),
        ("[volume]\ndefault_annual_cases = 1e9\n", "out of range (0–100,000,000)"),
        ("[working]\nhours_per_fte = 10000\n", "out of range (0–8,784)"),
        ("[minutes]\ntask = 1e6\n", "out of range (0–525,600)"),
        ("[cost]\nstaff_yen_per_hour = inf\n", "must be finite"),
        ("[cost]\nstaff_yen_per_hour = nan\n", "must be finite"),
    ],
)
def test_numbers_outside_their_range_are_refused(tmp_path: Path, text: str, fragment: str) -> None:
    """Issue 8: finite values that overflowed to 「inf億円」 in the report."""
    with pytest.raises(ProfileError) as caught:
        load_profile(write(tmp_path, text))
    assert fragment in caught.value.message and caught.value.line == 2


def test_every_number_at_its_bound_still_gives_finite_hours_and_yen(tmp_path: Path, flows_dir: Path) -> None:
    """The ranges guard the arithmetic: the largest accepted inputs cannot overflow anywhere in the table."""
    tables: dict[str, list[str]] = {}
    for table, key in _numeric_parameters(tomllib.loads(DEFAULT_PROFILE.read_text(encoding="utf-8"))):
        bound = upper_bound(f"{table}.{key}")
        if f"{table}.{key}" == "volume.hours_at_zero":
            bound /= 2  # must stay below hours_at_one
        if f"{table}.{key}" in _JOINT_SHARES:
            bound /= 2  # 会計年度任用 and 再任用 shares of one staff mix add up to at most 1
        tables.setdefault(table, []).append(f"{key} = {bound!r}\n")
    profile = load_profile(write(tmp_path, "".join(f"[{t}]\n{''.join(keys)}" for t, keys in tables.items())))
    assert profile.cost.staff_yen_per_hour == MAX_YEN_PER_HOUR
    survey = tmp_path / "survey.csv"
    survey.write_text(f"業務,手順,件数,処理時間(分)\n転入届,,{MAX_ANNUAL_COUNT:.0f},\n"
                      f"転入届,届書受領,{MAX_ANNUAL_COUNT:.0f},{MAX_MINUTES:.0f}\n", encoding="utf-8")
    definitions = [read_bpmn(path) for path in sorted(flows_dir.glob("*.bpmn"))]
    assessment = assess(definitions, survey=load_survey(survey), profile=profile)
    frame = steps_frame(assessment)
    numbers = frame.select_dtypes("number").to_numpy(dtype=float, na_value=0.0)
    assert numbers.size and bool(np.isfinite(numbers).all())


_JOINT_SHARES = ("staffing.kaikei_share_counter", "staffing.kaikei_share_back", "staffing.saiyo_share")


def _numeric_parameters(data: dict[str, object], prefix: str = "") -> list[tuple[str, str]]:
    """(table, key) of every numeric parameter of a profile document."""
    found: list[tuple[str, str]] = []
    for key, raw in data.items():
        if isinstance(raw, dict) and "value" in raw:
            value = raw["value"]
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.append((prefix.rstrip("."), key))
        elif isinstance(raw, dict):
            found.extend(_numeric_parameters(raw, f"{prefix}{key}."))
    return found
