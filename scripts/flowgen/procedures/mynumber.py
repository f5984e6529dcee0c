"""マイナンバーカード交付・電子証明書更新 (counter-procedures.md §10): two processes; facts in the workbook."""

from __future__ import annotations

from flowgen.procedures.common import CONTRACTOR, PART_TIME, REGULAR, SHIMIN, estimate, peak
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, ProcessSpec, SheetPlan, Volume

CARDS = 10000
RENEWALS = 45000
SECTION = "マイナンバーカード担当"


def issuance() -> ProcessSpec:
    p = ProcessBuilder(
        "Process_CardKofu", "マイナンバーカード交付", "Issuing the My Number Card", carry="survey",
        doc="J-LIS から届いたカードの交付前設定、交付通知、来庁した申請者への交付まで（番号法、カード省令）。",
    )
    prep = p.lane("Lane_Itaku", "交付準備（委託事業者）", "Preparation (contractor)",
                  doc="交付前設定・通知書の発送・予約受付を委託している想定。")
    desk = p.lane("Lane_Kofu", "交付窓口（職員）", "Issuing counter (staff)")
    system = p.lane("Lane_CardSystem", "カード管理システム（J-LIS）", "Card management system (J-LIS)")
    p.start("Event_CardTochaku", "カード到着", "Cards arrive", prep)
    p.task("Activity_KofuMaeSettei", "userTask", "交付前設定", "Pre-issue setup", prep,
           "到着したカードを検品し、カード管理システムで交付前設定をする。", minutes=4, input="電子",
           systems="カード管理システム", judgment=False, legal=False, staff=CONTRACTOR, src=("S46",))
    p.task("Activity_MynumberTsuchiSofu", "sendTask", "交付通知書の送付", "Post the collection notice", prep,
           "交付通知書（兼照会書）を申請者に郵送する。", minutes=2, input="紙", judgment=False, legal=False,
           staff=CONTRACTOR, src=("S46",))
    p.gateway("Gateway_YoyakuMerge", prep)
    p.task("Activity_Yoyaku", "receiveTask", "来庁予約の受付", "Take the appointment", prep,
           "申請者からの来庁予約（電話・Web）を受け付ける。", minutes=2, input="電子", systems="予約システム",
           judgment=False, legal=False, staff=CONTRACTOR)
    p.boundary("Event_Mikofu", "3か月経過", "Three months passed", "Activity_Yoyaku", trigger="timer",
               timer=("timeDuration", "P3M"), probability=0.1,
               evidence=estimate("S46", note="通知後3か月で予約のない申請者を1割と仮定。"))
    p.task("Activity_Kansho", "sendTask", "受取勧奨通知の送付", "Post a reminder", prep,
           "カードを受け取りに来ていない申請者に受取勧奨の通知を送る。", minutes=3, input="紙", judgment=False,
           legal=False, staff=CONTRACTOR)
    p.task("Activity_MynumberHoninKakunin", "businessRuleTask", "本人確認", "Identity check", desk,
           "交付通知書と本人確認書類（写真付き1点、または写真なし2点）で本人を確認する。", minutes=3, input="紙",
           judgment=False, legal=False, staff=REGULAR, src=("S46",))
    p.gateway("Gateway_Dairi", desk, "代理人による受取?", "Collected by a proxy?", default="Flow_MynumberHonnin")
    p.task("Activity_DairiKahi", "userTask", "代理受取の可否判断", "Decide on proxy collection", desk,
           "来庁が困難な理由の証明書類と代理人の本人確認書類を審査し、代理受取を認めるか判断する。", minutes=10,
           input="紙", judgment=True, legal=True, staff=REGULAR, src=("S47",))
    p.gateway("Gateway_DairiKa", desk, "代理受取を認める?", "Proxy accepted?", default="Flow_DairiOK")
    p.task("Activity_HoninAnnai", "manualTask", "本人来庁の案内", "Ask the holder to come", desk,
           "代理受取を認めない理由を説明し、本人が来庁するよう案内する。", minutes=3, input="紙", judgment=True,
           legal=True, staff=REGULAR)
    p.end("Event_Horyu", "交付保留", "On hold", desk)
    p.gateway("Gateway_MynumberDairiMerge", desk)
    p.task("Activity_Anshobango", "manualTask", "暗証番号の設定", "Set the PINs", desk,
           "申請者本人（または法定代理人）が暗証番号を入力し、職員は立ち会う。", minutes=5, input="電子",
           systems="カード管理システム", judgment=False, legal=False, staff=REGULAR, src=("S46",))
    p.task("Activity_KofuShori", "serviceTask", "交付処理", "Record the issuance", system,
           "カード管理システムで交付済みとして記録し、電子証明書を有効にする。", input="電子",
           systems="カード管理システム", judgment=False, legal=False)
    p.task("Activity_CardKofu", "manualTask", "カードの交付・説明", "Hand over and explain", desk,
           "カードを交付し、電子証明書の有効期限や紛失時の連絡先を説明する。", minutes=5, input="紙",
           judgment=False, legal=False, staff=REGULAR)
    p.end("Event_MynumberKofuEnd", "交付完了", "Issued", desk)
    p.seq("Event_CardTochaku", "Activity_KofuMaeSettei", "Activity_MynumberTsuchiSofu", "Gateway_YoyakuMerge",
          "Activity_Yoyaku", "Activity_MynumberHoninKakunin", "Gateway_Dairi")
    p.seq("Event_Mikofu", "Activity_Kansho", "Gateway_YoyakuMerge")
    p.branch("Flow_Dairi", "Gateway_Dairi", "Activity_DairiKahi", "代理人", "Proxy", condition="${代理受取}",
             probability=0.05, src=("S47",), note="5%と仮定。")
    p.branch("Flow_MynumberHonnin", "Gateway_Dairi", "Gateway_MynumberDairiMerge", "本人", "In person")
    p.seq("Activity_DairiKahi", "Gateway_DairiKa")
    p.branch("Flow_DairiNG", "Gateway_DairiKa", "Activity_HoninAnnai", "認めない", "No",
             condition="${not 来庁困難}", probability=0.1, note="1割と仮定。")
    p.branch("Flow_DairiOK", "Gateway_DairiKa", "Gateway_MynumberDairiMerge", "認める", "Yes")
    p.seq("Activity_HoninAnnai", "Event_Horyu")
    p.seq("Gateway_MynumberDairiMerge", "Activity_Anshobango", "Activity_KofuShori", "Activity_CardKofu",
          "Event_MynumberKofuEnd")
    march, april = peak(CARDS, (1.2, 1.2))
    return p.build(Volume(CARDS, march, april, SHIMIN, SECTION, estimate(
        "S46", note="新規・再交付・有効期限による更新を合わせ人口の5%／年と仮定（公的な件数の出典は未確認）。")),
        SheetPlan(ids=True))


