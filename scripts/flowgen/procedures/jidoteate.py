"""児童手当 認定請求 (counter-procedures.md §13): facts in the workbook, one row with a stale element id."""

from __future__ import annotations

from flowgen.procedures.common import MOVES_PEAK, PART_TIME, REGULAR, estimate, peak
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Volume

ANNUAL = 2300
FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_JidoTeate", "児童手当 認定請求", "Child allowance claim", carry="survey",
        doc="児童手当の認定請求の受付から認定（行政処分）・通知まで。2024年10月の制度改正後（所得制限なし・高校生年代まで）。",
    )
    desk = p.lane("Lane_Madoguchi", "こども窓口（受付）", "Children's counter")
    exam = p.lane("Lane_Shinsa", "審査・認定担当", "Examination")
    chief = p.lane("Lane_Kessai", "係長（決裁）", "Chief (approval)")
    system = p.lane("Lane_System", "児童手当システム", "Child allowance system")
    p.start("Event_JidoteateStart", "認定請求書の提出", "Claim submitted", desk)
    p.task("Activity_JidoteateJuryo", "manualTask", "請求書受領", "Receive the request", desk,
           "認定請求書を受け取り、受付印を押す（受付日が支給開始月を決める）。", minutes=3, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S58",))
    p.task("Activity_Kakunin", "businessRuleTask", "本人確認・添付書類確認", "Check identity and attachments", desk,
           "請求者の本人確認と、口座・別居監護の申立書など添付書類の有無を確認する。", minutes=3, input="紙",
           judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_Shorui", desk, "書類がそろっている?", "Papers complete?", default="Flow_ShoruiAri")
    p.task("Activity_FusokuIrai", "sendTask", "不足書類の提出依頼", "Ask for missing papers", desk,
           "不足する書類と提出期限を請求者に伝える。", minutes=3, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.task("Activity_JidoteateFusokuJuryo", "receiveTask", "不足書類の受領", "Receive the missing papers", desk,
           "後日提出された書類を受け取り、請求書と合わせる。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.boundary("Event_JidoteateKigen", "1か月経過", "One month passed", "Activity_JidoteateFusokuJuryo",
               trigger="timer",
               timer=("timeDuration", "P1M"), probability=0.05,
               evidence=estimate(note="5%で期限までに届かないと仮定。"))
    p.task("Activity_JidoteateTorisage", "userTask", "請求の取下げ確認", "Confirm withdrawal", exam,
           "書類が届かない請求について請求者に意思を確認し、取下げとして処理する。", minutes=10, input="紙",
           judgment=False, legal=False, staff=REGULAR)
    p.end("Event_Torisage", "取下げ", "Withdrawn", exam)
    p.gateway("Gateway_ShoruiMerge", desk)
    p.task("Activity_Seikei", "businessRuleTask", "監護・生計関係の確認", "Check custody and support", exam,
           "請求者が児童を監護し生計を同じくしているか、生計中心者（所得の高い方）かを確認する。", minutes=8,
           input="紙", systems="児童手当システム", judgment=True, staff=REGULAR, src=("S58",))
    p.task("Activity_Shinsa", "userTask", "受給資格審査", "Examine eligibility", exam,
           "住所・監護・生計の確認結果から受給資格を審査する。", minutes=8, input="紙", systems="児童手当システム",
           judgment=True, legal=True, staff=REGULAR)
    p.gateway("Gateway_Nintei", exam, "認定できる?", "Can it be granted?", default="Flow_Nintei")
    p.task("Activity_Kyakka", "userTask", "却下決定", "Decide to reject", chief,
           "受給資格がない請求を却下と決定し、理由と教示を記した通知書を作成する。", minutes=20, input="紙",
           judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_KyakkaTsuchi", "sendTask", "却下通知書の送付", "Post the rejection", exam,
           "却下通知書を請求者に郵送する。", minutes=5, input="紙", judgment=False, legal=True, staff=PART_TIME,
           note="却下（行政処分）は通知で効力を生じるため、通知も処分の一部として職員が行う。")
    p.end("Event_Kyakka", "却下", "Rejected", exam)
    p.task("Activity_ShikyuKaishi", "businessRuleTask", "支給開始月の算定（15日特例）",
           "Work out the first month (15-day rule)", exam,
           "転入日・出生日の翌日から15日以内の請求は翌月分から支給するなど、規則に従って支給開始月を算定する。",
           minutes=2, input="紙", judgment=False, staff=REGULAR, src=("S58",))
    p.task("Activity_NinteiNyuryoku", "userTask", "認定入力", "Enter the award", exam,
           "児童手当システムに受給者・児童・口座・支給開始月を入力する。", minutes=5, input="紙",
           systems="児童手当システム", judgment=False, legal=False, staff=PART_TIME,
           legal_basis="認定・却下の判断は受給資格審査と認定決裁で職員が行い、この手順は決まった内容の入力だけ"
                       "（counter-procedures.md §13: 入力は R）")
    p.task("Activity_NinteiKessai", "userTask", "認定決裁", "Approve the award", chief,
           "入力内容を請求書と照合し、認定を決裁する。", minutes=3, input="電子", systems="児童手当システム",
           judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_TsuchiSakusei", "serviceTask", "認定通知書の作成", "Print the award notice", system,
           "児童手当システムが認定通知書を作成する。", input="電子", systems="児童手当システム", judgment=False,
           legal=False)
    p.task("Activity_JidoteateTsuchiSofu", "sendTask", "認定通知書の送付", "Post the award notice", exam,
           "認定通知書を封入し、請求者に郵送する。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.end("Event_Nintei", "認定", "Granted", exam)

    p.seq("Event_JidoteateStart", "Activity_JidoteateJuryo", "Activity_Kakunin", "Gateway_Shorui")
    p.branch("Flow_ShoruiNashi", "Gateway_Shorui", "Activity_FusokuIrai", "不足", "Missing",
             condition="${書類不足}", probability=0.2, note="2割と仮定。")
    p.branch("Flow_ShoruiAri", "Gateway_Shorui", "Gateway_ShoruiMerge", "そろっている", "Complete")
    p.seq("Activity_FusokuIrai", "Activity_JidoteateFusokuJuryo", "Gateway_ShoruiMerge")
    p.seq("Event_JidoteateKigen", "Activity_JidoteateTorisage", "Event_Torisage")
    p.seq("Gateway_ShoruiMerge", "Activity_Seikei", "Activity_Shinsa", "Gateway_Nintei")
    p.branch("Flow_Kyakka", "Gateway_Nintei", "Activity_Kyakka", "できない", "No", condition="${not 受給資格}",
             probability=0.02, note="2%と仮定。")
    p.branch("Flow_Nintei", "Gateway_Nintei", "Activity_ShikyuKaishi", "できる", "Yes")
    p.seq("Activity_Kyakka", "Activity_KyakkaTsuchi", "Event_Kyakka")
    p.seq("Activity_ShikyuKaishi", "Activity_NinteiNyuryoku", "Activity_NinteiKessai", "Activity_TsuchiSakusei",
          "Activity_JidoteateTsuchiSofu", "Event_Nintei")

    march, april = peak(ANNUAL, MOVES_PEAK)
    volume = Volume(ANNUAL, march, april, "こども家庭課", "児童手当係", estimate(
        "S58", "S59", note="出生と転入児童による通常の請求を年2,000〜2,500件と推計（2024年改正時の一時的な新規申"
                           "請は除く）。"
        "転入の多い3月2倍・4月1.7倍と仮定。"))
    sheet = SheetPlan(ids=True, overrides=(
        ("Activity_Seikei", (("step_id", "Activity_0k3m9qz"),)),
        ("Process_JidoTeate", (("march_count", f"{march:,}".translate(FULL_WIDTH)),)),
    ))
    process = p.build(volume, sheet)
    return FileSpec(
        "flows/jidoteate.bpmn", "Definitions_0jidoteate", "Collaboration_0jidoteate",
        (
            Pool("Participant_Seikyusha", "請求者（父母等）", "Claimant (parent)"),
            Pool("Participant_Kodomo", "こども家庭課 児童手当係", "Children and Families Division, Child allowance",
                 process),
        ),
        (
            Message("Flow_MsgSeikyu", "Participant_Seikyusha", "Event_JidoteateStart", "認定請求書", "Claim form"),
            Message("Flow_MsgIrai", "Activity_FusokuIrai", "Participant_Seikyusha", "不足書類の依頼",
                    "Papers requested"),
            Message("Flow_MsgFusoku", "Participant_Seikyusha", "Activity_JidoteateFusokuJuryo", "不足書類",
                    "Missing papers"),
            Message("Flow_MsgKyakka", "Activity_KyakkaTsuchi", "Participant_Seikyusha", "却下通知書",
                    "Rejection notice"),
            Message("Flow_MsgNintei", "Activity_JidoteateTsuchiSofu", "Participant_Seikyusha", "認定通知書",
                    "Award notice"),
        ),
        comment="児童手当の認定請求。数値は人口約20万人の市を想定した例示で、業務量調査票 survey.xlsx にあります。"
                "scripts/build_flows.py で生成。",
    )
