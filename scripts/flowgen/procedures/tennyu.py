"""転入届 (counter-procedures.md §1): facts carried as BPMN properties."""

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
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Spacing, Volume

ANNUAL = 5200


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_Tennyu", "転入届", "Moving-in notification",
        doc="転入届（住民基本台帳法第22条、転入から14日以内）の受付から住民票の記載、転出地への通知、関係課への連絡まで。",
        carry="bpmn",
    )
    front = p.lane("Lane_Madoguchi", *IDO_COUNTER, doc="住民異動の窓口（転入・転出・転居・印鑑登録で共通）。")
    exam = p.lane("Lane_Shinsa", "審査・入力担当", "Examination and data entry")
    chief = p.lane("Lane_Kakaricho", "係長（決裁）", "Chief (approval)")
    system = p.lane("Lane_Juki", "住基システム", "Resident register system")
    net = p.lane("Lane_JukiNet", "住基ネット・J-LIS", "Juki-net / J-LIS")

    p.start("Event_TennyuStart", "転入届 提出", "Notification submitted", front)
    p.gateway("Gateway_TennyuJuryoMerge", front)
    p.task("Activity_TennyuTodokeJuryo", "manualTask", "届書受領", "Receive the form", front,
           "転入届（異動届）・転出証明書・本人確認書類を受け取り、受付番号を発行する。",
           minutes=3, input="紙", judgment=False, staff=PART_TIME, src=("S4", "S20"),
           note="受付1件あたり。書かない窓口では短縮（S9）。")
    p.task("Activity_TennyuHoninKakunin", "businessRuleTask", "本人確認", "Identity check", front,
           "運転免許証等で届出人を確認し、代理人の場合は委任状で代理権を形式的に確認する。",
           minutes=2, input="紙", judgment=False, staff=PART_TIME, src=("S4",))
    p.gateway("Gateway_Kubun", exam, "転入の区分?", "Kind of moving-in?", default="Flow_KubunShomeisho")
    p.gateway("Gateway_JohoMerge", net)
    p.task("Activity_TenshutsuJoho", "receiveTask", "転出証明書情報受信", "Receive move-out data", net,
           "特例転入（マイナンバーカード利用）で、転出地の市区町村から住基ネット経由で転出証明書情報を受け取る。",
           minutes=1, input="電子", systems="住基ネット・CS", judgment=False, src=("S16",))
    p.boundary("Event_JohoMichaku", "情報未着", "Data not received", "Activity_TenshutsuJoho", trigger="error",
               error_code="TENSHUTSU_JOHO_MICHAKU", probability=0.03,
               evidence=estimate("S16", note="転出地で転出届の処理が済んでいない等。特例転入の3%と仮定。"))
    p.task("Activity_DenwaShokai", "userTask", "転出地への電話照会", "Phone the former municipality", exam,
           "転出証明書情報が届かない理由を転出地の担当課に電話で確かめ、送信を依頼する。",
           minutes=10, input="電子", systems="住基ネット・CS", judgment=False, staff=REGULAR, src=("S16",))
    p.task("Activity_KokugaiKakunin", "businessRuleTask", "旅券・戸籍附票の確認", "Check passport and koseki fuhyo",
           exam, "国外からの転入で、旅券の入国日と戸籍の附票を確認する。", minutes=8, input="紙", judgment=False,
           staff=REGULAR, src=("S11",))
    p.gateway("Gateway_KubunMerge", exam)
    p.task("Activity_TennyuKisaiShinsa", "userTask", "記載内容審査", "Examine the entries", exam,
           "住所の実在、世帯構成、転入日から14日以内か、転出証明書（情報）との一致を審査する。",
           minutes=4, input="紙", systems="住基システム", judgment=True, legal=True, staff=REGULAR, src=("S7",),
           note="足立区の再整理（受付〜入力は受託者、以降は職員）でも職員に残る審査（S7）。")
    p.gateway("Gateway_KisaiFubi", exam, "記載不備あり?", "Incomplete form?", default="Flow_TennyuFubiNashi")
    p.task("Activity_TennyuHosei", "manualTask", "補正依頼", "Ask for correction", front,
           "不備の箇所を届出人に説明し、届書の補正（訂正・追記）を依頼する。", minutes=5, input="紙", judgment=False,
           staff=PART_TIME)
    p.gateway("Gateway_Gigi", exam, "居住実態に疑義?", "Doubt about residence?", default="Flow_GigiNashi")
    p.task("Activity_ShokkenChosa", "userTask", "職権調査（居住実態）", "Ex-officio residence investigation", exam,
           "架空転入の疑いがあるとき、現地調査や関係者への照会で居住の事実を調査する。",
           minutes=90, input="紙", judgment=True, legal=True, staff=REGULAR, src=("S11",),
           note="現地確認を含む。")
    p.gateway("Gateway_Kyoju", exam, "居住の事実あり?", "Residence confirmed?", default="Flow_KyojuAri")
    p.task("Activity_TennyuFujuri", "userTask", "不受理決定・通知", "Decide rejection and notify", chief,
           "居住の事実が認められない届出を不受理と決定し、理由を付して届出人に通知する。",
           minutes=45, input="紙", judgment=True, legal=True, staff=REGULAR)
    p.end("Event_TennyuFujuri", "不受理", "Rejected", chief)
    p.gateway("Gateway_GigiMerge", exam)
    p.task("Activity_TennyuJukiNyuryoku", "userTask", "住基システム入力", "Enter into the register system", exam,
           "審査済みの届書から住基システムに異動内容を入力する。", minutes=10, input="紙", systems="住基システム",
           judgment=False, staff=PART_TIME, src=("S8",), note="市川市は入力を委託（S8）。")
    p.task("Activity_TennyuShogoKessai", "userTask", "照合・決裁", "Verify and approve", chief,
           "入力内容を届書と照合し、異動を決裁する。", minutes=2, input="電子", systems="住基システム",
           judgment=True, legal=True, staff=REGULAR)
    p.task("Activity_TennyuJuminhyoKisai", "serviceTask", "住民票記載・CS更新", "Record and update the CS", system,
           "決裁された異動を住民票に記載し、コミュニケーションサーバ（CS）を更新する。", minutes=0, input="電子",
           systems="住基システム・CS", judgment=False)
    p.task("Activity_TennyuTsuchi", "sendTask", "転入通知送信", "Send moving-in notice", net,
           "住基法第9条の転入通知を住基ネット経由で転出地の市区町村へ送る。", minutes=0, input="電子", systems="住"
                                                                                                               "基ネット・CS",
           judgment=False)
    p.gateway("Gateway_Shien", exam, "支援措置の引継ぎあり?", "Protection to carry over?", default="Flow_ShienNashi")
    p.task("Activity_ShienHikitsugi", "userTask", "支援措置の引継ぎ設定", "Carry over DV protection", exam,
           "転出地でDV等支援措置を受けていた人の申出を受け、支援の要否を確認して交付制限を設定する。",
           minutes=20, input="紙", systems="住基システム", judgment=True, legal=True, staff=REGULAR, src=("S21",))
    p.gateway("Gateway_ShienMerge", exam)
    p.gateway("Gateway_TennyuCard", front, "マイナンバーカードあり?", "Has My Number Card?",
              default="Flow_TennyuCardNashi")
    p.task("Activity_CardKeizoku", "userTask", "カード継続利用処理", "Card continuation", front,
           "マイナンバーカードの券面に新住所を記載し、継続利用の処理をする（暗証番号は本人が入力）。",
           minutes=3, input="電子", systems="住基システム・J-LIS端末", judgment=False, staff=PART_TIME, src=("S4",))
    p.gateway("Gateway_TennyuCardMerge", front)
    p.task("Activity_RenrakuKankeika", "sendTask", "関係課へ異動連絡", "Notify related sections", exam,
           "国保・児童手当・就学などの関係課へ異動を連絡する（ワンストップ連携 onestop.bpmn へ）。",
           minutes=2, input="電子", systems="住基システム", judgment=False, staff=PART_TIME, src=("S10",),
           note="つくば市は異動届受理通知をRPA化（S10）。")
    p.gateway("Gateway_TsuchiYohi", exam, "本人確認書類なし?", "No identity document?", default="Flow_TsuchiFuyo")
    p.task("Activity_JuriTsuchi", "sendTask", "受理通知書の郵送", "Post acceptance notice", exam,
           "本人確認書類がなかった届出について、本人宛てに受理通知書を郵送する。", minutes=3, input="紙",
           judgment=False, staff=PART_TIME, src=("S11",))
    p.gateway("Gateway_TsuchiMerge", exam)
    p.task("Activity_Annai", "manualTask", "関係課案内・完了説明", "Guide to other desks", front,
           "手続の完了を伝え、国保・児童手当など続けて必要な手続の窓口を案内する。", minutes=2, input="紙",
           judgment=False, staff=PART_TIME, src=("S60",))
    p.end("Event_TennyuEnd", "転入手続完了", "Moving-in done", front)

    p.seq("Event_TennyuStart", "Gateway_TennyuJuryoMerge", "Activity_TennyuTodokeJuryo", "Activity_TennyuHoninKakunin",
          "Gateway_Kubun")
    p.branch("Flow_KubunTokurei", "Gateway_Kubun", "Gateway_JohoMerge", "特例転入", "Card-based",
             condition="${区分 == '特例転入'}", probability=0.55,
             src=("S16",), note="マイナンバーカードによる特例転入の割合を55%と仮定。")
    p.branch("Flow_KubunKokugai", "Gateway_Kubun", "Activity_KokugaiKakunin", "国外から", "From abroad",
             condition="${区分 == '国外転入'}", probability=0.03, note="国外からの転入を3%と仮定。")
    p.branch("Flow_KubunShomeisho", "Gateway_Kubun", "Gateway_KubunMerge", "転出証明書", "Paper certificate")
    p.seq("Gateway_JohoMerge", "Activity_TenshutsuJoho", "Gateway_KubunMerge")
    p.seq("Event_JohoMichaku", "Activity_DenwaShokai", "Gateway_JohoMerge")
    p.seq("Activity_KokugaiKakunin", "Gateway_KubunMerge", "Activity_TennyuKisaiShinsa", "Gateway_KisaiFubi")
    p.branch("Flow_TennyuFubiAri", "Gateway_KisaiFubi", "Activity_TennyuHosei", "あり", "Yes",
             condition="${記載不備あり}",
             probability=0.12, note="BPMN作成時の見込み。調査票では0.10。")
    p.branch("Flow_TennyuFubiNashi", "Gateway_KisaiFubi", "Gateway_Gigi", "なし", "No")
    p.seq("Activity_TennyuHosei", "Gateway_TennyuJuryoMerge")
    p.branch("Flow_GigiAri", "Gateway_Gigi", "Activity_ShokkenChosa", "あり", "Yes", condition="${居住実態に疑義}",
             probability=0.02, note="架空転入の疑い2%と仮定。")
    p.branch("Flow_GigiNashi", "Gateway_Gigi", "Gateway_GigiMerge", "なし", "No")
    p.seq("Activity_ShokkenChosa", "Gateway_Kyoju")
    p.branch("Flow_KyojuAri", "Gateway_Kyoju", "Gateway_GigiMerge", "あり", "Yes")
    p.branch("Flow_KyojuNashi", "Gateway_Kyoju", "Activity_TennyuFujuri", "なし", "No", condition="${not 居住の事実}",
             probability=0.3, note="調査した届出の3割で居住の事実なしと仮定。")
    p.seq("Activity_TennyuFujuri", "Event_TennyuFujuri")
    p.seq("Gateway_GigiMerge", "Activity_TennyuJukiNyuryoku", "Activity_TennyuShogoKessai",
          "Activity_TennyuJuminhyoKisai",
          "Activity_TennyuTsuchi", "Gateway_Shien")
    p.branch("Flow_ShienAri", "Gateway_Shien", "Activity_ShienHikitsugi", "あり", "Yes",
             condition="${支援措置の申出}", probability=0.005, src=("S21",), note="0.5%と仮定。")
    p.branch("Flow_ShienNashi", "Gateway_Shien", "Gateway_ShienMerge", "なし", "No")
    p.seq("Activity_ShienHikitsugi", "Gateway_ShienMerge", "Gateway_TennyuCard")
    p.branch("Flow_TennyuCardAri", "Gateway_TennyuCard", "Activity_CardKeizoku", "あり", "Yes",
             condition="${カードあり}",
             probability=0.75, note="転入者のカード保有率75%と仮定。")
    p.branch("Flow_TennyuCardNashi", "Gateway_TennyuCard", "Gateway_TennyuCardMerge", "なし", "No")
    p.seq("Activity_CardKeizoku", "Gateway_TennyuCardMerge", "Activity_RenrakuKankeika", "Gateway_TsuchiYohi")
    p.branch("Flow_TsuchiYo", "Gateway_TsuchiYohi", "Activity_JuriTsuchi", "なし", "No",
             condition="${本人確認書類なし}", probability=0.02, src=("S11",), note="2%と仮定。")
    p.branch("Flow_TsuchiFuyo", "Gateway_TsuchiYohi", "Gateway_TsuchiMerge", "あり", "Yes")
    p.seq("Activity_JuriTsuchi", "Gateway_TsuchiMerge", "Activity_Annai", "Event_TennyuEnd")

    march, april = peak(ANNUAL, MOVES_PEAK)
    volume = Volume(ANNUAL, march, april, SHIMIN, JUKI, estimate(
        "S12", "S13", note="全国の市区町村間移動488万人（2016年、人口の約3.9%）を人口20万人に按分して約7,800人、"
        "1届あたり1.5人として約5,200件。3月は月平均の2倍、4月は1.7倍と仮定。"), bpmn_annual=5000)
    sheet = SheetPlan(
        ids=False,
        rows=("Activity_TennyuKisaiShinsa", "Activity_TennyuJukiNyuryoku", "Activity_TennyuShogoKessai",
              "Activity_TennyuTodokeJuryo",
              "Flow_TennyuFubiAri"),
        overrides=(
            ("Activity_TennyuKisaiShinsa", (("step_id", "Activity_TennyuKisaiShinsa"),)),
            ("Activity_TennyuJukiNyuryoku", (("step", "住基システム　入力"),)),
            ("Activity_TennyuShogoKessai", (("step", "照合･決裁"),)),
            ("Flow_TennyuFubiAri", (("step_id", "Flow_TennyuFubiAri"),)),
        ),
        values=(
            ("Activity_TennyuJukiNyuryoku", (("minutes", 8),)),
            ("Flow_TennyuFubiAri", (("probability", 0.10),)),
        ),
    )
    process = p.build(volume, sheet)
    return FileSpec(
        "flows/tennyu.bpmn", "Definitions_0tennyu", "Collaboration_0tennyu",
        (
            Pool("Participant_Jumin", "届出人（転入者）", "Notifier (person moving in)"),
            Pool("Participant_Shiminka", "市民課 住民記録係", "Citizens Division, Resident Records", process),
            Pool("Participant_TenshutsuChi", "転出地市区町村（住基ネット）", "Former municipality (Juki-net)"),
        ),
        (
            Message("Flow_MsgTodoke", "Participant_Jumin", "Event_TennyuStart", "転入届・本人確認書類",
                    "Form and ID"),
            Message("Flow_MsgHosei", "Activity_TennyuHosei", "Participant_Jumin", "補正依頼", "Ask for correction"),
            Message("Flow_MsgJoho", "Participant_TenshutsuChi", "Activity_TenshutsuJoho", "転出証明書情報",
                    "Move-out data"),
            Message("Flow_MsgShokai", "Activity_DenwaShokai", "Participant_TenshutsuChi", "電話照会", "Phone inquiry"),
            Message("Flow_MsgTsuchi", "Activity_TennyuTsuchi", "Participant_TenshutsuChi", "転入通知（住基法9条）",
                    "Moving-in notice (Art. 9)"),
            Message("Flow_MsgFujuri", "Activity_TennyuFujuri", "Participant_Jumin", "不受理通知", "Rejection notice"),
            Message("Flow_MsgJuriTsuchi", "Activity_JuriTsuchi", "Participant_Jumin", "受理通知書",
                    "Acceptance notice"),
            Message("Flow_MsgAnnai", "Activity_Annai", "Participant_Jumin", "関係課の案内", "Guidance to other desks"),
        ),
        spacing=Spacing(column_gap=20.0),  # 30 columns in a row: a tighter pitch keeps two A4 pages at 7 px
        comment="転入届の窓口フロー（サンプル）。図と数値は人口約20万人の市を想定した例示です。"
                "scripts/build_flows.py で生成。",
    )
