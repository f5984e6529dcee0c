"""Sources cited by the sample figures: the keys of counter-procedures.md, with the titles and addresses listed there.

The figures in flows/survey.xlsx carry these keys (column 出典); the workbook lists them on its sheet 出典.
"""

from __future__ import annotations

SOURCES: dict[str, tuple[str, str]] = {
    "S1": (
        'kajo.co.jp 戸籍法コンメンタール p.54–55 (平成25·3·28 民一317号)',
        'https://www.kajo.co.jp/tameshiyomi/40967000001/pageindices/index54.html , …/index55.html',
    ),
    "S2": (
        'uchida.co.jp (24 窓口業務 list)',
        'http://www.uchida.co.jp/uplus/morohashi/20170731.html',
    ),
    "S3": (
        'y-kawana.jp (内閣府 2008-01-17 通知; on-site staff condition)',
        'http://y-kawana.jp/51400326/',
    ),
    "S4": (
        'watanabekenjiro.com (海老名市 視察)',
        'https://watanabekenjiro.com/entry/73340337',
    ),
    "S5": (
        '津市 仕様書 (lawinsider)',
        'https://lawinsider.com/ja/contracts/g9Cd3oXMgy3',
    ),
    "S6": (
        '藤枝市 仕様書 (lawinsider)',
        'https://lawinsider.com/zh/contracts/fJJXGBdtjXx',
    ),
    "S7": (
        '自治労連 (法務局 指摘 & 受付〜入力 split)',
        'http://www.jichiroren.jp/news/%E6%88%B8%E7%B1%8D%E4%BA%8B%E5%8B%99%E3%81%AE%E6%B0%91%E9%96%93%E5%A7%94%E8%A8%97%E3%81%AF%E7%9B%B4%E3%81%A1%E3%81%AB%E4%B8%AD%E6%AD%A2%E3%82%92%EF%BC%81/',
    ),
    "S8": (
        '市川市 入札公告 (kkj.go.jp)',
        'https://kkj.go.jp/d/?D=Y2hpYmEvY2l0eS1pY2hpa2F3YS8yMDIyLzIwMjIwNjAzXzAyNzkwCg%3D%3D&L=ja',
    ),
    "S9": (
        '北見市 書かない窓口',
        'https://www2.vled.or.jp/?p=1822',
    ),
    "S10": (
        'つくば市 RPA',
        'https://setsuyaku.ceo/post/3180/ ; https://www.work-master.net/2018125921',
    ),
    "S11": (
        '小林市 要領',
        'http://toweb.city.kobayashi.lg.jp/reiki/reiki_honbun/r346RG00000074.html',
    ),
    "S12": (
        '住民基本台帳人口移動報告 2016',
        'https://kancho-t.com/?p=3448',
    ),
    "S13": (
        '貝塚市 事務事業評価',
        'http://www.city.kaizuka.lg.jp/section/gyoseihyoka/2016/sheet/proj/030101010.html',
    ),
    "S14": (
        '石垣市 (news)',
        'https://noninternational56.rssing.com/chan-24776295/article3317.html',
    ),
    "S15": (
        '足立区 処理時間 (東京新聞 via blog)',
        'https://nozomimatsui.hatenablog.com/entry/20140619/p1',
    ),
    "S16": (
        '那珂市 特例転出',
        'https://www.city.naka.lg.jp/kurashi-tetsuduki/tetsuduki/touroku/page000500.html',
    ),
    "S17": (
        '河内長野市 オンライン転出',
        'https://www.city.kawachinagano.lg.jp/soshiki/6/85001.html',
    ),
    "S18": (
        'Graffer 転出オンライン特集',
        'https://graffer.jp/govtech/articles/govtech-tenshutsu-online',
    ),
    "S19": (
        '就業構造基本調査 2022 表18100',
        'https://ecitizen.jp/Statdb/StatsData/0004008295',
    ),
    "S20": (
        '委託仕様書 別紙2 業務詳細一覧 (municipality not named in excerpt)',
        'https://jadocz.com/doc/775943/',
    ),
    "S21": (
        '総務省 DV等支援措置',
        'https://www.soumu.go.jp/main_sosiki/jichi_gyousei/daityo/dv_shien.html',
    ),
    "S22": (
        '前橋市 (上毛新聞)',
        'https://www.jomo-news.co.jp/news/gunma/politics/74786',
    ),
    "S23": (
        '那須町 (下野新聞)',
        'https://www.shimotsuke.co.jp/articles/-/4484',
    ),
    "S24": (
        '宜野湾市 仕様書',
        'https://expydoc.com/doc/11664139/ ; 飯塚市: https://expydoc.com/doc/10872663/',
    ),
    "S25": (
        '北見市 BPR 資料 (123deta)',
        'https://123deta.com/document/yee6vw0y-',
    ),
    "S26": (
        '岩見沢市 (TBS)',
        'https://newsdig.tbs.co.jp/articles/-/229106',
    ),
    "S27": (
        '会津若松市 DV',
        'https://www.city.aizuwakamatsu.fukushima.jp/docs/2016111100049/ ; 瀬戸市: https://www.city.seto.aichi.jp/docs/2015/02/04/00028/index.html',
    ),
    "S28": (
        '習志野市議会',
        'http://gijiroku.jp/narashi/134/page30-15.html',
    ),
    "S29": (
        '内田洋行 コラム (cost model)',
        'https://www.uchida.co.jp/uplus/morohashi/20100830.html',
    ),
    "S30": (
        '共同通信 (Yahoo)',
        'https://news.yahoo.co.jp/articles/96849696ddc61f2b46bf17409e85414bd4ff6e64',
    ),
    "S31": (
        '事務事業実績測定調書 (123deta)',
        'https://123deta.com/document/q2nwg6gp-',
    ),
    "S32": (
        '成田市 郵送請求',
        'https://www.city.narita.chiba.jp/kurashi/page097400.html',
    ),
    "S33": (
        '南砺市 郵送FAQ',
        'https://www.city.nanto.toyama.jp/cms-sypher/www/service/detail_print.jsp?id=11108',
    ),
    "S34": (
        '中野区 仕様書',
        'https://expydoc.com/doc/7516916/',
    ),
    "S35": (
        '小浜市 仕様書',
        'https://expydoc.com/doc/6036625/',
    ),
    "S36": (
        '神戸市 行政事務センター 仕様書',
        'https://lawinsider.com/zh/contracts/47NgxBAFDnX',
    ),
    "S37": (
        '足立区 AI-OCR/RPA 検証',
        'https://www.city.adachi.tokyo.jp/sesaku/30gyoumukaikakumodel.html',
    ),
    "S38": (
        '四街道市 印鑑登録',
        'https://730841.pixocialhk.tech/kurashi/todokede/inkan/touroku.html',
    ),
    "S39": (
        '大洲市 印鑑登録審査要領',
        'https://www1.g-reiki.net/ozu/reiki_honbun/q437RG00000650.html',
    ),
    "S40": (
        '区 業務手順書(戸籍事務・証明書発行業務)',
        'https://happylibus.com/doc/977655/',
    ),
    "S41": (
        '東京法務局 指摘 (区議団 blog)',
        'https://blog.goo.ne.jp./nishinohara39/d/20140425',
    ),
    "S42": (
        '戸籍事務取扱準則制定標準',
        'http://xn--pqqy41ezej.com/?p=2722',
    ),
    "S43": (
        '坂祝町 戸籍届書',
        'https://www.town.sakahogi.gifu.jp/life/category01/cate01_16.html',
    ),
    "S44": (
        '人口動態統計 2023 概数',
        'https://www.hanbaishi.com/news/15635',
    ),
    "S45": (
        '公サ法34条',
        'https://iuris.jp/競争の導入による公共サービスの改革に関する法律-第三十四条-戸籍法等の特例/jpn/a/80600',
    ),
    "S46": (
        '萩市 カード受取',
        'https://www.city.hagi.lg.jp/soshiki/31/h20051.html',
    ),
    "S47": (
        '座間市 代理受取',
        'https://www.city.zama.kanagawa.jp/kurashi/koseki/mynumber/1007982.html',
    ),
    "S48": (
        '名古屋市 FAQ',
        'https://faq.city.nagoya.jp/faq/detail.aspx?id=3457',
    ),
    "S49": (
        'LIMO (更新手順)',
        'https://limo.media/articles/-/97861?page=3',
    ),
    "S50": (
        'スマホライフPLUS (総務省 2,768万人)',
        'https://sumaholife-plus.jp/life/12118',
    ),
    "S51": (
        '高崎市 国保',
        'https://www.city.takasaki.gunma.jp/docs/2014010700124/',
    ),
    "S52": (
        '女性自身 (保険証 新規発行終了)',
        'https://jisin.jp/domestic/2451617',
    ),
    "S53": (
        '内閣府 窓口民間委託検討 (H28)',
        'https://expydoc.com/doc/8516875/',
    ),
    "S54": (
        '射水市 RPA',
        'https://www.city.imizu.toyama.jp/guide/svGuideDtl.aspx?servno=43173',
    ),
    "S55": (
        '厚労省 H28 国保財政',
        'https://vdocuments.site/180307-28cec-ff-c-e.html',
    ),
    "S56": (
        '坂戸市 20歳加入',
        'https://www.city.sakado.lg.jp/soshiki/17/1353.html',
    ),
    "S57": (
        '松原市 国民年金',
        'https://www.city.matsubara.lg.jp/fukushi/hoken/2/6535.html',
    ),
    "S58": (
        '上越市 児童手当改正',
        'https://www.city.joetsu.niigata.jp/soshiki/kodomo/jidouteate-seidokaisei.html',
    ),
    "S59": (
        '児童手当 改正対象者 申請 (LGPOS)',
        'https://lgpos.task-asp.net/cu/092169/ea/residents/procedures/apply/c2de2c93-6ba3-4f8c-8880-1e74a9466ac7/start',
    ),
    "S60": (
        '越前市 (ジチタイワークス)',
        'https://jichitai.works/article/details/540',
    ),
    "S61": (
        '三木市 (日立システムズ)',
        'https://www.hitachi-systems.com/case/government/24032/index.html',
    ),
    "S62": (
        '自治調査会 別府市・つくば市',
        'https://vdocuments.site/ee-fffff019-190702-04-efceeeeoec.html',
    ),
    "S63": (
        '宇城市 (日経xTECH)',
        'https://tech.nikkeibp.co.jp/atcl/nxt/column/18/00368/070300003/',
    ),
    "S64": (
        '社労士法人 (労働局 是正指導)',
        'https://sr-clover.or.jp/20140717-3',
    ),
    "S65": (
        '東京地裁 H31.3.1',
        'https://saiban.in/d/89367',
    ),
    "S66": (
        '神奈川新聞 (海老名市)',
        'http://www.kanaloco.jp/article/131210',
    ),
    "S67": (
        '産経 (那須町)',
        'http://www.sankei.com/region/news/180628/rgn1806280049-n1.html',
    ),
    "S68": (
        '北上市 (Yahoo)',
        'https://news.yahoo.co.jp/articles/13057d7d627f873407d1dfed07904cf8a5c0a6fe',
    ),
    "S69": (
        '富士通 橋本市 事例',
        'http://www.fujitsu.com/jp/solutions/industry/public-sector/local-government/case-studies/hashimoto-kumatori.html',
    ),
    "仮定": ("本サンプル作成時の仮定（根拠資料なし。備考に考え方を記載）", ""),
}
"""Key → (what the page is, its address).  「仮定」 marks an assumption with no source behind it."""
