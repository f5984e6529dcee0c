"""The texts of :mod:`bpm.messages`: message id → (Japanese, English).

Placeholders (``{path}``, ``{count}``…) are the machine-checkable parts —
paths, ids, numbers, option names — and are the same in both languages.
Ids: ``cli.*`` run messages, ``skip.*`` reasons a file is left out,
``err.*`` errors and their hints, ``inspect.*`` the summary of ``bpm inspect``,
``stage.*`` progress-bar labels, ``help.*`` option help, ``cmd.*`` command help.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------------ framing of every message
    "cli.error": ("bpm: エラー: {message}", "bpm: error: {message}"),
    "cli.note": ("bpm: 注意: {message}", "bpm: note: {message}"),
    "cli.note_plain": ("注意: {message}", "note: {message}"),
    "cli.skipped": ("bpm: 対象外 {path}: {reason}", "bpm: skipped {path}: {reason}"),
    "cli.interrupted": ("bpm: 中断しました", "bpm: interrupted"),
    "cli.internal": (
        "bpm: 内部エラー: {kind}: {detail}（--debug を付けて再実行すると詳細が表示されます）",
        "bpm: internal error: {kind}: {detail} (rerun with --debug for the traceback)",
    ),
    "cli.wrote": ("{path} を書き出しました", "wrote {path}"),
    "cli.summary": ("bpm: {text}", "bpm: {text}"),
    # ------------------------------------------------------------------ option values
    "err.max_size": (
        "{value} は 0.001〜{limit} MB の大きさではありません",
        "{value} is not a size between 0.001 and {limit} MB",
    ),
    "err.jobs": ("{value} はプロセス数（1以上）ではありません", "{value} is not a number of processes (1 or more)"),
    "err.cases_form": ("業務=件数 の形で指定してください（{value!r}）", "expected PROCESS=N, got {value!r}"),
    "err.cases_number": ("{name!r} の年間件数: {error}", "annual cases of {name!r}: {error}"),
    "err.lint_no_files": (
        "BPMNファイルかフォルダを1つ以上指定してください", "give at least one BPMN file or directory"
    ),
    "err.unknown_rules": ("不明な規則: {rules}", "unknown rule(s): {rules}"),
    "err.out_and_publish": ("--out と --publish はどちらか一方を指定してください", "give either --out or --publish, not both"),
    "err.survey_xlsx": ("調査票は .xlsx ファイルに書き出します", "the survey workbook must be an .xlsx file"),
    # ------------------------------------------------------------------ why a file is not read
    "skip.resource_fork": ("macOSのリソースフォーク（AppleDouble）で、モデルではありません",
                           "macOS resource fork (AppleDouble), not a model"),
    "skip.hidden_file": ("隠しファイル", "hidden file"),
    "skip.draft": ("編集中の一時ファイルまたはロックファイル", "editor draft or lock file"),
    "skip.own_output": ("この実行の出力フォルダ", "the output folder of this run"),
    "skip.report_folder": ("bpm scan が書き出したレポートのフォルダ", "a report folder written by bpm scan"),
    "skip.hidden_folder": ("隠しフォルダ", "hidden folder"),
    "skip.macosx": ("macOSのアーカイブ用メタデータ", "macOS archive metadata"),
    "skip.other_city": (
        "別の自治体のフォルダです（municipality.toml があります。比較は bpm compare で行います）",
        "another municipality's portfolio (it holds a municipality.toml; compare it with bpm compare)",
    ),
    "skip.symlink": ("フォルダへのシンボリックリンクは辿りません", "symbolic link to a folder, not followed"),
    # ------------------------------------------------------------------ input errors
    "err.report_as_input": (
        "このフォルダは bpm scan が書き出したレポート（またはこの実行の出力先）で、入力ではありません",
        "this folder is a report written by bpm scan (or this run's output), not input",
    ),
    "err.report_as_input_hint": (
        "BPMNファイルのあるフォルダを指定し、レポートは別の場所に書き出してください",
        "scan the folder holding the BPMN files, and write the report elsewhere",
    ),
    "err.no_bpmn": ("フォルダにBPMNファイル（{suffixes}）がありません", "no BPMN files ({suffixes}) in directory"),
    "err.two_surveys": (
        "調査票が{count}つあります: {files}。どちらを読むかは推測しません",
        "{count} survey sheets found: {files}; which one to read is not guessed",
    ),
    "err.two_surveys_and": (" と ", " and "),
    "err.two_surveys_hint": (
        "フォルダに調査票を1つだけ置くか、読むものを --survey で指定してください",
        "keep one survey sheet in the folder, or name the one to read with --survey",
    ),
    "err.two_profiles": (
        "スコアリングプロファイルが{count}つあります: {files}。どちらを使うかは推測しません",
        "{count} scoring profiles found: {files}; which one to use is not guessed",
    ),
    "err.two_profiles_hint": (
        "団体ごとに別々に実行するか（bpm score は団体フォルダを複数渡すと団体ごとに評価します）、"
        "使うものを --profile で指定してください",
        "run each municipality on its own (bpm score given several city folders scores each apart), or name the "
        "profile to use with --profile",
    ),
    "err.write_report": ("レポートを書き出せません: {reason}", "cannot write the report: {reason}"),
    "err.write_pictures": ("{out} に図を書き出せません: {reason}", "cannot write pictures to {out}: {reason}"),
    "err.write_to": ("{out} に書き出せません: {reason}", "cannot write to {out}: {reason}"),
    "err.read_file": ("ファイルを読めません: {reason}", "cannot read file: {reason}"),
    "err.file_grew": ("読み込み中にファイルが大きさの上限を超えました", "file grew over the size limit while being read"),
    "err.unsolvable": (
        "{count}件のフローは件数が計算できないため評価できません。何も書き出していません",
        "{count} flow(s) cannot be scored because their volumes cannot be computed; nothing written",
    ),
    "err.unsolvable_hint": (
        "入力を直すか、--exclude-unsolvable を付けてそのフローを合計と順位から除いて公開してください",
        "fix the input, or pass --exclude-unsolvable to publish with those flows left out of totals and ranking",
    ),
    "err.strict": (
        "--strict: データの不足が{count}件あります（上に一覧）。何も書き出していません",
        "--strict: {count} data gap(s), listed above; nothing written",
    ),
    "err.strict_hint": (
        "一覧の調査票の行を記入・修正するか、--strict を外して既定値のまま公開してください",
        "fill in or correct the survey rows listed, or run without --strict to publish with defaults",
    ),
    "err.not_a_folder": ("フォルダではありません", "not a folder"),
    "err.not_a_folder_hint": ("自治体ごとに {metadata} のあるフォルダを1つずつ指定してください",
                              "give one folder per city, holding {metadata}"),
    "err.no_metadata": ("自治体のフォルダに {metadata} がありません", "no {metadata} in the city folder"),
    "err.no_metadata_hint": (
        '団体名・人口・類似団体区分・年度を書いてください: "団体名" = "○○市" …（README 参照）',
        'write 団体名, 人口, 類似団体区分 and 年度: "団体名" = "○○市" … (see the README)',
    ),
    "err.city_twice": ("自治体のフォルダ {folder} が2回指定されています", "the city folder {folder} is given twice"),
    "err.annotate_overwrite": ("注記付きの写しが入力 {input} を上書きしてしまいます",
                               "the annotated copy would overwrite the input {input}"),
    "err.annotate_overwrite_hint": ("入力ファイルを含まない --out フォルダを指定してください",
                                    "choose an --out directory that holds none of the input files"),
    "err.annotate_clash": ("{first} と {second} がどちらも {target} に書き出されてしまいます",
                           "{first} and {second} would both be written to {target}"),
    "err.annotate_clash_hint": ("別々に注記するか、ファイルの代わりに共通のフォルダを指定してください",
                                "annotate them separately, or pass their common directory instead of the files"),
    "err.layout_overwrite": ("配置した写しが入力を上書きしてしまいます", "the laid-out copy would overwrite the input"),
    "err.layout_overwrite_hint": ("--out に新しいファイル名を指定してください（元のファイルはそのまま残ります）",
                                  "give --out a new file name; the original is kept as it is"),
    "err.survey_from_clash": (
        "{out} は既にあります。記入済みの値が {earlier} の値で置き換わってしまいます",
        "{out} exists: its filled-in values would be replaced by those of {earlier}",
    ),
    "err.survey_from_clash_hint": (
        "--out で新しいファイルに書き出すか、--from を外して記入済みの値を引き継いでください",
        "write to a new file with --out, or leave out --from to keep its values",
    ),
    "err.survey_unreadable": (
        "{out} は既にあり、調査票として読めないため上書きしません: {message}",
        "{out} exists and cannot be read as a survey sheet, so it is not overwritten: {message}",
    ),
    "err.survey_unreadable_hint": ("示されたセルを直すか、--out で別のファイルに書き出してください",
                                   "fix the cell named, or write to another file with --out"),
    "err.cities_mixed": ("{path} は自治体のフォルダ（{metadata} のあるフォルダ）ではありません。自治体のフォルダは"
                         "それだけを並べて指定してください",
                         "{path} is not a city folder (one holding {metadata}); give city folders only, or none"),
    "err.cities_mixed_hint": ("団体ごとに別の表を出力します。ほかのフローは別の bpm score で評価してください",
                              "each city gets its own table; score other flows with a separate bpm score"),
    "err.cities_option": ("自治体のフォルダを複数指定したときは {option} を使えません",
                          "{option} cannot be used with several city folders"),
    "err.cities_option_hint": ("各団体のフォルダにある調査票・{profile} を使います。1団体ずつ評価するときは指定できます",
                               "each city's own survey sheet and {profile} are used; score one city at a time to "
                               "give it"),
    "err.cities_out_twice": ("団体 {first} と {second} の出力先が同じ {path} になります",
                             "cities {first} and {second} would both be written to {path}"),
    # ------------------------------------------------------------------ progress and notes
    "cli.reading": ("[{index}/{total}] 読み込み中 {path}", "[{index}/{total}] reading {path}"),
    "cli.drawing": ("[{index}/{total}] 作図中 {path}", "[{index}/{total}] drawing {path}"),
    "cli.annotating": ("注記中 {path}", "annotating {path}"),
    "cli.scoring": ("手順を評価しています", "scoring steps"),
    "cli.preparing_downloads": ("ダウンロード用ファイルを準備しています", "preparing downloads"),
    "cli.using_survey": ("調査票 {path} を使います", "using survey sheet {path}"),
    "cli.using_profile": ("スコアリングプロファイル {path} を使います", "using scoring profile {path}"),
    "cli.profile_not_read": ("{other} は使いません（--profile で {profile} を指定）",
                             "{other} is not used: --profile names {profile}"),
    "cli.survey_not_read": ("{other} は読みません（--survey で {survey} を指定）",
                            "{other} is not read: --survey names {survey}"),
    "cli.no_colours": ("処理区分の色なしで描きます: {message}", "drawing without disposition colours: {message}"),
    "cli.small_print": (
        "{key}: {title}: {paper}（{orientation}）では名前が {points} pt で印刷されます。読める大きさには {bigger} を使ってください",
        "{key}: {title}: names print at {points} pt on {paper} {orientation}; use {bigger} for a readable copy",
    ),
    "cli.bigger_paper": ("--paper A3", "--paper A3"),
    "cli.bigger_other": ("SVG版かレポートサイトの2ページ印刷", "the SVG copy or the report site's two-page print"),
    "cli.excluded": (
        "bpm: {count}件のフローを合計と順位から除きました（--exclude-unsolvable）",
        "bpm: {count} flow(s) excluded from totals and ranking (--exclude-unsolvable)",
    ),
    "cli.orphan_decision": (
        "注意: {sheet}:{row}: 業務 {process} の手順 {step}{name} への判断（{what}）: この手順はフローにもうありません",
        "note: {sheet}:{row}: decision ({what}) for step {step}{name} of process {process}: "
        "the step is no longer in the flows",
    ),
    "cli.no_decision_yet": ("判断未記入", "no 判断 yet"),
    "cli.decisions_matched": (
        "判断{matched}件を照合、{orphans}件はフローにもうない手順への判断",
        "{matched} decision(s) matched, {orphans} for steps no longer in the flows",
    ),
    "cli.score_written": ("{path} を書き出しました（{steps}手順）", "wrote {path} ({steps} steps)"),
    "cli.site_written": (
        "レポートを {target} に書き出しました（{count}ファイル）。ブラウザで {url} を開いてください",
        "report written to {target} ({count} files); open {url} in a browser",
    ),
    "cli.publish_unchanged": (
        "bpm: {out} は最新です。新しい版はなく、何も書き出していません",
        "bpm: {out} is already up to date: no new version, nothing written",
    ),
    "cli.publish_done": (
        "bpm: 新しい版{new}件、廃止したフロー{removed}件。以前の版は {versions} に残しています",
        "bpm: {new} new version(s), {removed} flow(s) removed (廃止); earlier versions kept under {versions}",
    ),
    "cli.no_annotated_copy": ("{path}: レポートに注記付きの写しを入れられません: {reason}",
                              "{path}: no annotated copy in the report: {reason}"),
    "cli.compare_written": (
        "比較サイトを {target} に書き出しました（{count}ファイル）。ブラウザで {url} を開いてください",
        "comparison written to {target} ({count} files); open {url} in a browser",
    ),
    "cli.city_assessed": ("[{index}/{total}] {folder} を評価しました（{flows}フロー）",
                          "[{index}/{total}] assessed {folder} ({flows} flows)"),
    "cli.mapping_unused": ("{file}:{line}: 対応表の行 {flow!r} → {procedure} に合うフローがありません",
                           "{file}:{line}: mapping row {flow!r} → {procedure} matched no flow"),
    "cli.no_salt": (
        "--salt（または BPM_COMPARE_SALT）がないため、団体コードはこの実行だけの無作為なもので、次回は変わります",
        "no --salt (or BPM_COMPARE_SALT): city codes are random for this run and differ next time",
    ),
    "cli.unmatched_flow": (
        "{city}/{file}: フロー {flow!r} はどの標準手続にも当たりません（一覧には載せ、比較はしません）",
        "{city}/{file}: flow {flow!r} matches no standard procedure (listed on the overview, not compared)",
    ),
    "cli.annotated_written": ("注記付きファイル{count}件を {out} に書き出しました",
                              "{count} annotated file(s) written to {out}"),
    "cli.pictures_written": ("{count}ファイルを {out} に書き出しました", "{count} file(s) written to {out}"),
    "cli.layout_written": ("{out} を書き出しました（図{diagrams}枚に{shapes}図形）",
                           "wrote {out} ({shapes} shapes in {diagrams} diagram(s))"),
    "cli.carrying_over": ("{source} の記入済みの値を引き継ぎます", "carrying over the values of {source}"),
    "cli.survey_orphan": (
        "{file}:{line}: {process}/{step}: {reason}。対応する手順がないため、シート「前回の行（対応なし）」に残しました",
        "{file}:{line}: {process}/{step}: {reason}; kept on the sheet 前回の行（対応なし）",
    ),
    "cli.survey_written": (
        "{out} を書き出しました: 業務{flows}行、手順{steps}行、分岐{branches}行。前回の行{kept}件を引き継ぎ、"
        "{orphans}件は対応なし{kept_orphans}",
        "wrote {out}: {flows} 業務, {steps} 手順, {branches} 分岐の行; {kept} earlier row(s) carried over, "
        "{orphans} without a place{kept_orphans}",
    ),
    "cli.survey_kept_orphans": ("、前回の「前回の行」シートから{count}件を保持",
                                ", {count} kept from the earlier 前回の行 sheet"),
    "cli.cities_separately": (
        "自治体のフォルダ{count}件: 団体ごとに別のポートフォリオとして評価し、団体ごとに表を出力します"
        "（プロファイル・調査票・職員の配置は団体ごと。課・係の名前が同じでも団体をまたいで職員を共有しません）",
        "{count} city folders: each is assessed as its own portfolio and gets its own table (its own profile, "
        "survey sheet and posts: staff are never shared across cities, even under the same 課/係 name)",
    ),
    "cli.city_scoring": ("[{index}/{total}] {folder}（{name}）: プロファイル {profile}",
                         "[{index}/{total}] {folder} ({name}): profile {profile}"),
    "cli.city_score_written": ("{name}: {path} を書き出しました（{steps}手順、この団体だけの評価）",
                               "{name}: wrote {path} ({steps} steps, this city alone)"),
    "cli.default_profile": ("既定値（profile.toml なし）", "defaults (no profile.toml)"),
    # ------------------------------------------------------------------ bpm inspect
    "inspect.exporter": ("  作成ツール: {exporter}", "  exporter: {exporter}"),
    "inspect.pools": ("  プール（{count}）:", "  pools ({count}):"),
    "inspect.to_process": (" → プロセス {id}", " → process {id}"),
    "inspect.black_box": ("（中身なし）", " (black box)"),
    "inspect.processes": ("  プロセス（{count}）:", "  processes ({count}):"),
    "inspect.elements": ("      要素: {counts}; sequenceFlow {flows}", "      elements: {counts}; sequenceFlow {flows}"),
    "inspect.none": ("なし", "none"),
    "inspect.lanes": ("      レーン:", "      lanes:"),
    "inspect.lane": ("{name}（{count}要素）", "{name} ({count} nodes)"),
    "inspect.message_flows": ("  メッセージフロー: {count}", "  message flows: {count}"),
    "inspect.diagrams": ("  図: {count}", "  diagrams: {count}"),
    "inspect.findings": ("  検査結果（{count}）:", "  findings ({count}):"),
    "inspect.no_findings": ("  検査結果: なし", "  findings: none"),
    # ------------------------------------------------------------------ progress-bar labels
    "stage.reading": ("読み込み", "reading"),
    "stage.scoring": ("評価", "scoring"),
    "stage.drawing": ("図の出力", "drawing"),
    "stage.pages": ("ページ作成", "writing pages"),
    "stage.annotating": ("注記", "annotating"),
    # ------------------------------------------------------------------ option help
    "help.lang": (
        "メッセージとヘルプの言語（既定: BPM_LANG、英語のロケールなら en、それ以外は ja）。",
        "Language of messages and help (default: BPM_LANG, else en for an English locale, else ja).",
    ),
    "help.debug": ("エラーのトレースバックを表示します。", "Show tracebacks for errors."),
    "help.quiet": ("標準エラーに進捗を表示しません。", "No progress output on stderr."),
    "help.max_size": ("読み込むBPMNファイルの上限（MB、最大 {limit}）。", "Largest BPMN file to read, in MB (at most {limit})."),
    "help.jobs": (
        "ファイルごとの処理（読み込み・作図・ページ作成）のプロセス数。既定: CPUコア数。N によらず出力は同じです。",
        "Processes for per-flow work (reading, drawing, pages). Default: the number of cores. "
        "The output is the same for any N.",
    ),
    "help.disable": ("この規則を検査しません（複数指定可）。", "Skip a rule (repeatable)."),
    "help.list_rules": ("規則の一覧を表示して終了します（テキスト、または --format json/sarif）。",
                        "List the rules and exit (as text, or with --format json/sarif)."),
    "help.lint_format": (
        "text: 1行に1件、json: スクリプト用、sarif: エディタやCI用の SARIF 2.1.0。",
        "text: one line per finding; json: for scripts; sarif: SARIF 2.1.0 for editors and CI systems.",
    ),
    "help.lint_out": ("標準出力の代わりにこのファイルへ書き出します。", "Write the report to this file instead of stdout."),
    "help.graph_process": ("プロセスID（既定: コラボレーション、または唯一のプロセス）。",
                           "Process id (default: the collaboration, or the only process)."),
    "help.expand": ("サブプロセスの中身を展開します。", "Inline sub-process content."),
    "help.out_stdout": ("出力ファイル（既定: 標準出力）。", "Output file (default: stdout)."),
    "help.render_format": ("出力形式（複数指定可。既定: svg・png・pdf）。", "Output format (repeatable; default: svg, png and pdf)."),
    "help.render_layout": (
        "auto: モデラーの座標、座標のないファイルは Graphviz。di: 座標のみ。dot: Graphviz。",
        "auto: the modeler's coordinates, Graphviz where a file has none; di: coordinates only; dot: Graphviz.",
    ),
    "help.paper": ("PNG・PDFの用紙サイズ。", "Sheet size of PNG and PDF copies."),
    "help.orientation": ("PNG・PDFの用紙の向き（landscape: 横、portrait: 縦）。", "Sheet orientation of PNG and PDF copies."),
    "help.plain": ("モデルのとおりに描きます（処理区分の色・凡例なし、評価しません）。",
                   "Draw the flow as modelled: no disposition colours, no legend (nothing is scored)."),
    "help.render_survey": ("色分けに使う業務量調査票（既定: 指定フォルダの survey.xlsx/survey.csv）。",
                           "業務量調査 sheet for the colours (default: survey.xlsx/survey.csv in a named directory)."),
    "help.render_profile": ("色分けに使う評価プロファイル（TOML）。", "Scoring profile TOML for the colours."),
    "help.render_out": ("図を書き出すフォルダ。", "Directory for the pictures."),
    "help.survey": ("業務量調査票（CSV または XLSX）。既定: 対象フォルダの survey.xlsx/survey.csv。",
                    "業務量調査 sheet (CSV or XLSX). Default: survey.xlsx/survey.csv in a scanned directory."),
    "help.profile": ("評価プロファイル（TOML、既定のプロファイルを上書き）。",
                     "Scoring profile TOML (overrides the default profile)."),
    "help.cases": ("業務（IDまたは名前）の年間件数。複数指定可。", "Annual case count of a process (id or name); repeatable."),
    "help.decisions": ("判断・担当・コメントを記入した結果表（レビューの判断）をレポートに読み込みます。",
                       "A results sheet with 判断 / 担当 / コメント filled in (review decisions), read back into the "
                       "report."),
    "help.strict": (
        "データの誤り（書かれたとおりに使えなかった調査票の行・列、計算できなかった数値）をすべてエラーとし、不足を一覧にして"
        "何も書き出さずに終了コード1で終わります。不足だけのデータ（まだ記入していない行、既定値のままの手順）は数えるだけでエラーにしません。",
        "Treat every mistake in the data (a survey row or column not used as written, a figure that could not be "
        "computed) as an error: list every gap and exit 1 without writing anything. Missing data alone (rows not "
        "filled in yet, steps on default values) is counted, not an error.",
    ),
    "help.exclude_unsolvable": (
        "件数が計算できないフロー（分岐の割合の誤り、抜けられないループ）があっても公開します。そのフローは合計と順位から除き、"
        "エラーとして示します。既定: 終了コード1。",
        "Publish even when a flow's volumes cannot be computed (bad branch shares, a loop without exit): "
        "that flow is left out of totals and ranking and reported as an error. Default: exit 1.",
    ),
    "help.score_out": ("results.csv、results.xlsx または results.json", "results.csv, results.xlsx or results.json"),
    "help.score_lang": (
        "CSV/XLSXの見出し・語句・追加シートの言語（JSONのキーは英語のまま）。",
        "Language of the CSV/XLSX headers, words and extra sheets (JSON keys stay English).",
    ),
    "help.publish": (
        "各フローの以前の版を残し、変更の要約・差分ページ・最近の変更のページ付きでサイトを SITE_DIR に書き出します（--out の代わり）。",
        "Write the site to SITE_DIR keeping every earlier version of each flow, with change summaries, "
        "diff pages and a page of recent changes (instead of --out).",
    ),
    "help.title": ("レポートの表題（既定: 業務プロセス RPA候補レポート）。", "Report title (default: 業務プロセス RPA候補レポート)."),
    "help.compare_title": ("サイトの表題（既定: 窓口業務の自治体間比較）。", "Site title (default: 窓口業務の自治体間比較)."),
    "help.anonymise": ("団体名をコードに置き換え、自由記述の備考をすべての出力から除きます。",
                       "Replace city names by codes and remove free-text notes from every output file."),
    "help.salt": (
        "団体コードの秘密鍵（環境変数 BPM_COMPARE_SALT）。同じ鍵なら毎年同じコードになります。既定: この実行だけの無作為な鍵。",
        "Secret key of the city codes (env BPM_COMPARE_SALT); the same salt gives the same codes every year. "
        "Default: a random salt for this run.",
    ),
    "help.diagrams": (
        "全団体のフローを描く（all）、上位の団体のみ（leaders、大規模な比較向け）、描かない（none）。",
        "Draw every city's flows, only the leading cities' (large comparisons), or none.",
    ),
    "help.annotate_out": ("注記付きの写しを書き出すフォルダ。", "Directory for the annotated copies."),
    "help.layout_out": ("書き出すファイル。", "The file to write."),
    "help.survey_out": ("書き出すブック（.xlsx）。既にあれば記入済みの値をすべて引き継ぎます。",
                        "The workbook to write (.xlsx). When it exists, every value filled in is kept."),
    "help.survey_from": (
        "値を引き継ぐ記入済みの調査票（CSV または XLSX。既定: --out のファイルがあればそれ）。",
        "A filled survey sheet (CSV or XLSX) whose values to carry over (default: --out when it exists).",
    ),
    "help.diff_format": (
        "table: 端末に表示、json: 他のツール用、html: 両方の図を載せた1枚の自己完結ページ。",
        "table: on the terminal; json: for other tools; html: one self-contained page with both diagrams.",
    ),
    "help.diff_out": ("このファイルに書き出します（既定: 標準出力）。", "Write to this file (default: stdout)."),
    # ------------------------------------------------------------------ command help
    "cmd.main": (
        "窓口業務のBPMNを読み込み、RPA化・民間委託・職員保持の候補を評価します。",
        "BPM RPA candidate scanner: map counter processes, find RPA and outsourcing candidates.",
    ),
    "cmd.inspect": ("BPMNファイルの概要（プール・レーン・要素数・検査結果）を表示します。",
                    "Summarise BPMN files: pools, lanes, element counts and lint findings."),
    "cmd.lint": (
        "BPMNの構造を検査します。エラーがあれば終了コード1。\n\n一緒に指定したファイルは相互にも検査します（2つのファイルの同じID、別ファイルのプロセスを"
        "呼ぶ呼び出しアクティビティ）。読めないファイルはエラーとして示し、他のファイルの検査は続けます。",
        "Check BPMN files together; exit 1 when any error-level finding is reported. Files given together are also "
        "checked against each other (the same id in two files, a call activity whose process is in another file). "
        "A file that cannot be read is reported as an unreadable-file error and the others are still checked.",
    ),
    "cmd.graph": ("NetworkX のグラフ（GraphML / JSON）を出力します。",
                  "Write the NetworkX graph of a BPMN file as GraphML or node-link JSON."),
    "cmd.render": (
        "業務フロー図をSVG・PNG・PDFで出力します（マニュアル掲載用）。\n\nPNG・PDFは用紙（A4/A3）に表題欄（フロー名・版の日付・凡例）を"
        "付けて配置します。ファイル名は入力フォルダからの相対パスで決まり、どこから実行しても同じです。",
        "Draw every diagram as SVG, PNG or PDF for manuals and slides. PNG and PDF copies sit on a sheet (A4/A3) "
        "with a title block (flow, version date, legend). File names follow the path inside the input folder, "
        "the same from wherever the command runs.",
    ),
    "cmd.score": ("手順ごとに評価し、結果の表（CSV・XLSX・JSON）を出力します。",
                  "Score every step and write the ranked table (CSV, XLSX or JSON)."),
    "cmd.scan": ("読み込み・検査・評価を行い、HTMLレポートを作成します（主な使い方）。",
                 "Import, check, score and write the HTML report site (the main job)."),
    "cmd.compare": (
        "同じ標準手続を自治体間で比較し、比較サイトを出力します。\n\nヒートマップ・手続別・団体別のページを作ります。CITY_DIR は1団体ずつ: "
        "municipality.toml（団体名・人口・類似団体区分・年度）、BPMNフロー、必要なら survey.csv/xlsx・profile.toml・"
        "procedures.csv（業務 → 標準手続）。",
        "Compare the same standard procedures across municipalities and write the comparison site. Each CITY_DIR "
        "holds one municipality: municipality.toml (団体名, 人口, 類似団体区分, 年度), its BPMN flows, and "
        "optionally survey.csv/xlsx, profile.toml and procedures.csv (業務 → 標準手続).",
    ),
    "cmd.annotate": (
        "評価結果（色・スコア・理由）を書き込んだBPMNを出力します（Camunda Modeler / bpmn.io で開けます）。",
        "Write each BPMN file back with its scores and disposition colours, to reopen in the modeler.",
    ),
    "cmd.layout": (
        "図の座標（BPMN DI）がないファイルに、Graphviz で配置した図を追加します（レーンは横帯、左から右へ）。",
        "Add a diagram laid out by Graphviz to a BPMN file without one, so that a modeler can open it.",
    ),
    "cmd.survey": (
        "BPMNファイルから業務量調査票を作成します。\n\n記入要領・業務・手順・分岐の行と入力規則があります。既存の調査票を指定すると、"
        "記入済みの値を手順IDで引き継ぎます。",
        "Write a 業務量調査 workbook pre-filled from the BPMN files, ready to fill in Excel; values already filled "
        "in an earlier sheet are carried over by step id.",
    ),
    "cmd.diff": (
        "2つの版のフローを比較し、変更点と評価の変化を示します。\n\n変更点は追加・削除・名称・種類・担当・フロー・分岐条件、評価は時間・人工・処理区分です。",
        "Show what changed between two versions of a flow, and how hours, FTE and dispositions moved.",
    ),
}