def renewal() -> ProcessSpec:
    p = ProcessBuilder(
        "Process_DenshiKoshin", "電子証明書更新", "Renewing the card's e-certificates", carry="survey",
        doc="マイナンバーカードの電子証明書の更新（窓口のみ・即日）。有効期限通知書を持って来庁する。",
    )
    desk = p.lane("Lane_KoshinMadoguchi", "更新窓口（受付）", "Renewal counter")
    exam = p.lane("Lane_KoshinShinsa", "審査担当（職員）", "Examiner (staff)",
                  doc="本人確認に疑義があるとき、更新の可否を判断する職員。")
    system = p.lane("Lane_KoshinSystem", "カード管理システム（J-LIS）", "Card management system (J-LIS)")
    p.start("Event_KoshinStart", "更新の来庁", "Holder comes in", desk)
    p.task("Activity_KoshinUketsuke", "manualTask", "受付（カード・通知書）", "Receive card and notice", desk,
           "マイナンバーカードと有効期限通知書を受け取り、受付票を作成する。", minutes=2, input="紙",
           judgment=False, legal=False, staff=PART_TIME, src=("S49",))
    p.task("Activity_KoshinHonin", "businessRuleTask", "本人確認", "Identity check", desk,
           "カードの顔写真と本人を照合する。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME, src=("S49",))
    p.gateway("Gateway_KoshinGigi", desk, "本人確認に疑義あり?", "Identity in doubt?", default="Flow_KoshinKakunin")
    p.task("Activity_KoshinKahi", "userTask", "更新可否の判断", "Decide whether to renew", exam,
           "顔写真と本人が一致しない、書類に不審な点があるなどの場合に、追加の確認をして更新の可否を判断する。",
           minutes=10, input="紙", judgment=True, legal=True, staff=REGULAR, src=("S46",))
    p.gateway("Gateway_KoshinKa", exam, "更新できる?", "Can renew?", default="Flow_KoshinKa")
    p.task("Activity_KoshinFukaAnnai", "manualTask", "更新できない理由の説明", "Explain the refusal", exam,
           "更新できない理由と、必要な書類を持って再度来庁するよう説明する。", minutes=5, input="紙",
           judgment=True, legal=True, staff=REGULAR)
    p.end("Event_KoshinFuka", "更新見送り", "Not renewed", exam)
    p.gateway("Gateway_KoshinKakuninMerge", desk)
    p.gateway("Gateway_Pin", desk, "暗証番号を忘れた?", "PIN forgotten?", default="Flow_PinOK")
    p.task("Activity_PinSaisettei", "userTask", "暗証番号の再設定", "Reset the PIN", desk,
           "本人確認のうえ、暗証番号の初期化と再設定を行う。", minutes=5, input="電子", systems="カード管理システム",
           judgment=False, legal=False, staff=PART_TIME)
    p.gateway("Gateway_PinMerge", desk)
    p.task("Activity_PinNyuryoku", "manualTask", "暗証番号の入力（本人）", "Holder enters the PIN", desk,
           "申請者本人が端末で暗証番号を入力する（職員は操作しない）。", minutes=2, input="電子", judgment=False,
           legal=False, staff=PART_TIME)
    p.gateway("Gateway_HakkoMerge", desk)
    p.task("Activity_Hakko", "serviceTask", "電子証明書の発行・書込", "Issue and write the certificate", system,
           "J-LIS の認証局で新しい電子証明書を発行し、ICチップに書き込む。", input="電子",
           systems="カード管理システム・J-LIS 認証局", judgment=False, legal=False, src=("S49", "S50"))
    p.boundary("Event_HakkoError", "発行エラー", "Issuing error", "Activity_Hakko", trigger="error",
               error_code="HAKKO_ERROR", probability=0.01, evidence=estimate(note="1%と仮定。"))
    p.task("Activity_Shogai", "userTask", "障害連絡・再発行", "Report and retry", desk,
           "J-LIS のサポートセンターに障害を連絡し、指示に従って再発行の手続をする。", minutes=15, input="電子",
           systems="カード管理システム", judgment=False, legal=False, staff=REGULAR)
    p.task("Activity_KoshinKanryo", "manualTask", "完了の説明・カード返却", "Explain and return the card", desk,
           "新しい有効期限を伝え、カードを返却する。", minutes=2, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.end("Event_KoshinEnd", "更新完了", "Renewed", desk)
    p.seq("Event_KoshinStart", "Activity_KoshinUketsuke", "Activity_KoshinHonin", "Gateway_KoshinGigi")
    p.branch("Flow_KoshinGigi", "Gateway_KoshinGigi", "Activity_KoshinKahi", "疑義あり", "Doubtful",
             condition="${本人確認に疑義}", probability=0.01, src=("S46",), note="1%と仮定。")
    p.branch("Flow_KoshinKakunin", "Gateway_KoshinGigi", "Gateway_KoshinKakuninMerge", "確認できた", "Confirmed")
    p.seq("Activity_KoshinKahi", "Gateway_KoshinKa")
    p.branch("Flow_KoshinFuka", "Gateway_KoshinKa", "Activity_KoshinFukaAnnai", "できない", "No",
             condition="${not 本人と確認}", probability=0.2, note="疑義のうち2割で更新を見送ると仮定。")
    p.branch("Flow_KoshinKa", "Gateway_KoshinKa", "Gateway_KoshinKakuninMerge", "できる", "Yes")
    p.seq("Activity_KoshinFukaAnnai", "Event_KoshinFuka")
    p.seq("Gateway_KoshinKakuninMerge", "Gateway_Pin")
    p.branch("Flow_PinWasure", "Gateway_Pin", "Activity_PinSaisettei", "忘れた", "Forgotten",
             condition="${暗証番号を忘れた}", probability=0.1, src=("S49",), note="1割と仮定。")
    p.branch("Flow_PinOK", "Gateway_Pin", "Gateway_PinMerge", "覚えている", "Known")
    p.seq("Activity_PinSaisettei", "Gateway_PinMerge", "Activity_PinNyuryoku", "Gateway_HakkoMerge",
          "Activity_Hakko", "Activity_KoshinKanryo", "Event_KoshinEnd")
    p.seq("Event_HakkoError", "Activity_Shogai", "Gateway_HakkoMerge")
    march, april = peak(RENEWALS, (1.0, 1.0))
    return p.build(Volume(RENEWALS, march, april, SHIMIN, SECTION, estimate(
        "S50", note="2025年の全国の更新対象2,768万人（人口の約22%）を人口20万人に当てはめ約45,000件。"
        "期限は年間に分散するため3・4月も月平均並みと仮定。")), SheetPlan(ids=False))


def spec() -> FileSpec:
    return FileSpec(
        "flows/mynumber.bpmn", "Definitions_0mynumber", "Collaboration_0mynumber",
        (
            Pool("Participant_JLIS", "地方公共団体情報システム機構（J-LIS）", "J-LIS"),
            Pool("Participant_Kofu", "市民課 マイナンバーカード担当（交付）", "Citizens Division, card issuance",
                 issuance()),
            Pool("Participant_Shinseisha", "申請者（カード保有者）", "Applicant (card holder)"),
            Pool("Participant_Koshin", "市民課 マイナンバーカード担当（更新）", "Citizens Division, card renewal",
                 renewal()),
        ),
        (
            Message("Flow_MsgCard", "Participant_JLIS", "Event_CardTochaku", "カード", "Cards"),
            Message("Flow_MsgTsuchi", "Activity_MynumberTsuchiSofu", "Participant_Shinseisha", "交付通知書",
                    "Collection notice"),
            Message("Flow_MsgYoyaku", "Participant_Shinseisha", "Activity_Yoyaku", "来庁予約", "Appointment"),
            Message("Flow_MsgKansho", "Activity_Kansho", "Participant_Shinseisha", "受取勧奨", "Reminder"),
            Message("Flow_MsgCardKofu", "Activity_CardKofu", "Participant_Shinseisha", "マイナンバーカード",
                    "My Number Card"),
            Message("Flow_MsgKoshin", "Participant_Shinseisha", "Event_KoshinStart", "カード・有効期限通知書",
                    "Card and expiry notice"),
            Message("Flow_MsgKanryo", "Activity_KoshinKanryo", "Participant_Shinseisha", "更新済みのカード",
                    "Renewed card"),
        ),
        views=(("Participant_JLIS", "Participant_Kofu", "Participant_Shinseisha"),
               ("Participant_Shinseisha", "Participant_Koshin")),
        comment="マイナンバーカードの交付と電子証明書の更新。数値は人口約20万人の市を想定した例示で、業務量調査"
                "票 survey.xlsx にあります。"
                "scripts/build_flows.py で生成。",
    )
