"""Screen and print sizing of diagrams: labels never below the readable minimum."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpm.reader import read_bpmn
from reports.pictures import pictures
from reports.zoom import (
    MIN_PRINT_LABEL_PX,
    MIN_SCREEN_LABEL_PX,
    PRINT_AREA_PX,
    diagram_scale,
    label_px,
)


def _svg(width: float, height: float, unit: str = "") -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}{unit}" height="{height}{unit}"/>'


def test_a_small_diagram_is_shown_whole_and_printed_at_full_size() -> None:
    plan = diagram_scale(_svg(600, 300), "di")
    assert plan.min_width_px == pytest.approx(600 * MIN_SCREEN_LABEL_PX / 11)
    assert (plan.print_columns, plan.print_rows, plan.print_scale) == (1, 1, 1.0)


def test_a_wide_flow_is_cut_in_two_pages_rather_than_shrunk() -> None:
    plan = diagram_scale(_svg(2880, 1080), "di")  # 転入届 as Camunda Modeler drew it
    assert (plan.print_columns, plan.print_rows) == (2, 1)
    assert plan.print_label_px >= MIN_PRINT_LABEL_PX
    assert plan.width_px * plan.print_scale <= 2 * PRINT_AREA_PX[0] + 0.01
    assert plan.height_px * plan.print_scale <= PRINT_AREA_PX[1] + 0.01


def test_a_tall_flow_is_cut_top_and_bottom() -> None:
    plan = diagram_scale(_svg(900, 1500), "di")
    assert (plan.print_columns, plan.print_rows) == (1, 2)


def test_one_page_when_it_is_readable_on_one() -> None:
    plan = diagram_scale(_svg(1500, 600), "di")  # 0.69 × 11 = 7.6 px on one page
    assert (plan.print_columns, plan.print_rows) == (1, 1)
    assert plan.print_label_px >= MIN_PRINT_LABEL_PX


def test_never_more_than_two_pages_even_for_a_huge_flow() -> None:
    plan = diagram_scale(_svg(9000, 4000), "di")
    assert plan.print_columns * plan.print_rows <= 2
    assert plan.print_label_px < MIN_PRINT_LABEL_PX  # the limit the page count forces, said by the plan


def test_graphviz_sizes_are_points() -> None:
    plan = diagram_scale(_svg(300, 100, "pt"), "graphviz")
    assert plan.width_px == pytest.approx(400)
    assert label_px("graphviz") == pytest.approx(12)
    assert plan.min_width_px == pytest.approx(400 * MIN_SCREEN_LABEL_PX / 12)


@pytest.mark.parametrize("svg", ["", "<svg/>", '<svg width="0" height="0"/>', '<svg width="inf" height="5"/>'])
def test_no_size_gives_a_neutral_plan(svg: str) -> None:
    plan = diagram_scale(svg, "di")
    assert (plan.min_width_px, plan.print_columns, plan.print_rows, plan.print_scale) == (0.0, 1, 1, 1.0)


def test_real_pictures_get_a_plan(flows_dir: Path) -> None:
    for path in sorted(flows_dir.glob("*.bpmn")):
        for picture in pictures(read_bpmn(path)):
            plan = diagram_scale(picture.svg, picture.layout)
            assert plan.width_px > 0 and plan.min_width_px <= plan.width_px
            assert plan.print_columns * plan.print_rows <= 2


def test_the_plan_holds_for_the_smallest_label_drawn_not_the_nominal_one() -> None:
    # reports.svg shrinks a long name to fit its shape: 10.5 units here, so 7 px needs 7 / 10.5 of full size.
    nominal = diagram_scale('<svg width="1500" height="600"><text font-size="11">a</text></svg>', "di")
    shrunk = diagram_scale('<svg width="1500" height="600"><text font-size="11">a</text>'
                           '<text font-size="10.5">b</text></svg>', "di")
    assert nominal.print_label_px == pytest.approx(11 * nominal.print_scale)
    assert shrunk.print_label_px == pytest.approx(10.5 * shrunk.print_scale)
    assert shrunk.print_label_px < nominal.print_label_px


def test_a_diagram_too_large_for_two_a4_pages_knows_it_and_what_a3_would_give() -> None:
    tennyu = diagram_scale('<svg width="4089" height="1230"><text font-size="11">a</text></svg>', "di")
    assert not tennyu.print_fits and tennyu.print_label_px == pytest.approx(5.56, abs=0.01)
    assert tennyu.a3_fits and tennyu.a3_label_px == pytest.approx(7.87, abs=0.01)
    huge = diagram_scale(_svg(9000, 4000), "di")
    assert not huge.print_fits and not huge.a3_fits
    assert diagram_scale(_svg(1500, 600), "di").print_fits
