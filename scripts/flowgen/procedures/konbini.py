"""コンビニ交付 (counter-procedures.md §5): the automated issuing chain and the staff's monthly reconciliation."""

from __future__ import annotations

from flowgen.procedures.common import CERT_PEAK, REGULAR, SHIMIN, SHOMEI, estimate, peak
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Volume

ANNUAL = 50000


def _issuing() -> ProcessBuilder:
    p = ProcessBuilder(
        "Process_KonbiniKofu", "コンビニ交付", "Convenience-store issuance", carry="survey",
        doc="マイナンバーカードを使ったコンビニエンスストアのキオスク端末での証明書交付。人手を介さない。",
    )
    jlis = p.lane("Lane_JLIS", "J-LIS 証明書交付センター", "J-LIS certificate centre")
    server = p.lane("Lane_Server", "証明発行サーバ（市）", "City certificate server")
    system = p.lane("Lane_Juki", "住基システム", "Resident register system")
    p.start("Event_KioskStart", "キオスク端末から請求", "Request at the kiosk", jlis)
    p.task("Activity_CertKensho", "serviceTask", "利用者証明用電子証明書の検証", "Verify the user certificate", jlis,
           "マイナンバーカードの利用者証明用電子証明書を検証し、請求者本人であることを確かめる。", input="電子",
           systems="J-LIS 証明書交付センター", judgment=False, legal=False, src=("S30",))
    p.task("Activity_Chukei", "serviceTask", "交付請求の中継", "Relay the request", jlis,
           "証明書交付センターが請求を市の証明発行サーバへ中継する。", input="電子",
           systems="J-LIS 証明書交付センター", judgment=False, legal=False)
    p.task("Activity_KonbiniKirokuShokai", "serviceTask", "住民記録の照会", "Look up the record", system,
           "証明発行サーバが住基システムの住民記録を照会する。", input="電子", systems="住基システム・証明発行サーバ",
           judgment=False, legal=False)
    p.boundary("Event_ShokaiError", "照会エラー", "Lookup error", "Activity_KonbiniKirokuShokai", trigger="error",
               error_code="SHOKAI_ERROR", probability=0.003,
               evidence=estimate("S31", note="システム停止・データ不整合を0.3%と仮定。"))
    p.task("Activity_ErrorTsuchi", "sendTask", "エラー通知", "Report the error", jlis,
           "交付できなかったことをキオスク端末に通知する（手数料は収納しない）。", input="電子",
           systems="J-LIS 証明書交付センター", judgment=False, legal=False)
    p.end("Event_Chushi", "交付中止", "Stopped", jlis)
    p.task("Activity_SeigenShogo", "businessRuleTask", "交付制限フラグの照合", "Match the restriction flag", server,
           "DV等支援措置の対象者など、コンビニ交付を止める設定がないかを照合する（対象者は交付しない）。", input="電子",
           systems="証明発行サーバ", judgment=False, src=("S27",),
           note="止める設定は職員が支援措置の決定に基づき事前に行う。")
    p.gateway("Gateway_KonbiniKofuka", server, "交付できる?", "Can it be issued?", default="Flow_KofuKa")
    p.task("Activity_FukaTsuchi", "sendTask", "交付不可の通知", "Report refusal", jlis,
           "交付できない旨をキオスク端末に表示させ、市役所の窓口を案内する。", input="電子",
           systems="J-LIS 証明書交付センター", judgment=False, legal=True,
           note="交付の拒否は、職員が設定した支援措置のフラグによる判定をシステムが実行したもの。")
    p.end("Event_Fuka", "交付不可", "Not issued", jlis)
    p.task("Activity_DataSakusei", "serviceTask", "証明書データ作成", "Build the certificate data", server,
           "証明書の印刷データを作成し、電子公印を付す。", input="電子", systems="証明発行サーバ", judgment=False,
           legal=False)
    p.task("Activity_DataSoshin", "sendTask", "証明書データ送信", "Send the certificate data", jlis,
           "印刷データをキオスク端末へ送る（印刷と手数料の収納は端末で行う）。", input="電子",
           systems="J-LIS 証明書交付センター", judgment=False, legal=False)
    p.task("Activity_KofuKiroku", "serviceTask", "交付記録の保存", "Log the issuance", server,
           "交付記録を保存し、月次精算の明細に載せる。", input="電子", systems="証明発行サーバ", judgment=False,
           legal=False)
    p.end("Event_KonbiniKofuEnd", "交付完了", "Issued", server)

    p.seq("Event_KioskStart", "Activity_CertKensho", "Activity_Chukei", "Activity_KonbiniKirokuShokai",
          "Activity_SeigenShogo", "Gateway_KonbiniKofuka")
    p.seq("Event_ShokaiError", "Activity_ErrorTsuchi", "Event_Chushi")
    p.branch("Flow_KofuFuka", "Gateway_KonbiniKofuka", "Activity_FukaTsuchi", "できない", "No",
             condition="${交付制限あり}", probability=0.002, src=("S21",), note="0.2%と仮定。")
    p.branch("Flow_KofuKa", "Gateway_KonbiniKofuka", "Activity_DataSakusei", "できる", "Yes")
    p.seq("Activity_FukaTsuchi", "Event_Fuka")
    p.seq("Activity_DataSakusei", "Activity_DataSoshin", "Activity_KofuKiroku", "Event_KonbiniKofuEnd")
    return p


