"""住民票の写し等の交付 (counter-procedures.md §4), before and after outsourcing the desk.

``flows/juminhyo.bpmn`` is today's flow (staff at the desk).  The pair in
``tests/data/versions/`` shows the same procedure before and after the desk
goes to a contractor: 受付・作成・交付 move to a 委託事業者 lane, the DV check
becomes a system flag, and the case passes to staff once, for 交付可否判断,
only when the flag or the kind of request calls for it.
"""

from __future__ import annotations

from dataclasses import replace

from flowgen.procedures.common import (
    CERT_PEAK,
    CONTRACTOR,
    PART_TIME,
    REGULAR,
    SHIMIN,
    SHOMEI,
    SHOMEI_COUNTER,
    estimate,
    peak,
)
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, ProcessSpec, SheetPlan, Volume

ANNUAL = 90000
PROCESS = "Process_Juminhyo"
NAME = "住民票の写し等の交付"
EN = "Issuing certified copies of the residence record"
DOC = "住民票の写し・住民票記載事項証明書の窓口交付（住民基本台帳法第12条ほか）。"


def _volume() -> Volume:
    march, april = peak(ANNUAL, CERT_PEAK)
    return Volume(ANNUAL, march, april, SHIMIN, SHOMEI, estimate(
        "S25", "S28", "S29", note="窓口交付は人口×1.2程度（S29）、住民票はそのうち60千〜120千件（北見市・習志野"
                                  "市の実績から"
        "推計）の中間値。3月は月平均の1.25倍、4月は1.3倍と仮定。"))


