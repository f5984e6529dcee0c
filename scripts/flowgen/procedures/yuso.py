"""郵送請求 (counter-procedures.md §6): already partly outsourced — a 委託事業者 lane handles the mail."""

from __future__ import annotations

from flowgen.procedures.common import CERT_PEAK, CONTRACTOR, REGULAR, SHIMIN, SHOMEI, estimate, peak
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Volume

ANNUAL = 15000


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_Yuso", "郵送請求（住民票・戸籍証明）", "Mail-order certificate requests", carry="survey",
        procedure="yuso_seikyu",  # the name also holds 戸籍証明, an alias of koseki_shomei
        doc="住民票の写し・戸籍証明書等の郵送請求。開封から発送までは委託事業者（郵送処理）、請求事由の審査と交付可否は職員。",
    )
    contractor = p.lane("Lane_Itaku", "委託事業者（郵送処理）", "Contractor (mail processing)",
                        doc="中野区・小浜市・神戸市（行政事務センター）のように郵送処理を委託している（S34〜S36）。")
    exam = p.lane("Lane_Shinsa", "審査担当（職員）", "Examiner (staff)")

    p.start("Event_Tochaku", "請求書の到着", "Request arrives", contractor)
    p.task("Activity_YusoKaifu", "manualTask", "開封・受付登録", "Open and log the letter", contractor,
           "封書を開封し、請求書・本人確認書類の写し・定額小為替を受付簿に登録する。", minutes=3, input="紙",
           judgment=False, legal=False, staff=CONTRACTOR, src=("S32", "S34"))
    p.gateway("Gateway_HoseiMerge", contractor)
    p.task("Activity_ShoruiKakunin", "businessRuleTask", "請求書類の確認", "Check the papers", contractor,
           "請求書の記載、本人確認書類の写し、定額小為替の額、返信用封筒を仕様書の基準で確認する。", minutes=3,
           input="紙", judgment=False, legal=False, staff=CONTRACTOR, src=("S32", "S33"))
    p.gateway("Gateway_YusoFubi", contractor, "不備あり?", "Anything missing?", default="Flow_YusoFubiNashi")
    p.task("Activity_FubiRenraku", "sendTask", "不備の連絡", "Tell the requester", contractor,
           "不足する書類や手数料を電話または文書で請求者に連絡する。", minutes=5, input="紙", judgment=False,
           legal=False, staff=CONTRACTOR, track=1)
    p.task("Activity_YusoFusokuJuryo", "receiveTask", "不足書類の受領", "Receive the missing papers", contractor,
           "請求者から届いた不足書類・不足額の小為替を受け取り、元の請求書と合わせる。", minutes=2, input="紙",
           judgment=False, legal=False, staff=CONTRACTOR, track=1)
    p.boundary("Event_NishukanKeika", "2週間経過", "Two weeks passed", "Activity_YusoFusokuJuryo", trigger="timer",
               timer=("timeDuration", "P14D"), probability=0.2,
               evidence=estimate("S33", note="不備連絡の2割で返送がないと仮定。"))
    p.task("Activity_Henrei", "sendTask", "請求書類の返戻", "Return the papers", contractor,
           "期限までに補正がない請求を、理由を添えて請求者に返送する。", minutes=5, input="紙", judgment=False,
           legal=False, staff=CONTRACTOR)
    p.end("Event_Henrei", "返戻", "Returned", contractor)
    p.task("Activity_Shokai", "userTask", "住民記録・戸籍の照会", "Look up the records", contractor,
           "住基・戸籍システムの端末で対象者の記録を照会する（支援措置の対象者は画面に警告が出る）。", minutes=2,
           input="紙", systems="住基システム・戸籍情報システム", judgment=False, legal=False, staff=CONTRACTOR)
    p.gateway("Gateway_YusoShinsaYohi", contractor, "職員審査が必要?", "Staff review needed?",
              default="Flow_YusoShinsaFuyo")
    p.task("Activity_JiyuShinsa", "userTask", "請求事由審査・交付可否判断", "Examine and decide", exam,
           "第三者請求・相続による請求の事由と疎明資料を審査し、交付・不交付を決定する。", minutes=8, input="紙",
           systems="住基システム・戸籍情報システム", judgment=True, legal=True, staff=REGULAR, src=("S1",),
           note="交付・不交付の決定は市町村長の判断（民一317号）。")
    p.gateway("Gateway_YusoKofuka", exam, "交付できる?", "Can it be issued?", default="Flow_YusoKofu")
    p.task("Activity_FukofuTsuchi", "sendTask", "不交付通知の送付", "Send the refusal", exam,
           "不交付の理由を記した通知を作成し、請求書類・小為替とともに返送する。", minutes=15, input="紙",
           judgment=True, legal=True, staff=REGULAR)
    p.end("Event_YusoFukofu", "不交付", "Refused", exam)
    p.gateway("Gateway_YusoShinsaMerge", contractor)
    p.task("Activity_YusoSakusei", "userTask", "証明書作成", "Print the certificate", contractor,
           "住基・戸籍システムから証明書を出力する。", minutes=3, input="電子",
           systems="住基システム・戸籍情報システム", judgment=False, legal=False, staff=CONTRACTOR, src=("S24",))
    p.task("Activity_Shogo", "userTask", "照合", "Check against the request", contractor,
           "作成した証明書を請求書と照合する（別の従事者によるダブルチェック）。", minutes=1, input="電子",
           judgment=False, legal=False, staff=CONTRACTOR)
    p.task("Activity_Hasso", "sendTask", "封入・発送", "Enclose and post", contractor,
           "証明書を返信用封筒に封入し、請求者の住民登録地宛てに発送する。", minutes=2, input="紙", judgment=False,
           legal=False, staff=CONTRACTOR, src=("S32", "S33"))
    p.task("Activity_Kawase", "manualTask", "定額小為替の換金・収納", "Cash the postal orders", contractor,
           "受け取った定額小為替を日ごとに取りまとめ、換金して手数料として収納する。", minutes=1, input="紙",
           judgment=False, legal=False, staff=CONTRACTOR)
    p.end("Event_Hasso", "発送完了", "Posted", contractor)

    p.seq("Event_Tochaku", "Activity_YusoKaifu", "Gateway_HoseiMerge", "Activity_ShoruiKakunin", "Gateway_YusoFubi")
    p.branch("Flow_YusoFubiAri", "Gateway_YusoFubi", "Activity_FubiRenraku", "あり", "Yes", condition="${不備あり}",
             probability=0.12, src=("S33",), note="12%と仮定。")
    p.branch("Flow_YusoFubiNashi", "Gateway_YusoFubi", "Activity_Shokai", "なし", "No")
    p.seq("Activity_FubiRenraku", "Activity_YusoFusokuJuryo", "Gateway_HoseiMerge")
    p.seq("Event_NishukanKeika", "Activity_Henrei", "Event_Henrei")
    p.seq("Activity_Shokai", "Gateway_YusoShinsaYohi")
    p.branch("Flow_YusoShinsaYo", "Gateway_YusoShinsaYohi", "Activity_JiyuShinsa", "必要", "Needed",
             condition="${第三者請求 or 相続 or 支援措置対象}", probability=0.25, src=("S32",),
             note="郵送請求は相続の戸籍請求が多い（§6）。25%と仮定。")
    p.branch("Flow_YusoShinsaFuyo", "Gateway_YusoShinsaYohi", "Gateway_YusoShinsaMerge", "不要", "Not needed")
    p.seq("Activity_JiyuShinsa", "Gateway_YusoKofuka")
    p.branch("Flow_YusoFukofu", "Gateway_YusoKofuka", "Activity_FukofuTsuchi", "できない", "No",
             condition="${not 交付可}", probability=0.05, note="5%と仮定。")
    p.branch("Flow_YusoKofu", "Gateway_YusoKofuka", "Gateway_YusoShinsaMerge", "できる", "Yes")
    p.seq("Activity_FukofuTsuchi", "Event_YusoFukofu")
    p.seq("Gateway_YusoShinsaMerge", "Activity_YusoSakusei", "Activity_Shogo", "Activity_Hasso", "Activity_Kawase",
          "Event_Hasso")

    march, april = peak(ANNUAL, CERT_PEAK)
    volume = Volume(ANNUAL, march, april, SHIMIN, SHOMEI, estimate(
        "S32", "S33", note="年1万〜2.5万件（相続の戸籍請求が中心、本籍人口による）の中間。3月1.25倍・4月1.3倍と仮定。"))
    sheet = SheetPlan(ids=True, overrides=(("Activity_Hasso", (("step_id", ""), ("step", "封入発送"))),))
    process = p.build(volume, sheet)
    return FileSpec(
        "flows/yuso.bpmn", "Definitions_0yuso", "Collaboration_0yuso",
        (
            Pool("Participant_Seikyusha", "請求者（郵送）", "Requester (by post)"),
            Pool("Participant_Shomei", "市民課 証明係（郵送請求）", "Citizens Division, Certificates (mail)", process),
        ),
        (
            Message("Flow_MsgSeikyu", "Participant_Seikyusha", "Event_Tochaku", "請求書・小為替・本人確認書類の写し",
                    "Request, postal order, copy of ID"),
            Message("Flow_MsgFubi", "Activity_FubiRenraku", "Participant_Seikyusha", "不備の連絡", "Tell the req"
                                                                                                   "uester"),
            Message("Flow_MsgFusoku", "Participant_Seikyusha", "Activity_YusoFusokuJuryo", "不足書類",
                    "Missing papers"),
            Message("Flow_MsgHenrei", "Activity_Henrei", "Participant_Seikyusha", "返戻", "Returned"),
            Message("Flow_MsgFukofu", "Activity_FukofuTsuchi", "Participant_Seikyusha", "不交付通知", "Refusal notice"),
            Message("Flow_MsgHasso", "Activity_Hasso", "Participant_Seikyusha", "証明書", "Certificate"),
        ),
        comment="郵送請求（委託事業者が開封〜発送、職員が審査）。数値は人口約20万人の市を想定した例示で、"
                "業務量調査票 survey.xlsx にあります。scripts/build_flows.py で生成。",
    )
