"""転居届・世帯変更届 (counter-procedures.md §3): the 転入 skeleton without Juki-net; facts in the workbook."""

from __future__ import annotations

from flowgen.procedures.common import (
    IDO_COUNTER,
    JUKI,
    MOVES_PEAK,
    PART_TIME,
    REGULAR,
    SHIMIN,
    estimate,
    peak,
)
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Volume

ANNUAL = 5000


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_Tenkyo", "転居届・世帯変更届", "Change of address and of household", carry="survey",
        doc="市内での転居届（住民基本台帳法第23条）と世帯変更届（世帯分離・合併・世帯主変更、同第25条）。",
    )
    front = p.lane("Lane_Madoguchi", *IDO_COUNTER, doc="住民異動の窓口（転入・転出・転居・印鑑登録で共通）。")
    exam = p.lane("Lane_Shinsa", "審査・入力担当", "Examination and data entry")
    chief = p.lane("Lane_Kakaricho", "係長（決裁）", "Chief (approval)")
    system = p.lane("Lane_Juki", "住基システム", "Resident register system")

    p.start("Event_TenkyoStart", "転居届・世帯変更届 提出", "Notification submitted", front)
    p.gateway("Gateway_TenkyoJuryoMerge", front)
    p.task("Activity_TenkyoTodokeJuryo", "manualTask", "届書受領", "Receive the form", front,
           "異動届と本人確認書類を受け取り、受付番号を発行する。", minutes=3, input="紙", judgment=False,
           legal=False, staff=PART_TIME, src=("S4",))
    p.task("Activity_TenkyoHoninKakunin", "businessRuleTask", "本人確認", "Identity check", front,
           "本人確認書類で届出人を確認し、代理人の場合は委任状を形式的に確認する。", minutes=2, input="紙",
           judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_TenkyoShurui", exam, "届出の種類?", "Kind of notification?", default="Flow_Tenkyo")
    p.task("Activity_TenkyoShinsa", "userTask", "記載内容審査（転居）", "Examine the move", exam,
           "新住所の実在、転居日、一緒に移る世帯員の記載を審査する。", minutes=3, input="紙",
           systems="住基システム", judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_SetaiShinsa", "userTask", "世帯の実態審査", "Examine the household", exam,
           "世帯分離・合併・世帯主変更について、生計を同一にしているかを聴き取りと資料で審査する。", minutes=8,
           input="紙", systems="住基システム", judgment=True, legal=True, staff=REGULAR, src=("S19",),
           note="生計の同一性の判断を含む（§3）。")
    p.gateway("Gateway_TenkyoShuruiMerge", exam)
    p.gateway("Gateway_TenkyoFubi", exam, "不備・疑義あり?", "Incomplete or doubtful?", default="Flow_TenkyoFubiNashi")
    p.task("Activity_TenkyoHosei", "manualTask", "補正依頼", "Ask for correction", front,
           "不備や疑義の点を届出人に説明し、届書の補正や資料の追加を依頼する。", minutes=5, input="紙",
           judgment=False, legal=False, staff=PART_TIME)
    p.task("Activity_TenkyoJukiNyuryoku", "userTask", "住基システム入力", "Enter into the register system", exam,
           "審査済みの届書から住基システムに異動内容を入力する。", minutes=6, input="紙", systems="住基システム",
           judgment=False, legal=False, staff=PART_TIME, src=("S8",))
    p.task("Activity_TenkyoShogoKessai", "userTask", "照合・決裁", "Verify and approve", chief,
           "入力内容を届書と照合し、異動を決裁する。", minutes=2, input="電子", systems="住基システム",
           judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_TenkyoJuminhyoKisai", "serviceTask", "住民票記載・CS更新", "Record and update the CS", system,
           "決裁された異動を住民票に記載し、CSを更新する。", input="電子", systems="住基システム・CS",
           judgment=False, legal=False)
    p.gateway("Gateway_Renraku", exam, "国保・学区に影響?", "Affects NHI or school?", default="Flow_RenrakuFuyo")
    p.task("Activity_TenkyoRenraku", "sendTask", "関係課へ異動連絡", "Notify related sections", exam,
           "国保の被保険者証等の住所変更や学区の変更を、関係課（国保年金課・教育委員会）へ連絡する。", minutes=2,
           input="電子", systems="住基システム", judgment=False, legal=False, staff=PART_TIME, src=("S10",))
    p.gateway("Gateway_RenrakuMerge", exam)
    p.gateway("Gateway_TenkyoCard", front, "カードの住所変更あり?", "Card address to update?",
              default="Flow_TenkyoCardNashi")
    p.task("Activity_KenmenHenko", "userTask", "カード券面記載事項変更", "Update the card surface", front,
           "マイナンバーカードの追記欄に新住所を記載し、券面事項を更新する（暗証番号は本人が入力）。", minutes=3,
           input="電子", systems="住基システム・J-LIS端末", judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_TenkyoCardMerge", front)
    p.end("Event_TenkyoEnd", "手続完了", "Done", front)

    p.seq("Event_TenkyoStart", "Gateway_TenkyoJuryoMerge", "Activity_TenkyoTodokeJuryo", "Activity_TenkyoHoninKakunin",
          "Gateway_TenkyoShurui")
    p.branch("Flow_Tenkyo", "Gateway_TenkyoShurui", "Activity_TenkyoShinsa", "転居", "Change of address")
    p.branch("Flow_Setai", "Gateway_TenkyoShurui", "Activity_SetaiShinsa", "世帯変更", "Household change",
             condition="${種類 == '世帯変更'}", probability=0.2, src=("S19",), note="転居4,000件・世帯変更1,000"
                                                                                    "件と推計。")
    p.seq("Activity_TenkyoShinsa", "Gateway_TenkyoShuruiMerge")
    p.seq("Activity_SetaiShinsa", "Gateway_TenkyoShuruiMerge", "Gateway_TenkyoFubi")
    p.branch("Flow_TenkyoFubiAri", "Gateway_TenkyoFubi", "Activity_TenkyoHosei", "あり", "Yes",
             condition="${不備または疑義}",
             probability=0.08, note="8%と仮定。")
    p.branch("Flow_TenkyoFubiNashi", "Gateway_TenkyoFubi", "Activity_TenkyoJukiNyuryoku", "なし", "No")
    p.seq("Activity_TenkyoHosei", "Gateway_TenkyoJuryoMerge")
    p.seq("Activity_TenkyoJukiNyuryoku", "Activity_TenkyoShogoKessai", "Activity_TenkyoJuminhyoKisai",
          "Gateway_Renraku")
    p.branch("Flow_RenrakuYo", "Gateway_Renraku", "Activity_TenkyoRenraku", "あり", "Yes",
             condition="${関係課への影響}",
             probability=0.35, note="国保世帯または学齢児のいる世帯を35%と仮定。")
    p.branch("Flow_RenrakuFuyo", "Gateway_Renraku", "Gateway_RenrakuMerge", "なし", "No")
    p.seq("Activity_TenkyoRenraku", "Gateway_RenrakuMerge", "Gateway_TenkyoCard")
    p.branch("Flow_TenkyoCardAri", "Gateway_TenkyoCard", "Activity_KenmenHenko", "あり", "Yes",
             condition="${カードあり}",
             probability=0.7, note="カード保有率70%と仮定。")
    p.branch("Flow_TenkyoCardNashi", "Gateway_TenkyoCard", "Gateway_TenkyoCardMerge", "なし", "No")
    p.seq("Activity_KenmenHenko", "Gateway_TenkyoCardMerge", "Event_TenkyoEnd")

    march, april = peak(ANNUAL, MOVES_PEAK)
    volume = Volume(ANNUAL, march, april, SHIMIN, JUKI, estimate(
        "S19", note="転居3,000〜5,000件の中間4,000件と世帯変更500〜1,500件の中間1,000件（§3）。3月2倍・4月1.7倍"
                    "と仮定。"))
    process = p.build(volume, SheetPlan(ids=False))
    return FileSpec(
        "flows/tenkyo.bpmn", "Definitions_0tenkyo", "Collaboration_0tenkyo",
        (
            Pool("Participant_Todokenin", "届出人（世帯主・世帯員）", "Notifier (household)"),
            Pool("Participant_Shiminka", "市民課 住民記録係", "Citizens Division, Resident Records", process),
            Pool("Participant_Kankeika", "関係課（国保年金課・教育委員会）", "Related sections (NHI, education board)"),
        ),
        (
            Message("Flow_MsgTodoke", "Participant_Todokenin", "Event_TenkyoStart", "異動届・本人確認書類",
                    "Form and ID"),
            Message("Flow_MsgHosei", "Activity_TenkyoHosei", "Participant_Todokenin", "補正依頼", "Ask for correction"),
            Message("Flow_MsgRenraku", "Activity_TenkyoRenraku", "Participant_Kankeika", "異動連絡", "Change notice"),
        ),
        comment="転居届・世帯変更届。数値は人口約20万人の市を想定した例示で、業務量調査票 survey.xlsx にあります。"
                "scripts/build_flows.py で生成。",
    )
