"""印鑑登録 and 印鑑登録証明書 (counter-procedures.md §7): two processes, facts carried as BPMN properties."""

from __future__ import annotations

from flowgen.procedures.common import (
    CERT_PEAK,
    IDO_COUNTER,
    JUKI,
    MOVES_PEAK,
    PART_TIME,
    REGULAR,
    SHIMIN,
    SHOMEI,
    SHOMEI_COUNTER,
    estimate,
    peak,
)
from flowgen.spec import Evidence, FileSpec, Message, Pool, ProcessBuilder, ProcessSpec, SheetPlan, Volume

CERTIFICATES = 60000
REGISTRATIONS = 5000


def certificate() -> ProcessSpec:
    p = ProcessBuilder(
        "Process_InkanShomei", "印鑑登録証明書の交付", "Issuing seal registration certificates", carry="bpmn",
        doc="印鑑登録証明書の窓口交付（市印鑑条例）。印鑑登録証（カード）の提示が必要。",
    )
    desk = p.lane("Lane_ShomeiMadoguchi", *SHOMEI_COUNTER, doc="証明書の窓口（住民票・印鑑証明・戸籍証明で共通）。")
    make = p.lane("Lane_ShomeiSakusei", "出力・照合", "Printing and checking")
    system = p.lane("Lane_InkanSystem", "印鑑登録システム", "Seal registration system")
    p.start("Event_ShomeiStart", "証明書交付申請", "Request", desk)
    p.task("Activity_ShomeiJuryo", "manualTask", "申請書受領", "Receive the request", desk,
           "交付申請書と印鑑登録証を受け取り、番号札で呼び出す。", minutes=1, input="紙", judgment=False,
           staff=PART_TIME, src=("S20", "S24"))
    p.task("Activity_TorokushoKakunin", "businessRuleTask", "登録証確認", "Check the registration card", desk,
           "印鑑登録証（カード）の提示と、申請書の住所・氏名・生年月日の記載を確認する。", minutes=0.5, input="紙",
           judgment=False, staff=PART_TIME, src=("S20",))
    p.gateway("Gateway_Torokusho", desk, "登録証の提示あり?", "Card shown?", default="Flow_TorokushoAri")
    p.task("Activity_KofuFuka", "manualTask", "交付不可の説明", "Explain why it cannot be issued", desk,
           "印鑑登録証がなければ証明書は交付できないこと（条例）を説明し、登録証の再交付手続を案内する。",
           minutes=3, input="紙", judgment=False, staff=PART_TIME)
    p.end("Event_KofuFuka", "交付不可", "Not issued", desk)
    p.task("Activity_InkanShokai", "serviceTask", "印鑑登録原票の照会", "Look up the seal record", system,
           "印鑑登録システムで登録番号から登録原票（印影）を照会する。", minutes=0, input="電子", systems="印鑑"
                                                                                                          "登録システム",
           judgment=False)
    p.task("Activity_InkanSakusei", "userTask", "証明書作成・照合", "Print and check the certificate", make,
           "印鑑登録証明書を出力し、申請内容と照合する。", minutes=1, input="電子",
           systems="印鑑登録システム・証明発行端末", judgment=False, staff=PART_TIME, src=("S24",))
    p.task("Activity_InkanTesuryo", "manualTask", "手数料収納", "Collect the fee", desk,
           "手数料を収納し、収納レジに登録する。", minutes=0.5, input="紙", judgment=False, staff=PART_TIME,
           src=("S24",))
    p.task("Activity_InkanKofu", "manualTask", "証明書交付", "Hand over", desk,
           "申請者を呼び出し、証明書と印鑑登録証を手渡す。", minutes=0.5, input="紙", judgment=False,
           staff=PART_TIME, src=("S24",))
    p.end("Event_InkanKofuEnd", "交付完了", "Issued", desk)
    p.seq("Event_ShomeiStart", "Activity_ShomeiJuryo", "Activity_TorokushoKakunin", "Gateway_Torokusho")
    p.branch("Flow_TorokushoNashi", "Gateway_Torokusho", "Activity_KofuFuka", "なし", "No",
             condition="${not 登録証提示}", probability=0.02, note="2%と仮定。")
    p.branch("Flow_TorokushoAri", "Gateway_Torokusho", "Activity_InkanShokai", "あり", "Yes")
    p.seq("Activity_KofuFuka", "Event_KofuFuka")
    p.seq("Activity_InkanShokai", "Activity_InkanSakusei", "Activity_InkanTesuryo", "Activity_InkanKofu",
          "Event_InkanKofuEnd")
    march, april = peak(CERTIFICATES, CERT_PEAK)
    return p.build(
        Volume(CERTIFICATES, march, april, SHIMIN, SHOMEI, estimate(
            "S28", note="印鑑登録証明書 年4万〜8万件（§7）の中間。3月1.25倍・4月1.3倍と仮定。")),
        SheetPlan(ids=False, rows=()))


