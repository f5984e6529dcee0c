"""転出届 (counter-procedures.md §2): counter, mail and マイナポータル as three ways in; facts in the workbook."""

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

ANNUAL = 5200


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_Tenshutsu", "転出届", "Moving-out notification", carry="survey",
        doc="転出届（住民基本台帳法第24条）。窓口・郵送・マイナポータル（2023年2月から）の3経路で受け付ける。",
    )
    front = p.lane("Lane_Madoguchi", *IDO_COUNTER, doc="住民異動の窓口（転入・転出・転居・印鑑登録で共通）。")
    exam = p.lane("Lane_Shinsa", "審査・入力担当", "Examination and data entry")
    chief = p.lane("Lane_Kakaricho", "係長（決裁）", "Chief (approval)")
    online = p.lane("Lane_Online", "電子申請受付（マイナポータル連携）", "e-application intake (Mynaportal)")
    system = p.lane("Lane_Juki", "住基システム", "Resident register system")
    net = p.lane("Lane_JukiNet", "住基ネット・J-LIS", "Juki-net / J-LIS")

    p.start("Event_MadoguchiStart", "窓口で届出", "Filed at the counter", front)
    p.start("Event_YusoStart", "郵送で届出", "Filed by post", exam)
    p.start("Event_OnlineStart", "マイナポータルで届出", "Filed on Mynaportal", online)
    p.share("Event_MadoguchiStart", 0.75, estimate("S17", note="窓口75%・郵送5%・オンライン20%と仮定。"))
    p.share("Event_YusoStart", 0.05, estimate("S17", note="窓口75%・郵送5%・オンライン20%と仮定。"))
    p.share("Event_OnlineStart", 0.20, estimate("S17", "S18", note="窓口75%・郵送5%・オンライン20%と仮定。"))
    p.task("Activity_TenshutsuTodokeJuryo", "manualTask", "届書受領", "Receive the form", front,
           "転出届（異動届）と本人確認書類を受け取り、受付番号を発行する。", minutes=3, input="紙", judgment=False,
           legal=False, staff=PART_TIME, src=("S4",))
    p.task("Activity_TenshutsuHoninKakunin", "businessRuleTask", "本人確認", "Identity check", front,
           "本人確認書類で届出人を確認し、代理人の場合は委任状を形式的に確認する。", minutes=2, input="紙",
           judgment=False, legal=False, staff=PART_TIME)
    p.task("Activity_TenshutsuKaifu", "manualTask", "開封・受付登録", "Open and log the letter", exam,
           "郵送の転出届を開封し、受付簿に登録する。", minutes=3, input="紙", judgment=False, legal=False,
           staff=PART_TIME, src=("S25",))
    p.task("Activity_YusoKakunin", "businessRuleTask", "郵送書類の確認", "Check the posted papers", exam,
           "本人確認書類の写し・返信用封筒・届出内容がそろっているかを確認する。", minutes=3, input="紙",
           judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_Jikangai", online, "開庁時間外の申請?", "Filed out of hours?", default="Flow_Jikannai")
    p.catch("Event_TenshutsuYokuKaichobi", "翌開庁日", "Next business day", online, trigger="timer",
            timer=("timeDate", "${翌開庁日}"))
    p.gateway("Gateway_JikanMerge", online)
    p.task("Activity_DataTorikomi", "serviceTask", "申請データ取込", "Import the application data", online,
           "マイナポータルの転出届データを電子申請受付システムに取り込む（到着まで最大2時間程度）。", input="電子",
           systems="電子申請受付システム", judgment=False, legal=False, src=("S17",))
    p.task("Activity_OnlineKakunin", "userTask", "オンライン申請内容確認", "Check the online application", exam,
           "取り込んだ申請データと署名検証の結果を確認し、住基システムへの転記に備える。", minutes=5, input="電子",
           systems="電子申請受付システム", judgment=False, legal=False, staff=PART_TIME, src=("S18",),
           note="つくば市はオンライン受付・開封確認・入力を別の担当に分けた（S18）。")
    p.gateway("Gateway_UketsukeMerge", exam)
    p.task("Activity_TenshutsuKisaiShinsa", "userTask", "記載内容審査", "Examine the entries", exam,
           "転出予定日・転出先・世帯員の記載と、国保・印鑑登録など付随する手続の有無を審査する。", minutes=4,
           input="混在", systems="住基システム", judgment=True, legal=True, staff=REGULAR)
    p.gateway("Gateway_TenshutsuFubi", exam, "記載不備あり?", "Incomplete form?", default="Flow_TenshutsuFubiNashi")
    p.task("Activity_TenshutsuHosei", "userTask", "補正依頼（電話・窓口）", "Ask for correction", exam,
           "不備の箇所を届出人に電話または窓口で伝え、補正してもらう。", minutes=8, input="混在", judgment=False,
           legal=False, staff=REGULAR)
    p.task("Activity_TenshutsuJukiNyuryoku", "userTask", "住基システム入力", "Enter into the register system", exam,
           "転出の異動を住基システムに入力する。", minutes=6, input="混在", systems="住基システム", judgment=False,
           legal=False, staff=PART_TIME, src=("S8",))
    p.task("Activity_TenshutsuShogoKessai", "userTask", "照合・決裁", "Verify and approve", chief,
           "入力内容を届出と照合し、転出を決裁する。", minutes=2, input="電子", systems="住基システム",
           judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_Shojo", "serviceTask", "住民票消除・CS更新", "Remove the record and update the CS", system,
           "住民票を消除（転出予定）し、CSを更新する。", input="電子", systems="住基システム・CS", judgment=False,
           legal=False)
    p.gateway("Gateway_Tokurei", exam, "特例転出?", "Card-based move-out?", default="Flow_Tsujo")
    p.task("Activity_TokureiTsuchi", "sendTask", "転出証明書情報の送信", "Send move-out data", net,
           "特例転出（マイナンバーカード利用）で、転出証明書情報を住基ネット経由で転入予定地へ送る。", input="電子",
           systems="住基ネット・CS", judgment=False, legal=False, src=("S16",))
    p.task("Activity_ShomeishoSakusei", "userTask", "転出証明書の作成", "Print the move-out certificate", exam,
           "転出証明書を出力し、届出内容と照合する。", minutes=2, input="電子", systems="住基システム",
           judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_TenshutsuUketori", exam, "郵送による届出?", "Filed by post?",
              default="Flow_TenshutsuUketoriMadoguchi")
    p.task("Activity_ShomeishoYuso", "sendTask", "転出証明書の郵送", "Post the certificate", exam,
           "転出証明書を返信用封筒で届出人に郵送する。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.task("Activity_ShomeishoKofu", "manualTask", "転出証明書の交付", "Hand over the certificate", front,
           "窓口で転出証明書を手渡し、転入先での手続を案内する。", minutes=1, input="紙", judgment=False,
           legal=False, staff=PART_TIME)
    p.gateway("Gateway_TenshutsuUketoriMerge", exam)
    p.gateway("Gateway_TokureiMerge", exam)
    p.task("Activity_TenshutsuRenraku", "sendTask", "関係課へ異動連絡（国保・印鑑登録廃止）", "Notify related sections",
           exam,
           "国保の資格喪失、印鑑登録の廃止など関係課へ転出を連絡する。", minutes=2, input="電子",
           systems="住基システム", judgment=False, legal=False, staff=PART_TIME, src=("S10",))
    p.end("Event_TenshutsuEnd", "転出手続完了", "Moving-out done", exam)

    p.seq("Event_MadoguchiStart", "Activity_TenshutsuTodokeJuryo", "Activity_TenshutsuHoninKakunin",
          "Gateway_UketsukeMerge")
    p.seq("Event_YusoStart", "Activity_TenshutsuKaifu", "Activity_YusoKakunin", "Gateway_UketsukeMerge")
    p.seq("Event_OnlineStart", "Gateway_Jikangai")
    p.branch("Flow_Jikangai", "Gateway_Jikangai", "Event_TenshutsuYokuKaichobi", "時間外", "Out of hours",
             condition="${時間外}", probability=0.4, src=("S17",), note="夜間・休日の申請を4割と仮定。")
    p.branch("Flow_Jikannai", "Gateway_Jikangai", "Gateway_JikanMerge", "時間内", "In hours")
    p.seq("Event_TenshutsuYokuKaichobi", "Gateway_JikanMerge", "Activity_DataTorikomi", "Activity_OnlineKakunin",
          "Gateway_UketsukeMerge")
    p.seq("Gateway_UketsukeMerge", "Activity_TenshutsuKisaiShinsa", "Gateway_TenshutsuFubi")
    p.branch("Flow_TenshutsuFubiAri", "Gateway_TenshutsuFubi", "Activity_TenshutsuHosei", "あり", "Yes",
             condition="${記載不備あり}",
             probability=0.08, note="8%と仮定。")
    p.branch("Flow_TenshutsuFubiNashi", "Gateway_TenshutsuFubi", "Activity_TenshutsuJukiNyuryoku", "なし", "No")
    p.seq("Activity_TenshutsuHosei", "Gateway_UketsukeMerge")
    p.seq("Activity_TenshutsuJukiNyuryoku", "Activity_TenshutsuShogoKessai", "Activity_Shojo", "Gateway_Tokurei")
    p.branch("Flow_Tokurei", "Gateway_Tokurei", "Activity_TokureiTsuchi", "特例転出", "Card-based",
             condition="${特例転出}", probability=0.58, src=("S16",),
             note="オンライン20%は全件、窓口・郵送の半数が特例転出と仮定（0.2＋0.8×0.5≒0.58）。")
    p.branch("Flow_Tsujo", "Gateway_Tokurei", "Activity_ShomeishoSakusei", "転出証明書", "Paper certificate")
    p.seq("Activity_ShomeishoSakusei", "Gateway_TenshutsuUketori")
    p.branch("Flow_TenshutsuUketoriYuso", "Gateway_TenshutsuUketori", "Activity_ShomeishoYuso", "郵送", "By post",
             condition="${郵送}", probability=0.12, note="紙の転出証明書のうち郵送届出の分（0.05÷0.42≒0.12）。")
    p.branch("Flow_TenshutsuUketoriMadoguchi", "Gateway_TenshutsuUketori", "Activity_ShomeishoKofu", "窓口",
             "At the counter")
    p.seq("Activity_ShomeishoYuso", "Gateway_TenshutsuUketoriMerge")
    p.seq("Activity_ShomeishoKofu", "Gateway_TenshutsuUketoriMerge", "Gateway_TokureiMerge")
    p.seq("Activity_TokureiTsuchi", "Gateway_TokureiMerge", "Activity_TenshutsuRenraku", "Event_TenshutsuEnd")

    march, april = peak(ANNUAL, MOVES_PEAK)
    volume = Volume(ANNUAL, march, april, SHIMIN, JUKI, estimate(
        "S12", note="転入届と同じ按分（市区町村間移動の人口比約3.9%、1届1.5人）。3月2倍・4月1.7倍と仮定。"))
    sheet = SheetPlan(ids=True, overrides=(("Process_Tenshutsu", (("annual_count", "５，２００"),)),))
    process = p.build(volume, sheet)
    return FileSpec(
        "flows/tenshutsu.bpmn", "Definitions_0tenshutsu", "Collaboration_0tenshutsu",
        (
            Pool("Participant_Todokenin", "届出人（転出者）", "Notifier (person moving out)"),
            Pool("Participant_Shiminka", "市民課 住民記録係", "Citizens Division, Resident Records", process),
            Pool("Participant_TennyuYotei", "転入予定地市区町村（住基ネット）", "New municipality (Juki-net)"),
        ),
        (
            Message("Flow_MsgMadoguchi", "Participant_Todokenin", "Event_MadoguchiStart"),
            Message("Flow_MsgYuso", "Participant_Todokenin", "Event_YusoStart"),
            Message("Flow_MsgOnline", "Participant_Todokenin", "Event_OnlineStart"),
            Message("Flow_MsgHosei", "Activity_TenshutsuHosei", "Participant_Todokenin", "補正の連絡",
                    "Correction request"),
            Message("Flow_MsgTokurei", "Activity_TokureiTsuchi", "Participant_TennyuYotei", "転出証明書情報",
                    "Move-out data"),
            Message("Flow_MsgYusoShomei", "Activity_ShomeishoYuso", "Participant_Todokenin", "転出証明書（郵送）",
                    "Certificate by post"),
            Message("Flow_MsgKofuShomei", "Activity_ShomeishoKofu", "Participant_Todokenin", "転出証明書",
                    "Paper certificate"),
        ),
        comment="転出届（窓口・郵送・オンライン）。数値は人口約20万人の市を想定した例示で、業務量調査票 survey.x"
                "lsx にあります。"
                "scripts/build_flows.py で生成。",
    )
