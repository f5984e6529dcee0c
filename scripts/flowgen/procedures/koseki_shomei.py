"""戸籍証明書の交付 (counter-procedures.md §9), with 広域交付 (since 2024-03-01); facts in the workbook."""

from __future__ import annotations

from flowgen.procedures.common import (
    CERT_PEAK,
    PART_TIME,
    REGULAR,
    SHIMIN,
    SHOMEI,
    SHOMEI_COUNTER,
    estimate,
    peak,
)
from flowgen.spec import FileSpec, Message, Pool, ProcessBuilder, SheetPlan, Volume

ANNUAL = 35000


def spec() -> FileSpec:
    p = ProcessBuilder(
        "Process_KosekiShomei", "戸籍証明書の交付（広域交付を含む）", "Issuing family-register certificates",
        carry="survey",
        doc="戸籍全部事項証明・除籍謄本等の窓口交付。本籍地が他市区町村の場合は広域交付（2024年3月から、本人等の窓口請求のみ）。",
    )
    desk = p.lane("Lane_Madoguchi", *SHOMEI_COUNTER, doc="証明書の窓口（住民票・印鑑証明・戸籍証明で共通）。")
    make = p.lane("Lane_Sakusei", "出力・照合", "Printing and checking")
    exam = p.lane("Lane_Shinsa", "審査担当（職員）", "Examiner (staff)")
    system = p.lane("Lane_KosekiSystem", "戸籍情報システム", "Family register system")
    renkei = p.lane("Lane_Renkei", "戸籍情報連携システム（法務省）", "Family register network (Ministry of Justice)")

    p.start("Event_KosekiShomeiStart", "交付請求", "Request", desk)
    p.task("Activity_KosekiShomeiJuryo", "manualTask", "請求書受領", "Receive the request", desk,
           "交付請求書を受け取り、番号札で呼び出す。", minutes=1, input="紙", judgment=False, legal=False,
           staff=PART_TIME, src=("S1", "S45"))
    p.task("Activity_KosekiShomeiHoninKakunin", "manualTask", "本人確認", "Identity check", desk,
           "本人確認書類を確認し、必要に応じて口頭で質問する。", minutes=0.5, input="紙", judgment=False,
           legal=False, staff=PART_TIME, src=("S1",))
    p.task("Activity_KubunKakunin", "businessRuleTask", "請求者の区分確認", "Check who is asking", desk,
           "本人・配偶者・直系親族・第三者・職務上請求の別を請求書の記載から形式的に確認する。", minutes=1,
           input="紙", judgment=False, legal=False, staff=PART_TIME, src=("S1",))
    p.gateway("Gateway_Honseki", desk, "本籍地は当市?", "Registered in this city?", default="Flow_Toshi")
    p.task("Activity_KoikiKakunin", "businessRuleTask", "広域交付の要件確認", "Check wide-area conditions", desk,
           "本人・配偶者・直系親族の請求で、請求者本人が窓口に来ていることを確認する（郵送・代理は不可）。",
           minutes=2, input="紙", judgment=False, legal=False, staff=PART_TIME, src=("S32",))
    p.task("Activity_KoikiShokai", "serviceTask", "本籍地戸籍の照会（連携）", "Fetch the register remotely", renkei,
           "戸籍情報連携システムで本籍地の戸籍・除籍の情報を取得する。", input="電子",
           systems="戸籍情報連携システム", judgment=False, legal=False)
    p.task("Activity_KosekiShokai", "serviceTask", "戸籍情報の照会", "Look up the register", system,
           "戸籍情報システムで請求された戸籍・除籍を照会する。", input="電子", systems="戸籍情報システム",
           judgment=False, legal=False)
    p.gateway("Gateway_HonsekiMerge", desk)
    p.gateway("Gateway_KosekiShomeiShinsaYohi", desk, "職員審査が必要?", "Staff review needed?",
              default="Flow_KosekiShomeiShinsaFuyo")
    p.task("Activity_KosekiShomeiKofuKahi", "userTask", "交付可否判断", "Decide whether to issue", exam,
           "第三者請求・職務上請求の事由や支援措置の有無を審査し、交付・不交付を決定する。", minutes=4, input="紙",
           systems="戸籍情報システム", judgment=True, legal=True, staff=REGULAR, src=("S1",),
           note="要件該当性を確認した上での交付・不交付は市町村長の判断（民一317号）。")
    p.gateway("Gateway_KosekiShomeiKofuka", exam, "交付できる?", "Can it be issued?", default="Flow_KosekiShomeiKofu")
    p.task("Activity_KosekiShomeiFukofuSetsumei", "manualTask", "不交付の説明", "Explain the refusal", exam,
           "不交付の理由を請求者に説明する（判断した職員が行う）。", minutes=5, input="紙", judgment=True,
           legal=True, staff=REGULAR)
    p.end("Event_KosekiShomeiFukofu", "不交付", "Refused", exam)
    p.gateway("Gateway_KosekiShomeiShinsaMerge", desk)
    p.task("Activity_KosekiShomeiSakusei", "userTask", "証明書作成・照合", "Print and check the certificate", make,
           "証明書を出力し、請求内容と照合する（相続用の除籍・改製原戸籍一式は時間がかかる）。", minutes=5,
           input="電子", systems="戸籍情報システム・証明発行端末", judgment=False, legal=False, staff=PART_TIME,
           src=("S24",), note="現在戸籍4〜6分、除籍・改製原の一式10〜20分（§9）の加重平均。")
    p.task("Activity_KosekiShomeiTesuryo", "manualTask", "手数料収納", "Collect the fee", desk,
           "手数料を収納し、収納レジに登録する。", minutes=0.5, input="紙", judgment=False, legal=False,
           staff=PART_TIME)
    p.task("Activity_KosekiShomeiKofu", "manualTask", "交付", "Hand over", desk, "請求者を呼び出し、証明書を手渡す。",
           minutes=0.5, input="紙", judgment=False, legal=False, staff=PART_TIME, src=("S45",))
    p.end("Event_KosekiShomeiEnd", "交付完了", "Issued", desk)

    p.seq("Event_KosekiShomeiStart", "Activity_KosekiShomeiJuryo", "Activity_KosekiShomeiHoninKakunin",
          "Activity_KubunKakunin", "Gateway_Honseki")
    p.branch("Flow_Koiki", "Gateway_Honseki", "Activity_KoikiKakunin", "他市区町村", "Elsewhere",
             condition="${本籍地 != 当市}", probability=0.08, src=("S32",), note="広域交付を8%と仮定。")
    p.branch("Flow_Toshi", "Gateway_Honseki", "Activity_KosekiShokai", "当市", "This city")
    p.seq("Activity_KoikiKakunin", "Activity_KoikiShokai", "Gateway_HonsekiMerge")
    p.seq("Activity_KosekiShokai", "Gateway_HonsekiMerge", "Gateway_KosekiShomeiShinsaYohi")
    p.branch("Flow_KosekiShomeiShinsaYo", "Gateway_KosekiShomeiShinsaYohi", "Activity_KosekiShomeiKofuKahi", "必要",
             "Needed",
             condition="${第三者請求 or 職務上請求 or 支援措置対象}", probability=0.1, src=("S1",),
             note="第三者・職務上請求（相続手続の士業など）を10%と仮定。")
    p.branch("Flow_KosekiShomeiShinsaFuyo", "Gateway_KosekiShomeiShinsaYohi", "Gateway_KosekiShomeiShinsaMerge", "不要",
             "Not needed")
    p.seq("Activity_KosekiShomeiKofuKahi", "Gateway_KosekiShomeiKofuka")
    p.branch("Flow_KosekiShomeiFukofu", "Gateway_KosekiShomeiKofuka", "Activity_KosekiShomeiFukofuSetsumei", "できない",
             "No",
             condition="${not 交付可}", probability=0.08, note="8%と仮定。")
    p.branch("Flow_KosekiShomeiKofu", "Gateway_KosekiShomeiKofuka", "Gateway_KosekiShomeiShinsaMerge", "できる", "Yes")
    p.seq("Activity_KosekiShomeiFukofuSetsumei", "Event_KosekiShomeiFukofu")
    p.seq("Gateway_KosekiShomeiShinsaMerge", "Activity_KosekiShomeiSakusei", "Activity_KosekiShomeiTesuryo",
          "Activity_KosekiShomeiKofu", "Event_KosekiShomeiEnd")

    march, april = peak(ANNUAL, CERT_PEAK)
    volume = Volume(ANNUAL, march, april, SHIMIN, SHOMEI, estimate(
        "S28", note="証明書全体（人口×1.2〜2件）のうち戸籍証明を約1割と仮定。3月1.25倍・4月1.3倍と仮定。"))
    process = p.build(volume, SheetPlan(ids=False))
    return FileSpec(
        "flows/koseki_shomei.bpmn", "Definitions_0kosekishomei", "Collaboration_0kosekishomei",
        (
            Pool("Participant_Seikyusha", "請求者（本人・配偶者・直系・第三者）", "Requester"),
            Pool("Participant_Shomei", "市民課 証明係", "Citizens Division, Certificates", process),
        ),
        (
            Message("Flow_MsgSeikyu", "Participant_Seikyusha", "Event_KosekiShomeiStart", "交付請求書・本人確認書類",
                    "Request form and ID"),
            Message("Flow_MsgFukofu", "Activity_KosekiShomeiFukofuSetsumei", "Participant_Seikyusha", "不交付の説明",
                    "Explain the refusal"),
            Message("Flow_MsgKofu", "Activity_KosekiShomeiKofu", "Participant_Seikyusha", "戸籍証明書", "Certificate"),
        ),
        comment="戸籍証明書の交付（広域交付を含む）。数値は人口約20万人の市を想定した例示で、業務量調査票 survey"
                ".xlsx にあります。"
                "scripts/build_flows.py で生成。",
    )