def registration() -> ProcessSpec:
    p = ProcessBuilder(
        "Process_InkanToroku", "印鑑登録", "Seal registration", carry="bpmn",
        doc="印鑑登録の申請から登録証の交付まで（市印鑑条例）。本人確認の方法で即日登録か文書照会かが分かれる。",
    )
    desk = p.lane("Lane_TorokuMadoguchi", *IDO_COUNTER, doc="住民異動の窓口（転入・転出・転居・印鑑登録で共通）。")
    exam = p.lane("Lane_TorokuShinsa", "審査・入力担当", "Examination and data entry")
    system = p.lane("Lane_TorokuSystem", "印鑑登録システム", "Seal registration system")
    p.start("Event_TorokuStart", "登録申請", "Application", desk)
    p.task("Activity_TorokuUketsuke", "manualTask", "申請受付", "Receive the application", desk,
           "印鑑登録申請書と登録する印鑑を受け取る。", minutes=3, input="紙", judgment=False, staff=PART_TIME,
           src=("S38",))
    p.task("Activity_TorokuHonin", "businessRuleTask", "本人確認", "Identity check", desk,
           "本人確認書類の種類から、即日登録できるか（顔写真付き証明書・保証人）を確かめる。", minutes=2, input="紙",
           judgment=False, staff=PART_TIME, src=("S38", "S39"))
    p.gateway("Gateway_Shashin", exam, "本人確認の方法?", "How is identity shown?", default="Flow_ShashinAri")
    p.task("Activity_Hoshosho", "businessRuleTask", "保証書の確認", "Check the guarantee", exam,
           "保証人（当市の印鑑登録者）の保証書と登録印を照合する。", minutes=5, input="紙", judgment=False,
           systems="印鑑登録システム", staff=REGULAR, src=("S38",))
    p.task("Activity_ShokaiSofu", "sendTask", "照会書送付", "Post the inquiry", exam,
           "本人の住所地に照会書（回答書）を郵送し、本人の意思を確かめる。", minutes=5, input="紙", judgment=False,
           staff=PART_TIME, src=("S38", "S39"))
    p.task("Activity_Kaitosho", "receiveTask", "回答書受領", "Receive the reply", desk,
           "本人が持参した回答書と本人確認書類を受け取る。", minutes=3, input="紙", judgment=False, staff=PART_TIME,
           src=("S38",))
    p.boundary("Event_KaitoKigen", "1か月経過", "One month passed", "Activity_Kaitosho", trigger="timer",
               timer=("timeDuration", "P1M"))
    p.task("Activity_InkanTorisage", "userTask", "申請取下げ処理", "Close the application", exam,
           "期限までに回答書が届かない申請を取り下げとして処理する。", minutes=5, input="紙",
           systems="印鑑登録システム", judgment=False, staff=PART_TIME, src=("S39",))
    p.end("Event_KigenGire", "登録不可（期限切れ）", "Not registered (expired)", exam)
    p.task("Activity_KaitoKakunin", "businessRuleTask", "回答書確認", "Check the reply", exam,
           "回答書の記載と押印、持参した本人を確認する。", minutes=3, input="紙", judgment=False, staff=REGULAR)
    p.gateway("Gateway_HoninMerge", exam)
    p.task("Activity_InneiShinsa", "businessRuleTask", "印影審査", "Examine the seal impression", exam,
           "印影の大きさ（8〜25mm）、欠けや変形しやすい材質でないかを審査し、登録の可否を決める。", minutes=2,
           input="紙", judgment=True, legal=True, staff=REGULAR, src=("S39",))
    p.gateway("Gateway_Innei", exam, "登録できる印影?", "Can the seal be registered?", default="Flow_InneiOK")
    p.task("Activity_InneiFuka", "manualTask", "登録不可の説明", "Explain the refusal", exam,
           "登録できない理由（大きさ・材質など）を申請者に説明する。", minutes=3, input="紙", judgment=True,
           legal=True, staff=REGULAR)
    p.end("Event_InneiFuka", "登録不可（印影）", "Not registered (seal)", exam)
    p.task("Activity_TorokuNyuryoku", "userTask", "印鑑登録入力", "Enter the registration", exam,
           "印影を読み取り、印鑑登録システムに登録する。", minutes=4, input="紙", systems="印鑑登録システム",
           judgment=False, staff=PART_TIME, src=("S8",), note="市川市は印鑑登録の入力を委託（S8）。")
    p.task("Activity_TorokuKiroku", "serviceTask", "登録原票の作成", "Create the seal record", system,
           "印鑑登録原票を作成し、登録番号を付番する。", minutes=0, input="電子", systems="印鑑登録システム",
           judgment=False)
    p.task("Activity_TorokushoKofu", "manualTask", "登録証交付", "Hand over the card", desk,
           "印鑑登録証（カード）を交付し、証明書の取り方を説明する。", minutes=1, input="紙", judgment=False,
           staff=PART_TIME)
    p.end("Event_TorokuEnd", "登録完了", "Registered", desk)

    p.seq("Event_TorokuStart", "Activity_TorokuUketsuke", "Activity_TorokuHonin", "Gateway_Shashin")
    p.branch("Flow_ShashinAri", "Gateway_Shashin", "Gateway_HoninMerge", "顔写真付き証明書", "Photo ID")
    p.branch("Flow_Hoshonin", "Gateway_Shashin", "Activity_Hoshosho", "保証人", "Guarantor",
             condition="${保証人}", probability=0.05, src=("S38",), note="5%と仮定。")
    p.branch("Flow_ShashinNashi", "Gateway_Shashin", "Activity_ShokaiSofu", "文書照会", "Postal inquiry",
             condition="${文書照会}", probability=0.15, src=("S38",), note="BPMN作成時の見込み15%。調査票では20%。")
    p.seq("Activity_Hoshosho", "Gateway_HoninMerge")
    p.seq("Activity_ShokaiSofu", "Activity_Kaitosho", "Activity_KaitoKakunin", "Gateway_HoninMerge")
    p.seq("Event_KaitoKigen", "Activity_InkanTorisage", "Event_KigenGire")
    p.seq("Gateway_HoninMerge", "Activity_InneiShinsa", "Gateway_Innei")
    p.branch("Flow_InneiNG", "Gateway_Innei", "Activity_InneiFuka", "できない", "No",
             condition="${not 登録可}", probability=0.03, src=("S39",), note="3%と仮定。")
    p.branch("Flow_InneiOK", "Gateway_Innei", "Activity_TorokuNyuryoku", "できる", "Yes")
    p.seq("Activity_InneiFuka", "Event_InneiFuka")
    p.seq("Activity_TorokuNyuryoku", "Activity_TorokuKiroku", "Activity_TorokushoKofu", "Event_TorokuEnd")
    march, april = peak(REGISTRATIONS, MOVES_PEAK)
    sheet = SheetPlan(
        ids=False,
        rows=("Activity_TorokuNyuryoku", "Flow_ShashinNashi", "Event_KaitoKigen"),
        overrides=(
            ("Activity_TorokuNyuryoku", (("step", "印鑑登録　入力"),)),
            ("Flow_ShashinNashi", (("step_id", "Flow_ShashinNashi"),)),
        ),
        values=(
            ("Flow_ShashinNashi", (("probability", 0.2),)),
            ("Event_KaitoKigen", (("probability", 0.1), ("basis", "推計"), ("sources", "S38"),
                                  ("note", "照会書を送った申請の1割が期限までに回答書を持参しないと仮定。"))),
        ),
    )
    return p.build(
        Volume(REGISTRATIONS, march, april, SHIMIN, JUKI, estimate(
            "S38", note="印鑑登録 年4千〜6千件（§7）の中間。転入に伴う登録が多いため3月2倍・4月1.7倍と仮定。"),
            bpmn_annual=REGISTRATIONS),
        sheet)


