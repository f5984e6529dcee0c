"""Small counter flows shared by the hand-off and the city-run tests: a chain of steps in one 窓口 lane, and
the cost gate's late hand-off scenario built on it.

受付 (contractor) → 交付可否判断 (staff, 3 min) → 証明書の作成 → 証明書の準備 → 交付 (contractor): the
会計年度任用 step 証明書の準備 does not pay as contract work, the cost gate gives it back to staff, and the
hand-off re-check after pricing must then move the contractor steps after it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from bpm.model import Definitions
from bpm.reader import read_bpmn_bytes
from scoring.profile import Profile, load_profile
from scoring.survey import Survey, load_survey

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def counter_chain_xml(names: Sequence[str], kinds: Sequence[str], *, office: str) -> bytes:
    """A 住民票の写し等の交付 flow: start → ``names`` (task elements ``kinds``) → end, in one 窓口 lane of the
    pool ``office``, a request arriving from a 請求者 pool."""
    tasks = "".join(f'<{k} id="t{i}" name="{n}"/>' for i, (k, n) in enumerate(zip(kinds, names, strict=True)))
    chain = ["s", *(f"t{i}" for i in range(len(names))), "e"]
    return (f'<definitions xmlns="{MODEL_NS}" id="d"><collaboration id="c">'
            f'<participant id="pc" name="{office}" processRef="p"/><participant id="pr" name="請求者"/>'
            '<messageFlow id="m" sourceRef="pr" targetRef="s"/></collaboration>'
            '<process id="p" name="住民票の写し等の交付"><laneSet id="ls"><lane id="l" name="窓口">'
            + "".join(f"<flowNodeRef>{n}</flowNodeRef>" for n in chain)
            + f'</lane></laneSet><startEvent id="s"/>{tasks}<endEvent id="e"/>'
            + "".join(f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
                      for i, (a, b) in enumerate(itertools.pairwise(chain)))
            + "</process></definitions>").encode()


def late_hand_off_case(tmp_path: Path) -> tuple[Definitions, Survey, Profile]:
    """The flow, its survey sheet and a profile without robots (files written under ``tmp_path``)."""
    xml = counter_chain_xml(("申請書受付", "交付可否判断", "証明書の作成", "証明書の準備", "交付"),
                            ("manualTask", "userTask", "task", "task", "manualTask"), office="市民課 証明係")
    sheet = tmp_path / "survey.csv"
    sheet.write_text("業務,手順,件数,処理時間(分),入力形式,判断,公権力の行使,職種\n住民票の写し等の交付,,480000,,,,,\n"
                     "住民票の写し等の交付,申請書受付,,1.2,紙,無,無,正規\n"
                     "住民票の写し等の交付,交付可否判断,,3,電子,有,有,正規\n"
                     "住民票の写し等の交付,証明書の作成,,1.5,紙,無,無,正規\n"
                     "住民票の写し等の交付,証明書の準備,,1,紙,無,無,会計年度任用\n"
                     "住民票の写し等の交付,交付,,1,紙,無,無,正規\n", encoding="utf-8")
    profile = tmp_path / "no-robots.toml"
    profile.write_text('[thresholds]\nrpa = 1.0\n[staffing]\npool_level = "section"\n'
                       'redeploy_share = { value = 0, low = 0, high = 0, source = "test" }\n', encoding="utf-8")
    return read_bpmn_bytes(xml, "late.bpmn"), load_survey(sheet), load_profile(profile)
