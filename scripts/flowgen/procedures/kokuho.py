"""国民健康保険 加入・喪失 (counter-procedures.md §11): facts in the workbook, typed by hand (no ids)."""

from __future__ import annotations

from flowgen.procedures.common import MOVES_PEAK, PART_TIME, REGULAR, estimate, peak
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Volume

ANNUAL = 16000


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_Kokuho", "国民健康保険 加入・喪失", "National Health Insurance: joining and leaving", carry="survey",
        doc="国民健康保険の資格取得・喪失の届出（国民健康保険法、14日以内）。資格確認書等の交付と保険税の賦課まで。",
    )
    desk = p.lane("Lane_Madoguchi", "国保窓口（受付）", "NHI counter")
    exam = p.lane("Lane_Shinsa", "資格審査・入力担当", "Eligibility and data entry")
    system = p.lane("Lane_System", "国保システム（資格・賦課）", "NHI system (eligibility, premiums)")
    p.start("Event_KokuhoStart", "加入・喪失の届出", "Notification", desk)
    p.task("Activity_KokuhoJuryo", "manualTask", "届書受領", "Receive the form", desk,
           "資格取得・喪失届と社会保険の資格喪失（加入）証明書などを受け取る。", minutes=2, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S53",))
    p.task("Activity_Honin", "businessRuleTask", "本人・マイナンバー確認", "Check identity and My Number", desk,
           "本人確認書類と世帯全員のマイナンバーを確認する。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.gateway("Gateway_KokuhoShurui", exam, "届出の種類?", "Kind of notification?", default="Flow_Kanyu")
    p.task("Activity_KanyuShinsa", "userTask", "資格取得の審査", "Examine the start of cover", exam,
           "社会保険の資格喪失日や転入日から国保の資格取得日を確かめ、遡及の有無を判断する。", minutes=5,
           input="紙", systems="国保システム", judgment=True, legal=True, staff=REGULAR, src=("S55",),
           note="資格喪失証明書の日付が遡及賦課を決める（§11）。")
    p.task("Activity_SoshitsuShinsa", "userTask", "資格喪失の審査", "Examine the end of cover", exam,
           "社会保険の加入日・転出日などから国保の資格喪失日を確かめる。", minutes=4, input="紙",
           systems="国保システム", judgment=True, legal=True, staff=REGULAR)
    p.gateway("Gateway_KokuhoShuruiMerge", exam)
    p.gateway("Gateway_Fusoku", exam, "証明書類が不足?", "Papers missing?", default="Flow_Sorotteru")
    p.task("Activity_AtoTeishutsu", "manualTask", "後日提出の案内", "Ask for the papers later", desk,
           "資格喪失証明書などが後日になる場合、提出期限と送付先を案内する。", minutes=3, input="紙",
           judgment=False, legal=False, staff=PART_TIME)
    p.task("Activity_KokuhoFusokuJuryo", "receiveTask", "不足書類の受領", "Receive the missing papers", exam,
           "後日届いた証明書類を受け取り、届書と合わせる。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.boundary("Event_KokuhoKigen", "14日経過", "14 days passed", "Activity_KokuhoFusokuJuryo", trigger="timer",
               timer=("timeDuration", "P14D"), probability=0.2, evidence=estimate(note="2割で期限までに届かない"
                                                                                       "と仮定。"))
    p.task("Activity_Shokken", "userTask", "職権による資格処理", "Settle eligibility ex officio", exam,
           "書類が届かないまま期限を過ぎたとき、年金機構等への照会で確認できた事実に基づき職権で資格を処理する。",
           minutes=20, input="電子", systems="国保システム", judgment=True, legal=True, staff=REGULAR)
    p.gateway("Gateway_FusokuMerge", exam)
    p.task("Activity_ShikakuNyuryoku", "userTask", "資格入力（国保システム）", "Enter eligibility", exam,
           "資格の取得・喪失を国保システムに入力する。", minutes=5, input="紙", systems="国保システム",
           judgment=False, legal=False, staff=PART_TIME, src=("S54",))
    p.task("Activity_Fuka", "serviceTask", "保険税の賦課計算（月割・遡及）", "Compute the premium", system,
           "資格期間に応じて保険税を月割りで再計算し、遡及分を含めて賦課する。", input="電子",
           systems="国保システム", judgment=False, legal=True)
    p.gateway("Gateway_KokuhoUketori", desk, "受取方法?", "How to deliver?", default="Flow_KokuhoUketoriMadoguchi")
    p.task("Activity_KokuhoKofu", "manualTask", "資格確認書等の交付", "Hand over the eligibility papers", desk,
           "資格確認書（または資格情報のお知らせ）と保険税の案内を渡す。", minutes=2, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S52",))
    p.task("Activity_Yuso", "sendTask", "資格確認書等の郵送", "Post the eligibility papers", exam,
           "代理人の届出などでは資格確認書等を世帯主宛てに郵送する。", minutes=2, input="紙", judgment=False,
           legal=False, staff=PART_TIME, src=("S51",))
    p.gateway("Gateway_KokuhoUketoriMerge", desk)
    p.end("Event_KokuhoEnd", "手続完了", "Done", desk)

    p.seq("Event_KokuhoStart", "Activity_KokuhoJuryo", "Activity_Honin", "Gateway_KokuhoShurui")
    p.branch("Flow_Kanyu", "Gateway_KokuhoShurui", "Activity_KanyuShinsa", "加入", "Joining")
    p.branch("Flow_Soshitsu", "Gateway_KokuhoShurui", "Activity_SoshitsuShinsa", "喪失", "Leaving",
             condition="${種類 == '喪失'}", probability=0.5, src=("S55",), note="加入・喪失とも年8千件と推計。")
    p.seq("Activity_KanyuShinsa", "Gateway_KokuhoShuruiMerge")
    p.seq("Activity_SoshitsuShinsa", "Gateway_KokuhoShuruiMerge", "Gateway_Fusoku")
    p.branch("Flow_Fusoku", "Gateway_Fusoku", "Activity_AtoTeishutsu", "不足", "Missing",
             condition="${証明書類不足}", probability=0.15, note="15%と仮定。")
    p.branch("Flow_Sorotteru", "Gateway_Fusoku", "Gateway_FusokuMerge", "そろっている", "Complete")
    p.seq("Activity_AtoTeishutsu", "Activity_KokuhoFusokuJuryo", "Gateway_FusokuMerge")
    p.seq("Event_KokuhoKigen", "Activity_Shokken", "Gateway_FusokuMerge")
    p.seq("Gateway_FusokuMerge", "Activity_ShikakuNyuryoku", "Activity_Fuka", "Gateway_KokuhoUketori")
    p.branch("Flow_KokuhoUketoriYuso", "Gateway_KokuhoUketori", "Activity_Yuso", "郵送", "By post", condition="${郵送}",
             probability=0.3, src=("S51",), note="3割と仮定。")
    p.branch("Flow_KokuhoUketoriMadoguchi", "Gateway_KokuhoUketori", "Activity_KokuhoKofu", "窓口", "At the counter")
    p.seq("Activity_KokuhoKofu", "Gateway_KokuhoUketoriMerge")
    p.seq("Activity_Yuso", "Gateway_KokuhoUketoriMerge", "Event_KokuhoEnd")

    march, april = peak(ANNUAL, MOVES_PEAK)
    volume = Volume(ANNUAL, march, april, "保険年金課", "国保資格係", estimate(
        "S55", note="市町村国保の被保険者は人口の約24%（S55）、20万人で約4万人。加入・喪失を各6千〜1万件の中間8"
                    "千件と推計。"
        "年度替わりの退職・就職で3月2倍・4月1.7倍と仮定。"))
    sheet = SheetPlan(ids=False, overrides=(
        ("Activity_ShikakuNyuryoku", (("step", "資格取得入力"),)),
        ("Activity_KokuhoJuryo", (("minutes", "２"),)),
    ))
    process = p.build(volume, sheet)
    return FileSpec(
        "flows/kokuho.bpmn", "Definitions_0kokuho", "Collaboration_0kokuho",
        (
            Pool("Participant_Todokenin", "届出人（世帯主）", "Notifier (head of household)"),
            Pool("Participant_Kokuho", "保険年金課 国保資格係", "Insurance and Pension Division, NHI", process),
        ),
        (
            Message("Flow_MsgTodoke", "Participant_Todokenin", "Event_KokuhoStart", "資格取得・喪失届", "Notification"),
            Message("Flow_MsgAto", "Activity_AtoTeishutsu", "Participant_Todokenin", "後日提出の案内",
                    "Ask for the papers later"),
            Message("Flow_MsgFusoku", "Participant_Todokenin", "Activity_KokuhoFusokuJuryo", "資格喪失証明書等",
                    "Certificates"),
            Message("Flow_MsgKofu", "Activity_KokuhoKofu", "Participant_Todokenin", "資格確認書等",
                    "Eligibility papers"),
            Message("Flow_MsgYuso", "Activity_Yuso", "Participant_Todokenin", "資格確認書等（郵送）",
                    "Eligibility papers by post"),
        ),
        comment="国民健康保険の加入・喪失。数値は人口約20万人の市を想定した例示で、業務量調査票 survey.xlsx にあ"
                "ります。"
                "scripts/build_flows.py で生成。",
    )