def _reconciliation() -> ProcessBuilder:
    p = ProcessBuilder(
        "Process_KonbiniSeisan", "コンビニ交付 手数料月次精算", "Convenience-store issuance: monthly settlement",
        carry="survey", doc="J-LIS の交付実績と市の記録を毎月突き合わせ、手数料の歳入と交付手数料の支払を処理する。",
        procedure="tesuryo_seisan",  # internal finance work, not the issuance whose DV check is drawn above
    )
    staff = p.lane("Lane_Shomei", "証明係（職員）", "Certificates section (staff)")
    cashier = p.lane("Lane_Kaikei", "会計課（出納）", "Treasury")
    p.start("Event_Getsuji", "毎月初め", "Start of each month", staff, trigger="timer",
            timer=("timeCycle", "R/2025-04-01T09:00:00/P1M"))
    p.task("Activity_JissekiJushin", "receiveTask", "交付実績データ受信", "Receive the issuance statement", staff,
           "J-LIS から前月分の交付実績・手数料明細データを受け取る。", minutes=5, input="電子",
           systems="LGWAN・証明発行サーバ", judgment=False, legal=False, staff=REGULAR)
    p.task("Activity_Totsugo", "userTask", "交付件数と手数料の突合", "Reconcile counts and fees", staff,
           "J-LIS の明細と証明発行サーバの交付記録を、証明書の種類ごとに件数・金額で突き合わせる。", minutes=90,
           input="電子", systems="証明発行サーバ・表計算", judgment=False, legal=False, staff=REGULAR,
           src=("S54",), note="射水市は月末集計をRPA化（S54）。")
    p.gateway("Gateway_Sai", staff, "差異あり?", "Any difference?", default="Flow_SaiNashi")
    p.task("Activity_SaiChosa", "userTask", "差異の原因調査", "Investigate the difference", staff,
           "差異が出た交付を1件ずつ確かめ、J-LIS に照会して原因を特定する。", minutes=120, input="電子",
           systems="証明発行サーバ", judgment=True, legal=False, staff=REGULAR)
    p.gateway("Gateway_SaiMerge", staff)
    p.task("Activity_Chotei", "userTask", "歳入調定・収入票の作成", "Record the revenue", staff,
           "手数料の歳入を調定し、財務会計システムで収入票を作成する。", minutes=30, input="電子",
           systems="財務会計システム", judgment=False, legal=False, staff=REGULAR)
    p.task("Activity_Keshikomi", "userTask", "収入の確認・消込", "Match the payment", cashier,
           "コンビニ事業者からの入金を確認し、調定に消し込む。", minutes=20, input="電子",
           systems="財務会計システム", judgment=False, legal=False, staff=REGULAR, src=("S54",))
    p.task("Activity_Shiharai", "userTask", "交付手数料の支払手続", "Pay the issuance commission", staff,
           "コンビニ事業者・J-LIS への交付手数料（委託料）の支出を起票する。", minutes=30, input="電子",
           systems="財務会計システム", judgment=False, legal=False, staff=REGULAR)
    p.task("Activity_Hokoku", "userTask", "月次実績の集計・報告", "Tally and report the month", staff,
           "証明書の種類別・店舗別の交付実績を集計し、課内に報告する。", minutes=40, input="電子",
           systems="表計算", judgment=False, legal=False, staff=REGULAR, src=("S54",))
    p.end("Event_SeisanEnd", "精算完了", "Settled", staff)
    p.seq("Event_Getsuji", "Activity_JissekiJushin", "Activity_Totsugo", "Gateway_Sai")
    p.branch("Flow_SaiAri", "Gateway_Sai", "Activity_SaiChosa", "あり", "Yes", condition="${差異あり}",
             probability=0.25, note="4か月に1回程度と仮定。")
    p.branch("Flow_SaiNashi", "Gateway_Sai", "Gateway_SaiMerge", "なし", "No")
    p.seq("Activity_SaiChosa", "Gateway_SaiMerge", "Activity_Chotei", "Activity_Keshikomi", "Activity_Shiharai",
          "Activity_Hokoku", "Event_SeisanEnd")
    return p