def spec() -> FileSpec:
    return FileSpec(
        "flows/inkan.bpmn", "Definitions_0inkan", "Collaboration_0inkan",
        (
            Pool("Participant_InkanShomei", "市民課 証明係", "Citizens Division, Certificates", certificate()),
            Pool("Participant_Shinseisha", "申請者（本人）", "Applicant"),
            Pool("Participant_InkanToroku", "市民課 住民記録係", "Citizens Division, Resident Records",
                 registration()),
        ),
        (
            Message("Flow_MsgShomeiShinsei", "Participant_Shinseisha", "Event_ShomeiStart", "交付申請書・登録証",
                    "Request and card"),
            Message("Flow_MsgShomei", "Activity_InkanKofu", "Participant_Shinseisha", "印鑑登録証明書",
                    "Seal certificate"),
            Message("Flow_MsgTorokuShinsei", "Participant_Shinseisha", "Event_TorokuStart", "登録申請書・印鑑",
                    "Application and seal"),
            Message("Flow_MsgShokaisho", "Activity_ShokaiSofu", "Participant_Shinseisha", "照会書", "Inquiry"),
            Message("Flow_MsgKaitosho", "Participant_Shinseisha", "Activity_Kaitosho", "回答書", "Reply"),
            Message("Flow_MsgTorokusho", "Activity_TorokushoKofu", "Participant_Shinseisha", "印鑑登録証",
                    "Registration card"),
        ),
        comment="印鑑登録証明書の交付と印鑑登録（文書照会と1か月の期限つき）。数値は人口約20万人の市を想定した例示です。"
                "scripts/build_flows.py で生成。",
    )


__all__ = ["Evidence", "spec"]
