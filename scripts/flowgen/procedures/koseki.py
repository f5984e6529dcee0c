"""戸籍届出 受付 (counter-procedures.md §8): 受理照会 to the 法務局, 校合・決裁; facts in the workbook."""

from __future__ import annotations

from flowgen.procedures.common import KOSEKI, PART_TIME, REGULAR, SHIMIN, estimate, peak
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Spacing, Volume

ANNUAL = 4430
BIRTHS, DEATHS, MARRIAGES = 727277, 1575936, 474717
"""2023 national totals (人口動態統計 概数, S44)."""


def _share(part: int) -> float:
    return round(part / (BIRTHS + DEATHS + MARRIAGES), 2)


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_KosekiTodoke", "戸籍届出（出生・婚姻・死亡）", "Family-register notifications", carry="survey",
        doc="出生届・婚姻届・死亡届の受付から受理、戸籍記載、校合・決裁、届書等情報の送付まで（戸籍法、戸籍事務取扱準則）。",
    )
    desk = p.lane("Lane_KosekiMadoguchi", "窓口受付（戸籍）", "Counter: family register")
    night = p.lane("Lane_Shukuchoku", "宿日直（時間外）", "Night and holiday desk")
    exam = p.lane("Lane_KosekiTanto", "戸籍担当（審査）", "Family-register examiner")
    chief = p.lane("Lane_KosekiKessai", "係長（校合・決裁）", "Chief (verification and approval)")
    system = p.lane("Lane_KosekiSystem", "戸籍情報システム", "Family register system")

    p.start("Event_TodokeStart", "届書提出（開庁時間）", "Filed in office hours", desk)
    p.start("Event_JikangaiStart", "届書提出（時間外）", "Filed out of hours", night)
    p.share("Event_TodokeStart", 0.88, estimate("S42", "S43", note="時間外・休日の届出（死亡届が多い）を12%と仮定。"))
    p.share("Event_JikangaiStart", 0.12, estimate("S42", "S43", note="時間外・休日の届出（死亡届が多い）を12%と仮定。"))
    p.task("Activity_Azukari", "manualTask", "届書の預かり", "Take in the form", night,
           "時間外に届書を預かり、受付日時を記録する（受理の判断は翌開庁日に戸籍担当が行う）。", minutes=5,
           input="紙", judgment=False, legal=False, staff=REGULAR, src=("S42", "S43"))
    p.catch("Event_KosekiYokuKaichobi", "翌開庁日", "Next business day", night, trigger="timer",
            timer=("timeDate", "${翌開庁日}"))
    p.gateway("Gateway_TsuikanMerge", desk)
    p.task("Activity_KosekiJuryo", "manualTask", "届書受領・本人確認", "Receive the form and check identity", desk,
           "届書を受け取り、婚姻等の創設的届出では届出人の本人確認をする（戸籍法27条の2）。", minutes=4, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S1", "S40"))
    p.task("Activity_UketsukeToroku", "userTask", "添付書類確認・受付登録", "Check attachments and log", desk,
           "出生証明書・死亡診断書など添付書類と記載漏れを確認し、受付帳に登録する。", minutes=5, input="紙",
           systems="戸籍情報システム", judgment=False, legal=False, staff=PART_TIME, src=("S40",))
    p.task("Activity_JuriShinsa", "userTask", "受理要件審査", "Examine the requirements", exam,
           "届出の要件（届出人・届出期間・婚姻要件など）を戸籍と照らして審査する。", minutes=10, input="紙",
           systems="戸籍情報システム", judgment=True, legal=True, staff=REGULAR, src=("S1", "S7", "S41"),
           note="受理・不受理の決定は市町村長の判断（民一317号）。足立区では受託者が事実上決めていたと指摘された（S41）。")
    p.gateway("Gateway_ShokaiYohi", exam, "法務局への照会要?", "Refer to the bureau?", default="Flow_ShokaiFuyo")
    p.task("Activity_JuriShokai", "sendTask", "受理照会", "Refer to the Legal Affairs Bureau", exam,
           "受理の可否に疑義がある届出について、管轄法務局に受理照会をする（戸籍事務取扱準則23条）。", minutes=30,
           input="紙", judgment=True, legal=True, staff=REGULAR, src=("S42",))
    p.task("Activity_ShokaiKaito", "receiveTask", "照会回答受領", "Receive the answer", exam,
           "法務局からの回答を受け取り、審査記録に綴る。", minutes=5, input="紙", judgment=False, legal=False,
           staff=REGULAR, src=("S42",))
    p.gateway("Gateway_ShokaiMerge", exam)
    p.gateway("Gateway_Juri", exam, "受理できる?", "Can it be accepted?", default="Flow_Juri")
    p.task("Activity_Tsuikan", "manualTask", "追完依頼", "Ask for a supplement", desk,
           "軽微な不備を届出人に電話または窓口で伝え、届書の追完を依頼する（届出日で受理）。", minutes=10,
           input="紙", judgment=False, legal=False, staff=PART_TIME, src=("S43",))
    p.task("Activity_KosekiFujuri", "userTask", "不受理決定・通知", "Decide rejection and notify", chief,
           "重大な不備のある届出を不受理と決定し、理由を付して届出人に通知する。", minutes=60, input="紙",
           judgment=True, legal=True, staff=REGULAR, src=("S43",))
    p.end("Event_KosekiFujuri", "不受理", "Rejected", chief)
    p.task("Activity_KosekiKisai", "userTask", "戸籍記載", "Enter in the register", exam,
           "受理した届出に基づき、戸籍情報システムに記載（入力）する。", minutes=10, input="紙",
           systems="戸籍情報システム", judgment=False, legal=False, staff=PART_TIME, src=("S1", "S5", "S6"),
           note="事実上の行為として入力委託の例あり（津市・藤枝市）。")
    p.task("Activity_Kyogo", "userTask", "校合・決裁", "Verify and approve", chief,
           "記載内容を届書と照合（校合）し、決裁する。", minutes=5, input="電子", systems="戸籍情報システム",
           judgment=True, legal=True, staff=REGULAR, src=("S1",))
    p.gateway("Gateway_SofuSplit", exam, kind="parallelGateway")
    p.task("Activity_JuminhyoTsuchi", "sendTask", "住民票記載の通知", "Notify resident records", exam,
           "出生・死亡・婚姻による住民票の記載・消除を住民記録係へ通知する。", minutes=2, input="電子",
           systems="戸籍情報システム・住基システム", judgment=False, legal=False, staff=PART_TIME, src=("S10",))
    p.task("Activity_TodokeSofu", "sendTask", "届書等情報の送付", "Send the notification data", system,
           "届書等情報を戸籍情報連携システムで法務大臣（本籍地・法務局）へ送る。", input="電子",
           systems="戸籍情報システム・戸籍情報連携システム", judgment=False, legal=False)
    p.task("Activity_Jinko", "userTask", "人口動態調査票の作成", "Prepare the vital-statistics form", exam,
           "出生・死亡・婚姻の人口動態調査票を作成し、保健所へ送る。", minutes=5, input="紙",
           systems="人口動態調査オンラインシステム", judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_SofuJoin", exam, kind="parallelGateway")
    p.gateway("Gateway_KosekiShurui", desk, "届出の種類?", "Kind of notification?", default="Flow_Konin")
    p.task("Activity_Sumi", "manualTask", "出生届出済証明の記載", "Certify the birth in the handbook", desk,
           "母子健康手帳の出生届出済証明欄に記載し、公印を押す。", minutes=2, input="紙", judgment=False,
           legal=False, staff=REGULAR, src=("S40",))
    p.task("Activity_Kaso", "manualTask", "火葬許可証の交付", "Issue the cremation permit", desk,
           "死亡届の受理後、火葬許可証を作成して届出人（葬祭業者）に交付する。", minutes=5, input="紙",
           systems="戸籍情報システム", judgment=False, staff=PART_TIME)
    p.gateway("Gateway_KosekiShuruiMerge", desk)
    p.end("Event_Juri", "届出受理", "Accepted", desk)

    p.seq("Event_TodokeStart", "Gateway_TsuikanMerge")
    p.seq("Event_JikangaiStart", "Activity_Azukari", "Event_KosekiYokuKaichobi", "Gateway_TsuikanMerge")
    p.seq("Gateway_TsuikanMerge", "Activity_KosekiJuryo", "Activity_UketsukeToroku", "Activity_JuriShinsa",
          "Gateway_ShokaiYohi")
    p.branch("Flow_ShokaiYo", "Gateway_ShokaiYohi", "Activity_JuriShokai", "要", "Yes", condition="${受理照会要}",
             probability=0.01, src=("S42",), note="1%と仮定。")
    p.branch("Flow_ShokaiFuyo", "Gateway_ShokaiYohi", "Gateway_ShokaiMerge", "不要", "Not needed")
    p.seq("Activity_JuriShokai", "Activity_ShokaiKaito", "Gateway_ShokaiMerge", "Gateway_Juri")
    p.branch("Flow_Juri", "Gateway_Juri", "Activity_KosekiKisai", "受理", "Accept")
    p.branch("Flow_Tsuikan", "Gateway_Juri", "Activity_Tsuikan", "軽微な不備", "Minor defect",
             condition="${軽微な不備}", probability=0.06, src=("S43",), note="6%と仮定。")
    p.branch("Flow_Fujuri", "Gateway_Juri", "Activity_KosekiFujuri", "不受理", "Rejected", condition="${重大な不備}",
             probability=0.005, src=("S43",), note="0.5%と仮定。")
    p.seq("Activity_Tsuikan", "Gateway_TsuikanMerge")
    p.seq("Activity_KosekiFujuri", "Event_KosekiFujuri")
    p.seq("Activity_KosekiKisai", "Activity_Kyogo", "Gateway_SofuSplit")
    p.seq("Gateway_SofuSplit", "Activity_JuminhyoTsuchi", "Gateway_SofuJoin")
    p.seq("Gateway_SofuSplit", "Activity_TodokeSofu", "Gateway_SofuJoin")
    p.seq("Gateway_SofuSplit", "Activity_Jinko", "Gateway_SofuJoin")
    p.seq("Gateway_SofuJoin", "Gateway_KosekiShurui")
    p.branch("Flow_Shussei", "Gateway_KosekiShurui", "Activity_Sumi", "出生", "Birth", condition="${種類 == '出生'}",
             probability=_share(BIRTHS), basis="出典あり", src=("S44",),
             note="2023年の全国の出生・婚姻・死亡のうち出生の割合（727,277÷2,777,930）。")
    p.branch("Flow_Shibo", "Gateway_KosekiShurui", "Activity_Kaso", "死亡", "Death", condition="${種類 == '死亡'}",
             probability=_share(DEATHS), basis="出典あり", src=("S44",),
             note="2023年の全国の出生・婚姻・死亡のうち死亡の割合（1,575,936÷2,777,930）。")
    p.branch("Flow_Konin", "Gateway_KosekiShurui", "Gateway_KosekiShuruiMerge", "婚姻", "Marriage")
    p.seq("Activity_Sumi", "Gateway_KosekiShuruiMerge")
    p.seq("Activity_Kaso", "Gateway_KosekiShuruiMerge", "Event_Juri")

    march, april = peak(ANNUAL, (1.08, 1.0))
    volume = Volume(ANNUAL, march, april, SHIMIN, KOSEKI, estimate(
        "S44", note="2023年の全国値（出生727,277・死亡1,575,936・婚姻474,717）を人口20万人に按分"
        "（出生約1,170・死亡約2,500・婚姻約760）。3月は婚姻・死亡がやや多く月平均の1.08倍、4月は平均並みと仮定。"))
    process = p.build(volume, SheetPlan(ids=True))
    return FileSpec(
        "flows/koseki.bpmn", "Definitions_0koseki", "Collaboration_0koseki",
        (
            Pool("Participant_Todokenin", "届出人", "Notifier"),
            Pool("Participant_KosekiKakari", "市民課 戸籍係", "Citizens Division, Family Register", process),
            Pool("Participant_Homukyoku", "法務局・本籍地（戸籍情報連携システム）",
                 "Legal Affairs Bureau and registry municipality"),
        ),
        (
            Message("Flow_MsgTodoke", "Participant_Todokenin", "Event_TodokeStart", "届書", "Notification form"),
            Message("Flow_MsgJikangai", "Participant_Todokenin", "Event_JikangaiStart"),
            Message("Flow_MsgTsuikan", "Activity_Tsuikan", "Participant_Todokenin", "追完の依頼",
                    "Request for a supplement"),
            Message("Flow_MsgFujuri", "Activity_KosekiFujuri", "Participant_Todokenin", "不受理通知",
                    "Rejection notice"),
            Message("Flow_MsgShokai", "Activity_JuriShokai", "Participant_Homukyoku", "受理照会", "Refer to the Lega"
                                                                                              "l Affairs Bureau"),
            Message("Flow_MsgKaito", "Participant_Homukyoku", "Activity_ShokaiKaito", "照会回答", "Answer"),
            Message("Flow_MsgSofu", "Activity_TodokeSofu", "Participant_Homukyoku", "届書等情報", "Notification data"),
            Message("Flow_MsgSumi", "Activity_Sumi", "Participant_Todokenin", "出生届出済証明", "Birth certified"),
            Message("Flow_MsgKaso", "Activity_Kaso", "Participant_Todokenin", "火葬許可証", "Cremation permit"),
        ),
        spacing=Spacing(track_height=95.0),  # nine rows of branches: lower rows keep two A4 pages at 7 px
        comment="戸籍届出（出生・婚姻・死亡）の受付・受理・記載・校合。数値は人口約20万人の市を想定した例示で、"
                "業務量調査票 survey.xlsx にあります。scripts/build_flows.py で生成。",
    )
