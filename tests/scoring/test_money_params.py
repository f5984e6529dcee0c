"""Money parameters: every estimate carries low / base / high and its source; bad ranges name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from money_fixtures import MONEY, PROFILE

from bpm.errors import ProfileError
from scoring.money_params import vary
from scoring.profile import load_profile

SETTINGS = {"cost.staff_yen_per_hour", "outsource.existing_yen_per_hour", "queue.counter_face_to_face",
            "cashflow.horizon_years", "cashflow.transition_year"}
"""Settings and thresholds (not estimates of a quantity), so they carry no range."""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "city.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_estimated_money_parameter_has_a_range() -> None:
    for key, estimate in PROFILE.estimates.items():
        if estimate.estimated:
            assert estimate.is_range, f"{key} is an estimate ([I]) without low/high"
        assert estimate.low <= estimate.base <= estimate.high, key
        assert estimate.source.strip(), key


def test_every_money_parameter_is_marked_sourced_estimated_or_a_setting() -> None:
    """[R] read in a source, [D] derived from sourced figures, [I]/[est] an estimate, [setting] a choice."""
    for key, estimate in PROFILE.estimates.items():
        assert any(mark in estimate.source for mark in ("[R]", "[D]", "[I]", "[est]", "[setting]")), key
        assert ("[setting]" in estimate.source) == (key in SETTINGS), key


def test_sources_show_the_range() -> None:
    assert PROFILE.sources["staff.regular.pay_per_fte"].startswith("6,700,000 (6,200,000–7,400,000) — ")


def test_low_and_high_must_bracket_the_value(tmp_path: Path) -> None:
    path = write(tmp_path, "[outsource]\nseat_hour_price = { value = 2000, low = 2100, high = 3000 }\n")
    with pytest.raises(ProfileError, match=r"outsource.seat_hour_price: low 2100 ≤ value 2000 ≤ high 3000") as caught:
        load_profile(path)
    assert caught.value.line == 2 and caught.value.element_id == "outsource.seat_hour_price"


def test_an_estimate_gives_both_ends(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"missing required key 'outsource.seat_hour_price.high'"):
        load_profile(write(tmp_path, "[outsource]\nseat_hour_price = { value = 2000, low = 1500 }\n"))


def test_shares_stay_within_zero_and_one(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"staffing.redeploy_share = 1.5 is out of range"):
        load_profile(write(tmp_path, "[staffing]\nredeploy_share = 1.5\n"))
    with pytest.raises(ProfileError, match=r"lots.grouping must be one of"):
        load_profile(write(tmp_path, '[lots]\ngrouping = "city"\n'))


def test_a_user_value_without_a_range_is_taken_as_known(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, "[outsource]\nseat_hour_price = 2500\n"))
    estimate = profile.estimates["outsource.seat_hour_price"]
    assert (estimate.low, estimate.base, estimate.high) == (2500, 2500, 2500)
    assert not estimate.is_range and estimate.source == "user profile city.toml"


def test_vary_one_parameter() -> None:
    assert vary(MONEY, "queue.shrinkage", 0.35).queue.shrinkage == 0.35
    assert vary(MONEY, "cashflow.horizon_years", 7).cashflow.horizon_years == 7
    with pytest.raises(KeyError):
        vary(MONEY, "thresholds.rpa", 0.5)


def test_a_single_staff_rate_below_one_yen_is_refused(tmp_path: Path) -> None:
    """0 means "not set"; a rate of a fraction of a yen would make the seed calibrations count 10^300 staff."""
    with pytest.raises(ProfileError, match=r"must be 0 .* or at least 1 yen/h") as caught:
        load_profile(write(tmp_path, "[cost]\nstaff_yen_per_hour = 1e-300\n"))
    assert caught.value.line == 2
