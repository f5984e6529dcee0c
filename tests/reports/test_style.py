"""The shared palette: every chip and tinted label reaches WCAG 2.1 AA, and the hues stay apart."""

from __future__ import annotations

import itertools
import math

import pytest

from reports.site import SiteInput, render_site
from reports.style import DISPOSITION_STYLES, FINDING_CHIPS, FINDING_COLOURS, INK, contrast_ratio

AA_TEXT = 4.5


def _lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of ``#rrggbb``, to tell whether two hues can be told apart."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("severity", sorted(FINDING_CHIPS))
def test_severity_chips_meet_aa(severity: str) -> None:
    chip = FINDING_CHIPS[severity]
    assert contrast_ratio(chip.background, chip.text) >= AA_TEXT


def test_the_old_chips_failed_and_the_check_can_tell() -> None:
    # issue 10: 情報 was white on sky blue (2.3:1), エラー white on vermillion (3.9:1).
    assert contrast_ratio("#ffffff", FINDING_COLOURS["info"]) < 3
    assert contrast_ratio("#ffffff", FINDING_COLOURS["error"]) < AA_TEXT


def test_chips_keep_their_marker_hue() -> None:
    for severity, chip in FINDING_CHIPS.items():
        marker, background = _lab(FINDING_COLOURS[severity]), _lab(chip.background)
        hue = math.degrees(math.atan2(marker[2], marker[1]))
        kept = math.degrees(math.atan2(background[2], background[1]))
        assert abs(hue - kept) < 10, severity


@pytest.mark.parametrize("disposition", list(DISPOSITION_STYLES), ids=lambda d: d.value)
def test_black_text_on_every_disposition_tint_meets_aa(disposition: object) -> None:
    style = DISPOSITION_STYLES[disposition]  # type: ignore[index]
    assert contrast_ratio(style.fill, INK) >= AA_TEXT
    assert contrast_ratio(style.fill, "#1f1f1f") >= AA_TEXT  # the diagrams' ink


def test_disposition_hues_stay_distinguishable() -> None:
    strong = {d.value: _lab(s.strong) for d, s in DISPOSITION_STYLES.items()}
    for (a, lab_a), (b, lab_b) in itertools.combinations(strong.items(), 2):
        assert math.dist(lab_a, lab_b) > 20, (a, b)


def test_site_stylesheet_carries_the_chip_colours(site_input: SiteInput) -> None:
    css = render_site(site_input)["static/dispositions.css"].decode("utf-8")
    for severity, chip in FINDING_CHIPS.items():
        assert f".sev-{severity} {{ --sev: {FINDING_COLOURS[severity]}; --sev-chip: {chip.background}; " in css
        assert f"--sev-ink: {chip.text}; }}" in css


def test_contrast_ratio_rejects_what_is_not_a_hex_colour() -> None:
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        contrast_ratio("red", "#ffffff")