def spec() -> FileSpec:
    march, april = peak(ANNUAL, CERT_PEAK)
    issuing = _issuing().build(
        Volume(ANNUAL, march, april, SHIMIN, SHOMEI, estimate(
            "S30", "S28", note="全国のコンビニ交付3,189万通（2023年度）を人口20万人に按分して約5.1万通。"
            "3月・4月は窓口の証明書と同じく月平均の1.25倍・1.3倍と仮定。")),
        SheetPlan(ids=True))
    reconciliation = _reconciliation().build(
        Volume(12, 1, 1, SHIMIN, SHOMEI, estimate(note="毎月1回。")), SheetPlan(ids=True))
    return FileSpec(
        "flows/konbini.bpmn", "Definitions_0konbini", "Collaboration_0konbini",
        (
            Pool("Participant_Riyosha", "住民（キオスク端末で請求）", "Resident (at the kiosk)"),
            Pool("Participant_Kofu", "証明書コンビニ交付の仕組み", "Convenience-store issuing chain", issuing),
            Pool("Participant_JLIS", "地方公共団体情報システム機構（J-LIS）", "J-LIS"),
            Pool("Participant_Seisan", "市民課 証明係（月次精算）", "Citizens Division, Certificates (settlement)",
                 reconciliation),
        ),
        (
            Message("Flow_MsgSeikyu", "Participant_Riyosha", "Event_KioskStart", "カード・暗証番号による請求",
                    "Request with card and PIN"),
            Message("Flow_MsgError", "Activity_ErrorTsuchi", "Participant_Riyosha", "エラー表示", "Error shown"),
            Message("Flow_MsgFuka", "Activity_FukaTsuchi", "Participant_Riyosha", "交付不可の表示", "Refusal shown"),
            Message("Flow_MsgShomei", "Activity_DataSoshin", "Participant_Riyosha", "証明書（端末で印刷）",
                    "Certificate (printed at the kiosk)"),
            Message("Flow_MsgJisseki", "Participant_JLIS", "Activity_JissekiJushin", "交付実績・手数料明細",
                    "Issuance and fee statement"),
        ),
        comment="コンビニ交付（自動の交付経路と職員の月次精算）。数値は人口約20万人の市を想定した例示で、"
                "業務量調査票 survey.xlsx にあります。scripts/build_flows.py で生成。",
    )
