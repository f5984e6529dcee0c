"""A coarsely drawn 婚姻届 flow whose decision step is missing: a documented negative example for tests.

The 受理・不受理の決定 (and the 校合) of a 戸籍届出 are the mayor's judgment
(法務省 H25.3.28 民一317号) and stay with staff.  Drawn this coarsely the
decision hides inside 「受付・内容確認」, which looks like routine reception —
the pattern the 東京法務局 objected to in 足立区 (2014).  A scanner must not
recommend outsourcing it; the legal checks use this file to prove that.  It
lives in ``tests/data/flows/``, outside what ``make scan`` reads.
"""

from __future__ import annotations

from flowgen.procedures.common import KOSEKI, SHIMIN, estimate
from flowgen.spec import FileSpec, Pool, ProcessBuilder, SheetPlan, Volume


def spec() -> FileSpec:
    p = ProcessBuilder("Process_Konin", "婚姻届", "Marriage notification", carry="bpmn",
                       doc="婚姻届の受付（粗い図: 受理の決定と校合・決裁が描かれていない）。")
    desk = p.lane("Lane_Madoguchi", "窓口受付", "Counter")
    koseki = p.lane("Lane_Koseki", "戸籍担当", "Family-register clerk")
    p.start("Event_Start", "婚姻届 提出", "Notification submitted", desk)
    p.task("Activity_Uketsuke", "manualTask", "受付・内容確認", "Receive and check", desk,
           "婚姻届を受け付け、内容を確認する。")
    p.task("Activity_Kisai", "userTask", "戸籍記載", "Enter in the register", koseki,
           "戸籍情報システムに婚姻を記載する。")
    p.task("Activity_JuriShomei", "manualTask", "受理証明書の交付", "Issue the acceptance certificate", desk,
           "希望者に婚姻届受理証明書を交付する。")
    p.end("Event_End", "完了", "Done", desk)
    p.seq("Event_Start", "Activity_Uketsuke", "Activity_Kisai", "Activity_JuriShomei", "Event_End")
    process = p.build(Volume(760, 70, 60, SHIMIN, KOSEKI, estimate("S44"), bpmn_annual=760), SheetPlan(rows=()))
    return FileSpec(
        "tests/data/flows/koseki-konin-coarse.bpmn", "Definitions_0konin", "Collaboration_0konin",
        (Pool("Participant_Koseki", "市民課 戸籍係", "Citizens Division, Family Register", process),),
        comment="負の例: 受理・不受理の決定と校合・決裁のない粗い婚姻届の図（tests/data/flows/README.md）。"
                "scripts/build_flows.py で生成。",
    )
