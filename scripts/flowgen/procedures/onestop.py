"""転入後のワンストップ連携 (counter-procedures.md §14): 関係課 as their own pools, hand-offs as message flows."""

from __future__ import annotations

from flowgen.procedures.common import JUKI, MOVES_PEAK, PART_TIME, REGULAR, SHIMIN, estimate, peak, quoted
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, ProcessSpec, SheetPlan, Volume

CASES = 5200
KOKUHO_SHARE = 0.24
KODOMO_SHARE = 0.20
GAKKO_SHARE = 0.10
ONESTOP = "onestop"
"""The 関係課 pools are the one-stop follow-on work (§14), not the procedure their names mention: 「国保加入の案内
（転入）」 would match 住民異動届 by 転入 and 「児童手当…の案内」 the 認定請求 itself, whose decisions are drawn in
kokuho.bpmn and jidoteate.bpmn."""


def _volume(annual: int, section: str, unit: str, note: str, *sources: str) -> Volume:
    march, april = peak(annual, MOVES_PEAK)
    return Volume(annual, march, april, section, unit, estimate(*sources, note=note))


def shiminka() -> ProcessSpec:
    p = ProcessBuilder(
        "Process_OneStop", "転入後のワンストップ案内", "One-stop follow-up after moving in", carry="survey",
        doc="転入届の受理後、世帯の状況から必要な手続を判定して関係課へ一度に連絡し、手続案内票を渡す（越前市のチェックシート、三木市のデータ共有の例）。",
    )
    desk = p.lane("Lane_Sogo", "総合窓口（案内）", "One-stop desk")
    system = p.lane("Lane_Juki", "住基システム", "Resident register system")
    p.start("Event_OnestopStart", "転入届の受理", "Moving-in accepted", system, trigger=None)
    p.task("Activity_Chushutsu", "serviceTask", "世帯情報の抽出", "Extract the household data", system,
           "転入世帯の年齢構成・児童の有無・前住所の国保加入などを住基システムから抽出する。", input="電子",
           systems="住基システム", judgment=False, legal=False, src=("S61",))
    p.task("Activity_CheckSheet", "businessRuleTask", "手続きチェックシートの作成", "Fill in the procedure checklist",
           desk, "世帯の属性から必要な手続（国保・児童手当・就学・介護など）を拾い出し、チェックシートに記入する。",
           minutes=5, input="電子", systems="住基システム", judgment=False, legal=False, staff=PART_TIME,
           src=("S60",), note="越前市は手続きチェックシートで漏れを防ぐ（S60）。")
    p.gateway("Gateway_Split", desk, "必要な手続", "Procedures needed", kind="inclusiveGateway",
              default="Flow_Nashi")
    p.task("Activity_RenrakuKokuho", "sendTask", "保険年金課へ連絡", "Notify the NHI section", desk,
           "国保の加入が見込まれる世帯を保険年金課へ連絡する。", minutes=2, input="電子", systems="住基システム",
           judgment=False, legal=False, staff=PART_TIME, src=("S10",),
           note="つくば市は異動届受理通知をRPA化し年85時間→14時間（S10）。")
    p.task("Activity_RenrakuKodomo", "sendTask", "こども家庭課へ連絡", "Notify the children's section", desk,
           "児童のいる世帯を、児童手当・子ども医療費の担当へ連絡する。", minutes=2, input="電子",
           systems="住基システム", judgment=False, legal=False, staff=PART_TIME, src=("S10",))
    p.task("Activity_RenrakuGakko", "sendTask", "学校教育課へ連絡", "Notify the school section", desk,
           "学齢児童・生徒のいる世帯を教育委員会へ連絡する。", minutes=2, input="電子", systems="住基システム",
           judgment=False, legal=False, staff=PART_TIME, src=("S10",))
    p.task("Activity_RenrakuSonota", "sendTask", "その他の関係課へ連絡", "Notify other sections", desk,
           "介護保険・後期高齢者医療・犬の登録など、その他の手続が要る世帯を各課へ連絡する。", minutes=2,
           input="電子", systems="住基システム", judgment=False, legal=False, staff=PART_TIME, src=("S10",))
    p.gateway("Gateway_Join", desk, kind="inclusiveGateway")
    p.task("Activity_AnnaiHyo", "manualTask", "手続き案内票の交付・説明", "Hand over the guide", desk,
           "必要な手続と窓口・持ち物をまとめた案内票を渡し、順番を説明する。", minutes=3, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S60", "S62"))
    p.end("Event_OnestopEnd", "案内完了", "Guided", desk)
    p.seq("Event_OnestopStart", "Activity_Chushutsu", "Activity_CheckSheet", "Gateway_Split")
    p.branch("Flow_Kokuho", "Gateway_Split", "Activity_RenrakuKokuho", "国保", "NHI", condition="${国保加入見込み}",
             probability=KOKUHO_SHARE, basis="出典あり", src=("S55",),
             note="市町村国保の被保険者は人口の約24%（2016年度、S55）。その割合をそのまま用いた。")
    p.branch("Flow_Kodomo", "Gateway_Split", "Activity_RenrakuKodomo", "児童手当・医療費", "Child allowance",
             condition="${児童あり}", probability=KODOMO_SHARE, note="児童のいる世帯を2割と仮定。")
    p.branch("Flow_Gakko", "Gateway_Split", "Activity_RenrakuGakko", "就学", "School", condition="${学齢児あり}",
             probability=GAKKO_SHARE, note="学齢児のいる世帯を1割と仮定。")
    p.branch("Flow_Sonota", "Gateway_Split", "Activity_RenrakuSonota", "介護・犬の登録ほか", "Care and others",
             condition="${その他の手続あり}", probability=0.15, note="15%と仮定。")
    p.branch("Flow_Nashi", "Gateway_Split", "Gateway_Join", "なし", "No")
    for task in ("Activity_RenrakuKokuho", "Activity_RenrakuKodomo", "Activity_RenrakuGakko",
                 "Activity_RenrakuSonota"):
        p.seq(task, "Gateway_Join")
    p.seq("Gateway_Join", "Activity_AnnaiHyo", "Event_OnestopEnd")
    return p.build(_volume(CASES, SHIMIN, JUKI, "転入届と同じ件数（転入世帯ごとに1回）。", "S12"), SheetPlan(ids=True))


def kokuho() -> ProcessSpec:
    p = ProcessBuilder("Process_OneStopKokuho", "国保加入の案内（転入）", "NHI guidance after moving in",
                       carry="survey", procedure=ONESTOP,
                       doc="総合窓口からの連絡を受け、国保加入の要否を確かめて手続を案内する（加入は kokuho.bpmn）。")
    p.start("Event_OnestopKokuhoStart", "異動連絡の受信", "Notice received", None)
    p.task("Activity_KanyuYohi", "userTask", "国保加入要否の確認", "Check whether NHI is needed", "",
           "勤務先の社会保険の有無や前住所での国保加入を聞き取り、加入手続が要るかを確かめる。", minutes=5,
           input="電子", systems="国保システム", judgment=True, legal=False, staff=PART_TIME,
           legal_basis="案内のために加入手続の要否を聞き取るだけで、資格の認否は保険年金課の届出の審査"
                       "（kokuho.bpmn「資格取得の審査」）で職員が行う")
    p.gateway("Gateway_KanyuYohi", "", "加入手続が必要?", "Enrolment needed?", default="Flow_KanyuFuyo")
    p.task("Activity_KanyuAnnai", "manualTask", "加入手続の案内", "Guide to enrolment", "",
           "国保の加入届に必要な書類を説明し、国保窓口へ案内する。", minutes=3, input="紙", judgment=False,
           legal=False, staff=PART_TIME)
    p.gateway("Gateway_KanyuMerge", "")
    p.end("Event_OnestopKokuhoEnd", "案内済み", "Guided", None)
    p.seq("Event_OnestopKokuhoStart", "Activity_KanyuYohi", "Gateway_KanyuYohi")
    p.branch("Flow_KanyuYo", "Gateway_KanyuYohi", "Activity_KanyuAnnai", "必要", "Needed", condition="${加入必要}",
             probability=0.7, note="連絡した世帯の7割で加入手続が要ると仮定。")
    p.branch("Flow_KanyuFuyo", "Gateway_KanyuYohi", "Gateway_KanyuMerge", "不要", "Not needed")
    p.seq("Activity_KanyuAnnai", "Gateway_KanyuMerge", "Event_OnestopKokuhoEnd")
    return _no_lanes(p).build(_volume(round(CASES * KOKUHO_SHARE), "保険年金課", "国保資格係",
                                      "転入5,200件×国保の割合0.24。", "S55"), SheetPlan(ids=True))


def kodomo() -> ProcessSpec:
    p = ProcessBuilder("Process_OneStopKodomo", "児童手当・子ども医療費の案内（転入）",
                       "Child allowance guidance after moving in", carry="survey",
                       procedure=ONESTOP,
                       doc="総合窓口からの連絡を受け、対象児童を確かめて認定請求と医療証の申請を案内する（認定は"
                           " jidoteate.bpmn）。")
    p.start("Event_KodomoStart", "異動連絡の受信", "Notice received", None)
    p.task("Activity_JidoKakunin", "userTask", "対象児童と請求者の確認", "Check the children and claimant", "",
           "転入世帯の児童と、請求者（生計中心者）となる保護者を確かめる。", minutes=5, input="電子",
           systems="児童手当システム", judgment=False, legal=False, staff=PART_TIME)
    p.task("Activity_SeikyuAnnai", "manualTask", "認定請求・医療証申請の案内", "Guide to the claims", "",
           "15日以内の認定請求と子ども医療証の申請を案内し、請求書を渡す。", minutes=5, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S58",),
           legal_basis="請求の手続を案内するだけで、認定の判断は含まない"
                       "（認定は jidoteate.bpmn の受給資格審査・認定決裁）")
    p.end("Event_KodomoEnd", "案内済み", "Guided", None)
    p.seq("Event_KodomoStart", "Activity_JidoKakunin", "Activity_SeikyuAnnai", "Event_KodomoEnd")
    return _no_lanes(p).build(_volume(round(CASES * KODOMO_SHARE), "こども家庭課", "児童手当係",
                                      "転入5,200件×児童のいる世帯0.2。"), SheetPlan(ids=True))


def gakko() -> ProcessSpec:
    p = ProcessBuilder("Process_OneStopGakko", "就学校の指定・通知（転入）", "School assignment after moving in",
                       carry="survey", procedure=ONESTOP,
                       doc="総合窓口からの連絡を受け、通学区域から就学する学校を指定し、就学通知書を送る（学校教育法施行令）。")
    p.start("Event_GakkoStart", "異動連絡の受信", "Notice received", None)
    p.task("Activity_Gakku", "businessRuleTask", "通学区域の確認", "Look up the school district", "",
           "新住所の通学区域と学年から就学先の候補を確かめる。", minutes=3, input="電子", systems="学齢簿システム",
           judgment=False, legal=False, staff=PART_TIME)
    p.task("Activity_Shitei", "userTask", "就学校の指定", "Assign the school", "",
           "教育委員会として就学すべき学校を指定し、学齢簿に記載する（区域外就学の相談を含む）。", minutes=5,
           input="電子", systems="学齢簿システム", judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_ShugakuTsuchi", "sendTask", "就学通知書の送付", "Post the school notice", "",
           "保護者に就学通知書を送り、学校へも連絡する。", minutes=3, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.end("Event_GakkoEnd", "通知済み", "Notified", None)
    p.seq("Event_GakkoStart", "Activity_Gakku", "Activity_Shitei", "Activity_ShugakuTsuchi", "Event_GakkoEnd")
    return _no_lanes(p).build(_volume(round(CASES * GAKKO_SHARE), "教育委員会 学校教育課", "学事係",
                                      "転入5,200件×学齢児のいる世帯0.1。"), SheetPlan(ids=True))


def _no_lanes(p: ProcessBuilder) -> ProcessBuilder:
    """The 関係課 pools have no lanes: one section, one desk."""
    from dataclasses import replace

    p.nodes = [replace(n, lane=None) for n in p.nodes]
    return p


def spec() -> FileSpec:
    return FileSpec(
        "flows/onestop.bpmn", "Definitions_0onestop", "Collaboration_0onestop",
        (
            Pool("Participant_Tennyusha", "転入者（世帯）", "Household moving in"),
            Pool("Participant_Sogo", "市民課 総合窓口", "Citizens Division, one-stop desk", shiminka()),
            Pool("Participant_Kokuho", "保険年金課", "Insurance and Pension Division", kokuho()),
            Pool("Participant_Kodomo", "こども家庭課", "Children and Families Division", kodomo()),
            Pool("Participant_Gakko", "教育委員会 学校教育課", "Board of Education, School Affairs", gakko()),
            Pool("Participant_Sonota", "その他の関係課（介護保険課・環境課ほか）", "Other sections (care insurance, "
                 "environment, etc.)"),
        ),
        (
            Message("Flow_MsgKokuho", "Activity_RenrakuKokuho", "Event_OnestopKokuhoStart"),
            Message("Flow_MsgKodomo", "Activity_RenrakuKodomo", "Event_KodomoStart"),
            Message("Flow_MsgGakko", "Activity_RenrakuGakko", "Event_GakkoStart"),
            Message("Flow_MsgSonota", "Activity_RenrakuSonota", "Participant_Sonota", "異動連絡", "Change notice"),
            Message("Flow_MsgAnnai", "Activity_AnnaiHyo", "Participant_Tennyusha", "手続き案内票", "Procedure guide"),
            Message("Flow_MsgShugaku", "Activity_ShugakuTsuchi", "Participant_Tennyusha", "就学通知書",
                    "School notice"),
        ),
        comment="転入後のワンストップ連携（関係課は別プール、連絡はメッセージフロー）。数値は人口約20万人の市を想定した例示で、"
                "業務量調査票 survey.xlsx にあります。scripts/build_flows.py で生成。",
    )


__all__ = ["quoted", "spec"]