def _start(p: ProcessBuilder, desk: str) -> None:
    p.start("Event_ShinseiStart", "交付請求", "Request", desk)
    p.task("Activity_ShinseiJuryo", "manualTask", "申請書受領", "Receive the request", desk,
           "交付申請書を受け取り、番号札で呼び出す。", minutes=1, input="紙", judgment=False,
           staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S20", "S25"),
           note="北見市は住民票1通で受付〜お渡し計4分（S25）。その内訳の推計。")
    p.task("Activity_ShikakuKakunin", "businessRuleTask", "請求資格確認", "Check the kind of request", desk,
           "本人等請求・第三者請求・職務上請求の別と請求事由の記載を形式的に確認する。", minutes=0.5, input="紙",
           judgment=False, staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S20",))
    p.task("Activity_JuminhyoHoninKakunin", "manualTask", "本人確認", "Identity check", desk,
           "本人確認書類を確認し、必要に応じて口頭で質問する。", minutes=0.5, input="紙", judgment=False,
           staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S20",))
    p.gateway("Gateway_Dairinin", desk, "代理人による請求?", "Request by a proxy?", default="Flow_JuminhyoHonnin")
    p.task("Activity_Ininjo", "businessRuleTask", "委任状確認", "Check the letter of proxy", desk,
           "委任状の記載（委任者の自署・委任事項・日付）を形式的に確認する。", minutes=1, input="紙", judgment=False,
           staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S20",))


def _end(p: ProcessBuilder, desk: str, make: str) -> None:
    p.task("Activity_ShomeiSakusei", "userTask", "証明書作成・照合", "Print and check the certificate", make,
           "証明発行端末で住民票の写しを出力し、請求内容と照合する。", minutes=1, input="電子",
           systems="住基システム・証明発行端末", judgment=False,
           staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S24", "S25"))
    p.task("Activity_JuminhyoTesuryo", "manualTask", "手数料収納", "Collect the fee", desk,
           "手数料を収納し、収納レジに登録する。", minutes=0.5, input="紙", judgment=False,
           staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S24",))
    p.task("Activity_JuminhyoKofu", "manualTask", "交付", "Hand over", desk,
           "請求者を呼び出し、証明書を手渡す。", minutes=0.5, input="紙", judgment=False,
           staff=CONTRACTOR if desk == "Lane_Itaku" else PART_TIME, src=("S24",))
    p.end("Event_JuminhyoKofuEnd", "交付完了", "Issued", desk)


def _decision(p: ProcessBuilder, exam: str, minutes: float) -> None:
    p.task("Activity_JuminhyoKofuKahi", "userTask", "交付可否判断", "Decide whether to issue", exam,
           "第三者請求の正当な理由や支援措置対象者との関係を審査し、交付・不交付を決定する。", minutes=minutes,
           input="紙", systems="住基システム", judgment=True, legal=True, staff=REGULAR, src=("S22", "S23"),
           note="前橋市・那須町とも交付判断は職員（S22, S23）。")
    p.gateway("Gateway_JuminhyoKofuka", exam, "交付できる?", "Can it be issued?", default="Flow_JuminhyoKofu")
    p.task("Activity_JuminhyoFukofuSetsumei", "manualTask", "不交付の説明", "Explain the refusal", exam,
           "不交付の理由を請求者に説明する（判断した職員が行う）。", minutes=5, input="紙", judgment=True, legal=True,
           staff=REGULAR)
    p.end("Event_JuminhyoFukofu", "不交付", "Refused", exam)


def _messages() -> tuple[Message, ...]:
    return (
        Message("Flow_MsgShinsei", "Participant_Seikyusha", "Event_ShinseiStart", "交付申請書・本人確認書類",
                "Request form and ID"),
        Message("Flow_MsgFukofu", "Activity_JuminhyoFukofuSetsumei", "Participant_Seikyusha", "不交付の説明",
                "Explain the refusal"),
        Message("Flow_MsgTesuryo", "Participant_Seikyusha", "Activity_JuminhyoTesuryo", "手数料", "Fee"),
        Message("Flow_MsgKofu", "Activity_JuminhyoKofu", "Participant_Seikyusha", "住民票の写し", "Certified copy"),
    )


def before() -> ProcessSpec:
    p = ProcessBuilder(PROCESS, NAME, EN, doc=DOC, carry="bpmn")
    desk = p.lane("Lane_Uketsuke", *SHOMEI_COUNTER, doc="証明書の窓口（住民票・印鑑証明・戸籍証明で共通）。職員"
                                                        "が担当。")
    make = p.lane("Lane_Sakusei", "出力・照合", "Printing and checking")
    exam = p.lane("Lane_Shinsa", "審査担当（職員）", "Examiner (staff)")
    system = p.lane("Lane_System", "住基システム", "Resident register system")
    _start(p, desk)
    p.gateway("Gateway_IninGigi", desk, "委任状に疑義?", "Doubtful proxy letter?", default="Flow_IninOK")
    p.task("Activity_IninshaKakunin", "userTask", "委任者への確認", "Confirm with the principal", exam,
           "委任状に疑義があるとき、委任者本人に電話で委任の事実を確認する。", minutes=5, input="紙", judgment=True,
           staff=REGULAR, src=("S20",))
    p.gateway("Gateway_JuminhyoDairiMerge", desk)
    p.task("Activity_JuminhyoKirokuShokai", "serviceTask", "住民記録照会", "Look up the record", system,
           "住基システムで対象者の住民記録と交付制限（支援措置）の有無を照会する。", minutes=0, input="電子",
           systems="住基システム", judgment=False)
    p.task("Activity_DVKakunin", "businessRuleTask", "DV支援措置確認", "Check DV protection", exam,
           "照会結果の支援措置の有無を確認し、対象者の相手方からの請求でないか確かめる。", minutes=0.5, input="電子",
           systems="住基システム", judgment=True, legal=True, staff=REGULAR, src=("S21", "S27"))
    p.gateway("Gateway_JuminhyoShinsaYohi", exam, "職員審査が必要?", "Staff review needed?",
              default="Flow_JuminhyoShinsaFuyo")
    _decision(p, exam, 3)
    p.gateway("Gateway_JuminhyoShinsaMerge", exam)
    _end(p, desk, make)

    p.seq("Event_ShinseiStart", "Activity_ShinseiJuryo", "Activity_ShikakuKakunin", "Activity_JuminhyoHoninKakunin",
          "Gateway_Dairinin")
    p.branch("Flow_Dairinin", "Gateway_Dairinin", "Activity_Ininjo", "代理人", "Proxy", condition="${代理人}",
             probability=0.1, src=("S20",), note="代理人請求1割と仮定。")
    p.branch("Flow_JuminhyoHonnin", "Gateway_Dairinin", "Gateway_JuminhyoDairiMerge", "本人", "In person")
    p.seq("Activity_Ininjo", "Gateway_IninGigi")
    p.branch("Flow_IninGigi", "Gateway_IninGigi", "Activity_IninshaKakunin", "疑義あり", "Doubtful",
             condition="${委任状に疑義}", probability=0.05, note="委任状の5%で委任者に確認と仮定。")
    p.branch("Flow_IninOK", "Gateway_IninGigi", "Gateway_JuminhyoDairiMerge", "なし", "No")
    p.seq("Activity_IninshaKakunin", "Gateway_JuminhyoDairiMerge")
    p.seq("Gateway_JuminhyoDairiMerge", "Activity_JuminhyoKirokuShokai", "Activity_DVKakunin",
          "Gateway_JuminhyoShinsaYohi")
    p.branch("Flow_JuminhyoShinsaYo", "Gateway_JuminhyoShinsaYohi", "Activity_JuminhyoKofuKahi", "必要", "Needed",
             condition="${第三者請求 or 支援措置対象}", probability=0.08, src=("S21",),
             note="第三者・職務上請求と支援措置対象者に係る請求を8%と仮定。")
    p.branch("Flow_JuminhyoShinsaFuyo", "Gateway_JuminhyoShinsaYohi", "Gateway_JuminhyoShinsaMerge", "不要",
             "Not needed")
    p.seq("Activity_JuminhyoKofuKahi", "Gateway_JuminhyoKofuka")
    p.branch("Flow_JuminhyoFukofu", "Gateway_JuminhyoKofuka", "Activity_JuminhyoFukofuSetsumei", "できない", "No",
             condition="${not 交付可}", probability=0.1, note="審査した請求の1割を不交付と仮定。")
    p.branch("Flow_JuminhyoKofu", "Gateway_JuminhyoKofuka", "Gateway_JuminhyoShinsaMerge", "できる", "Yes")
    p.seq("Activity_JuminhyoFukofuSetsumei", "Event_JuminhyoFukofu")
    p.seq("Gateway_JuminhyoShinsaMerge", "Activity_ShomeiSakusei", "Activity_JuminhyoTesuryo", "Activity_JuminhyoKofu",
          "Event_JuminhyoKofuEnd")
    sheet = SheetPlan(
        ids=False,
        rows=("Activity_ShinseiJuryo", "Activity_DVKakunin", "Activity_JuminhyoTesuryo", "Activity_JuminhyoKofu"),
        overrides=(
            ("Activity_ShinseiJuryo", (("step_id", "Activity_ShinseiJuryo"),)),
            ("Activity_DVKakunin", (("step", "ＤＶ支援措置確認"),)),
        ),
    )
    return p.build(_volume(), sheet)


def after() -> ProcessSpec:
    p = ProcessBuilder(PROCESS, NAME, EN, carry="bpmn", doc=DOC + "民間委託後: 受付・作成・交付は委託事業者、"
                       "交付可否判断だけを職員に1回引き継ぐ（内閣府 H20.1.17 通知、職員の常駐）。")
    desk = p.lane("Lane_Itaku", "委託事業者（証明発行窓口）", "Contractor (certificate counter)",
                  doc="受付・作成・収納・交付を委託事業者の従事者が行う。業務の指示は業務責任者を通じてのみ行う。")
    exam = p.lane("Lane_Shinsa", "審査担当（職員）", "Examiner (staff)")
    system = p.lane("Lane_System", "住基システム", "Resident register system")
    _start(p, desk)
    p.gateway("Gateway_JuminhyoDairiMerge", desk)
    p.task("Activity_JuminhyoKirokuShokai", "serviceTask", "住民記録照会", "Look up the record", system,
           "住基システムで対象者の住民記録を照会する。", input="電子", systems="住基システム", judgment=False)
    p.task("Activity_SeigenFlag", "businessRuleTask", "支援措置フラグの照合", "Match the protection flag", system,
           "住基システムが支援措置の対象者に係る請求かどうかを照合し、該当すれば職員審査に回す印を付ける。",
           minutes=0, input="電子", systems="住基システム", judgment=False, src=("S21",))
    p.gateway("Gateway_JuminhyoShinsaYohi", desk, "職員審査が必要?", "Staff review needed?",
              default="Flow_JuminhyoShinsaFuyo")
    _decision(p, exam, 4)
    p.gateway("Gateway_JuminhyoShinsaMerge", desk)
    _end(p, desk, desk)

    p.seq("Event_ShinseiStart", "Activity_ShinseiJuryo", "Activity_ShikakuKakunin", "Activity_JuminhyoHoninKakunin",
          "Gateway_Dairinin")
    p.branch("Flow_Dairinin", "Gateway_Dairinin", "Activity_Ininjo", "代理人", "Proxy", condition="${代理人}",
             probability=0.1, src=("S20",), note="代理人請求1割と仮定。")
    p.branch("Flow_JuminhyoHonnin", "Gateway_Dairinin", "Gateway_JuminhyoDairiMerge", "本人", "In person")
    p.seq("Activity_Ininjo", "Gateway_JuminhyoDairiMerge", "Activity_JuminhyoKirokuShokai", "Activity_SeigenFlag",
          "Gateway_JuminhyoShinsaYohi")
    p.branch("Flow_JuminhyoShinsaYo", "Gateway_JuminhyoShinsaYohi", "Activity_JuminhyoKofuKahi", "必要", "Needed",
             condition="${第三者請求 or 支援措置対象 or 委任状に疑義}", probability=0.085, src=("S21",),
             note="仕様書に定めた基準（第三者・職務上請求、支援措置フラグ、委任状の疑義）に当たる請求。8.5%と仮定。")
    p.branch("Flow_JuminhyoShinsaFuyo", "Gateway_JuminhyoShinsaYohi", "Gateway_JuminhyoShinsaMerge", "不要",
             "Not needed")
    p.seq("Activity_JuminhyoKofuKahi", "Gateway_JuminhyoKofuka")
    p.branch("Flow_JuminhyoFukofu", "Gateway_JuminhyoKofuka", "Activity_JuminhyoFukofuSetsumei", "できない", "No",
             condition="${not 交付可}", probability=0.1, note="審査した請求の1割を不交付と仮定。")
    p.branch("Flow_JuminhyoKofu", "Gateway_JuminhyoKofuka", "Gateway_JuminhyoShinsaMerge", "できる", "Yes")
    p.seq("Activity_JuminhyoFukofuSetsumei", "Event_JuminhyoFukofu")
    p.seq("Gateway_JuminhyoShinsaMerge", "Activity_ShomeiSakusei", "Activity_JuminhyoTesuryo", "Activity_JuminhyoKofu",
          "Event_JuminhyoKofuEnd")
    return p.build(_volume())


def _file(path: str, process: ProcessSpec, comment: str) -> FileSpec:
    return FileSpec(
        path, "Definitions_0jmnhyo", "Collaboration_1juminhyo",
        (
            Pool("Participant_Seikyusha", "請求者（本人・代理人・第三者）", "Requester (person, proxy, third party)"),
            Pool("Participant_Shomei", "市民課 証明係", "Citizens Division, Certificates", process),
        ),
        _messages(),
        comment=comment,
    )


def spec() -> list[FileSpec]:
    today = before()
    note = "scripts/build_flows.py で生成。数値は人口約20万人の市を想定した例示です。"
    main = _file("flows/juminhyo.bpmn", today, "住民票の写し等の交付（窓口・職員）。" + note)
    return [
        main,
        replace(main, file="tests/data/versions/juminhyo-before.bpmn"),
        _file("tests/data/versions/juminhyo-after.bpmn", after(),
              "住民票の写し等の交付（民間委託後の案: 受付・交付は委託事業者、交付可否判断のみ職員へ1回引継ぎ）。"
              + note),
    ]
