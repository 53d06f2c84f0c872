//! The PDFs as a reader gets them: text extracted with poppler's `pdftotext`, pages counted with
//! `pdfinfo`, page 1 rendered with `pdftoppm` to `target/pdf-preview/` for a look.
//!
//! These tools come with Debian's `poppler-utils`. Where they are missing the tests still typeset
//! both documents and check they are PDFs, then say so on standard error and pass without
//! reading the PDFs' text.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use vuonlen_pdf::*;

// ---- poppler ----------------------------------------------------------------------------------

/// `true` when pdftotext, pdfinfo and pdftoppm all run; otherwise prints why the test skips.
fn poppler(test: &str) -> bool {
    let missing: Vec<&str> = ["pdftotext", "pdfinfo", "pdftoppm"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("-v").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    // Written to the process's stderr directly (in one write) so that the test harness does not
    // swallow it.
    let message =
        format!("\nSKIPPED {test}: {} not found; install the Debian package poppler-utils\n", missing.join(", "));
    let _ = std::io::stderr().write_all(message.as_bytes());
    false
}

/// `target/pdf-preview/` (CARGO_TARGET_TMPDIR is `target/tmp`).
fn preview_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir").join("pdf-preview");
    std::fs::create_dir_all(&dir).expect("create target/pdf-preview");
    dir
}

fn save(name: &str, pdf: &[u8]) -> PathBuf {
    assert!(pdf.starts_with(b"%PDF-"), "{name} is not a PDF");
    let path = preview_dir().join(name);
    std::fs::write(&path, pdf).expect("write PDF");
    path
}

fn run(tool: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(tool).args(args).arg(pdf).arg("-").output().expect(tool);
    assert!(out.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// The text of each page (pdftotext ends every page with a form feed).
fn pages_text(pdf: &Path) -> Vec<String> {
    let text = run("pdftotext", &["-enc", "UTF-8"], pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(squash).collect();
    assert_eq!(pages.pop().as_deref(), Some(""), "text after the last form feed");
    pages
}

/// The lines of each page as `pdftotext -layout` sets them (a table row on one line), white
/// space squashed.
fn layout_lines(pdf: &Path) -> Vec<Vec<String>> {
    let text = run("pdftotext", &["-layout", "-enc", "UTF-8"], pdf);
    let mut pages: Vec<Vec<String>> =
        text.split('\u{c}').map(|p| p.lines().map(squash).filter(|l| !l.is_empty()).collect()).collect();
    assert_eq!(pages.pop(), Some(vec![]), "text after the last form feed");
    pages
}

/// White space runs (line ends of justified text, table cells) as one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn page_count(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in pdfinfo output:\n{info}"))
}

/// Words of page `page` (1-based) with their horizontal extent, from `pdftotext -bbox`.
fn words(pdf: &Path, page: usize) -> Vec<(String, f64, f64)> {
    let p = page.to_string();
    let html = run("pdftotext", &["-bbox", "-enc", "UTF-8", "-f", &p, "-l", &p], pdf);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        let len = line[start..].find('"').expect("closing quote");
        line[start..start + len].parse().expect("number")
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .map(|l| {
            let text = &l[l.find('>').expect("tag end") + 1..l.rfind("</word>").expect("word end")];
            let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
            (text, attr(l, "xMin"), attr(l, "xMax"))
        })
        .collect()
}

fn centre_of(words: &[(String, f64, f64)], word: &str) -> f64 {
    let found: Vec<f64> = words.iter().filter(|w| w.0 == word).map(|w| (w.1 + w.2) / 2.0).collect();
    assert_eq!(found.len(), 1, "expected {word:?} once on the page, found {found:?}");
    found[0]
}

// ---- data -------------------------------------------------------------------------------------

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn authority() -> Authority {
    Authority {
        province_name: "Sơn La".into(),
        commune_name: "Phù Yên".into(),
        commune_kind: "XÃ".into(),
        place_name: "Phù Yên".into(),
    }
}

const SURNAMES: [&str; 15] =
    ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Quàng", "Cầm", "Hà", "Lường", "Vì"];
const MIDDLES: [&str; 6] = ["Văn", "Thị", "Đức", "Ngọc", "Thị Thu", "Xuân"];
const GIVENS: [&str; 24] = [
    "Bình", "Cường", "Dũng", "Giang", "Hải", "Hạnh", "Hương", "Khánh", "Lâm", "Minh", "Ngân", "Oanh", "Phúc", "Quế",
    "Sơn", "Tâm", "Uyên", "Vinh", "Yến", "Ánh", "Ước", "Thuỷ", "Điệp", "Nguyệt",
];
const VILLAGES: [&str; 4] = ["Bản Mường Cơi", "Bản Suối Tọ", "Tổ dân phố 3", "Bản Đá Đỏ"];

fn listed(prefix: &str, n: usize) -> Vec<ListedHousehold> {
    (0..n)
        .map(|i| ListedHousehold {
            household_code: format!("{prefix}-{:04}", i + 1),
            head_name: format!("{} {} {}", SURNAMES[i % 15], MIDDLES[(i / 15) % 6], GIVENS[i % 24]),
            village: VILLAGES[i % 4].into(),
            persons: 1 + (i as u32 * 3) % 7,
            note: if i % 10 == 3 { "Hộ nghèo phát sinh".into() } else { String::new() },
        })
        .collect()
}

fn decision() -> Decision {
    Decision {
        authority: authority(),
        number: "125/QĐ-UBND".into(),
        signed_on: date(2026, 12, 5),
        list_year: 2027,
        legal_bases: vec![
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;".into(),
            "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo đa chiều giai đoạn 2021 - 2025;".into(),
            "Căn cứ Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ quy định quy trình rà soát hộ nghèo, hộ cận nghèo hằng năm;".into(),
            "Theo đề nghị của Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo xã.".into(),
        ],
        poor: listed("HN", 120),
        near_poor: listed("CN", 7),
        escaped_poor: listed("TN", 2),
        escaped_near_poor: vec![],
        recipients: vec![
            "Như Điều 3;".into(),
            "Ủy ban nhân dân tỉnh Sơn La;".into(),
            "Sở Nông nghiệp và Môi trường tỉnh;".into(),
            "Chủ tịch, các Phó Chủ tịch UBND xã;".into(),
            "Lưu: VT, VHXH.".into(),
        ],
        signer: Signer { title: "CHỦ TỊCH".into(), on_behalf: None, name: "Lường Văn Thọ".into() },
    }
}

fn member(name: &str, relation: &str, birth_year: i32, female: bool) -> CertificateMember {
    CertificateMember {
        full_name: name.into(),
        ethnicity: "Thái".into(),
        relation: relation.into(),
        birth_year,
        female,
        note: String::new(),
    }
}

/// Typst and markup syntax in every kind of field: all of it must print as written.
const TRICKY_HEAD: &str = "Nguyễn Thị *Hoa* #x";
const TRICKY_MEMBER: &str = "Lê [Văn] $Tú$ \\ _Ánh_";
const TRICKY_ADDRESS: &str = "Số 7 #set page(width: 1cm) ]) <nhãn> @ref `raw` // không phải chú thích";
const TRICKY_NOTE: &str = "= không phải tiêu đề";

fn certificates() -> Certificates {
    Certificates {
        authority: authority(),
        list_year: 2027,
        decision_number: "125/QĐ-UBND".into(),
        decision_date: date(2026, 12, 5),
        signed_on: date(2027, 2, 3),
        signer: Signer {
            title: "PHÓ CHỦ TỊCH".into(),
            on_behalf: Some("KT. CHỦ TỊCH".into()),
            name: "Vì Thị Hương".into(),
        },
        households: vec![
            Certificate {
                number: "1/GCN-HN".into(),
                kind: CertificateKind::Poor,
                head_name: "Lò Văn Sáng".into(),
                id_number: Some("014079001234".into()),
                address: "Bản Mường Cơi, xã Phù Yên, tỉnh Sơn La".into(),
                members: vec![
                    member("Lò Văn Sáng", "Chủ hộ", 1979, false),
                    member("Quàng Thị Ín", "Vợ", 1983, true),
                    member("Lò Thị Điệp", "Con", 2008, true),
                    member("Lò Văn Khởi", "Con", 2012, false),
                ],
            },
            Certificate {
                number: "2/GCN-HCN".into(),
                kind: CertificateKind::NearPoor,
                head_name: "Cầm Văn Piểng".into(),
                id_number: None,
                address: "Bản Suối Tọ, xã Phù Yên, tỉnh Sơn La".into(),
                members: vec![member("Cầm Văn Piểng", "Chủ hộ", 1966, false)],
            },
            Certificate {
                number: "3/GCN-HN".into(),
                kind: CertificateKind::Poor,
                head_name: TRICKY_HEAD.into(),
                id_number: Some("014185000777".into()),
                address: TRICKY_ADDRESS.into(),
                members: vec![
                    member(TRICKY_HEAD, "Chủ hộ", 1990, true),
                    CertificateMember { note: TRICKY_NOTE.into(), ..member(TRICKY_MEMBER, "Con", 2015, false) },
                ],
            },
        ],
    }
}

// ---- tests ------------------------------------------------------------------------------------

#[test]
fn decision_prints_heading_articles_and_every_listed_household() {
    let d = decision();
    let pdf = save("decision.pdf", &decision_pdf(&d).expect("decision typesets"));
    if !poppler("decision_prints_heading_articles_and_every_listed_household") {
        return;
    }
    let pages = pages_text(&pdf);
    assert_eq!(pages.len(), page_count(&pdf));
    let all = pages.join(" ");
    let first = &pages[0];

    for line in [
        "ỦY BAN NHÂN DÂN",
        "XÃ PHÙ YÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 125/QĐ-UBND",
        "Phù Yên, ngày 05 tháng 12 năm 2026",
        "QUYẾT ĐỊNH",
        "Về việc công nhận danh sách hộ nghèo, hộ cận nghèo năm 2027",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ PHÙ YÊN",
        "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021 của Chính phủ quy định chuẩn nghèo đa chiều giai đoạn 2021 - 2025;",
        "QUYẾT ĐỊNH:",
    ] {
        assert!(first.contains(line), "page 1 lacks {line:?}:\n{first}");
    }

    // Điều 1 and 2 count households and persons from the lists.
    let persons = |l: &[ListedHousehold]| l.iter().map(|h| h.persons).sum::<u32>();
    let (p, n, e) = (persons(&d.poor), persons(&d.near_poor), persons(&d.escaped_poor));
    assert!(p > 120 && n > 7, "fixture sizes");
    let article1 = format!(
        "Điều 1. Công nhận 120 hộ nghèo với {p} nhân khẩu và 7 hộ cận nghèo với {n} nhân khẩu năm 2027 trên địa bàn xã Phù Yên"
    );
    assert!(all.contains(&article1), "no {article1:?} in:\n{all}");
    let article2 =
        format!("Điều 2. Công nhận 2 hộ thoát nghèo với {e} nhân khẩu và 0 hộ thoát cận nghèo với 0 nhân khẩu");
    assert!(all.contains(&article2), "no {article2:?} in:\n{all}");
    assert!(all.contains("Điều 3. Quyết định này có hiệu lực kể từ ngày ký."));

    // Recipients and signature.
    for text in ["Nơi nhận:", "- Như Điều 3;", "- Lưu: VT, VHXH.", "CHỦ TỊCH", "Lường Văn Thọ"] {
        assert!(all.contains(text), "no {text:?}");
    }
    assert!(!all.contains("KT. CHỦ TỊCH"), "the chair signs in person");

    // Annexes: every household, each list on its own pages.
    let names: HashSet<&str> = d.poor.iter().map(|h| h.head_name.as_str()).collect();
    assert_eq!(names.len(), 120, "fixture names are distinct");
    let rows: Vec<String> = layout_lines(&pdf).concat();
    for (list, households) in [("poor", &d.poor), ("near-poor", &d.near_poor), ("escaped", &d.escaped_poor)] {
        for (k, h) in households.iter().enumerate() {
            let row = format!("{} {} {} {} {}", k + 1, h.household_code, h.head_name, h.village, h.persons);
            assert!(rows.iter().any(|l| l.starts_with(&row)), "{list} household row {row:?} missing");
        }
    }
    let annex = |title: &str| pages.iter().position(|p| p.contains(title)).unwrap_or_else(|| panic!("no {title:?}"));
    let (i, ii, iii, iv) = (
        annex("DANH SÁCH HỘ NGHÈO NĂM 2027"),
        annex("DANH SÁCH HỘ CẬN NGHÈO NĂM 2027"),
        annex("DANH SÁCH HỘ THOÁT NGHÈO"),
        annex("DANH SÁCH HỘ THOÁT CẬN NGHÈO"),
    );
    assert!(0 < i && i < ii && ii < iii && iii < iv && iv == pages.len() - 1, "annex pages {i} {ii} {iii} {iv}");
    assert!(!pages[i - 1].contains("HN-0001"), "annex I starts on a new page");
    assert!(pages[i].contains(
        "(Kèm theo Quyết định số 125/QĐ-UBND ngày 05 tháng 12 năm 2026 của Chủ tịch Ủy ban nhân dân xã Phù Yên)"
    ));

    // 120 rows run over several pages, and each of them repeats the table's header row.
    let poor_pages = &pages[i..ii];
    assert!(poor_pages.len() >= 2, "120 rows fit on one page?");
    for (k, page) in poor_pages.iter().enumerate() {
        assert!(page.contains("HN-"), "annex I page {k} has no household");
        for label in ["STT", "Mã hộ", "Họ và tên chủ hộ", "Thôn/tổ dân phố", "Số nhân khẩu", "Ghi chú"]
        {
            assert!(page.contains(label), "annex I page {k} has no header {label:?}:\n{page}");
        }
        if k > 0 {
            // Annex pages are numbered on their own, from 2 on the annex's second page.
            assert!(page.starts_with(&format!("{} ", k + 1)), "annex I page {k} number:\n{page}");
        }
    }
    assert!(all.matches("Họ và tên chủ hộ").count() >= poor_pages.len() + 2);
    let total = format!("Tổng cộng: 120 hộ {p}");
    assert!(rows.contains(&total), "no total row {total:?}");

    // An empty list says so instead of printing an empty table.
    assert!(pages[iv].contains("Không có hộ nào."), "{}", pages[iv]);
    assert!(!pages[iv].contains("Họ và tên chủ hộ"));
}

#[test]
fn certificates_print_one_page_per_household_with_years_by_sex() {
    let c = certificates();
    let pdf = save("certificates.pdf", &certificates_pdf(&c).expect("certificates typeset"));
    if !poppler("certificates_print_one_page_per_household_with_years_by_sex") {
        return;
    }
    let pages = pages_text(&pdf);
    assert_eq!(page_count(&pdf), 3);
    assert_eq!(pages.len(), 3);

    for (page, h) in pages.iter().zip(&c.households) {
        for line in [
            "ỦY BAN NHÂN DÂN",
            "XÃ PHÙ YÊN",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Năm 2027",
            "Chủ tịch Ủy ban nhân dân xã Phù Yên chứng nhận:",
            // February: zero-padded month (Decree 30).
            "Phù Yên, ngày 03 tháng 02 năm 2027",
            "KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
            "Vì Thị Hương",
        ] {
            assert!(page.contains(line), "no {line:?} on:\n{page}");
        }
        assert!(page.contains(&format!("Số: {}", h.number)), "{page}");
        assert!(page.contains(&format!("Họ và tên chủ hộ: {}", h.head_name)), "{page}");
        for label in ["STT", "Họ và tên", "Dân tộc", "Quan hệ với chủ hộ", "Năm sinh", "Nam", "Nữ", "Ghi chú"]
        {
            assert!(page.contains(label), "no header {label:?} on:\n{page}");
        }
    }
    let lines = layout_lines(&pdf);
    assert_eq!(lines.len(), 3);
    for (page, h) in lines.iter().zip(&c.households) {
        for (k, m) in h.members.iter().enumerate() {
            let row = format!("{} {} {} {} {}", k + 1, m.full_name, m.ethnicity, m.relation, m.birth_year);
            assert!(page.iter().any(|l| l.starts_with(&row)), "member row {row:?} missing on:\n{}", page.join("\n"));
        }
    }
    let poor =
        "năm 2027 theo Quyết định số 125/QĐ-UBND ngày 05 tháng 12 năm 2026 của Chủ tịch Ủy ban nhân dân xã Phù Yên.";
    assert!(pages[0].contains("GIẤY CHỨNG NHẬN HỘ NGHÈO") && pages[0].contains(&format!("Là hộ nghèo {poor}")));
    assert!(pages[1].contains("GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO") && pages[1].contains(&format!("Là hộ cận nghèo {poor}")));
    assert!(pages[0].contains("Số định danh cá nhân/Căn cước công dân: 014079001234"));
    // No ID number: a dotted line to fill in by hand.
    let after = pages[1].split("Căn cước công dân:").nth(1).expect("ID label").trim_start();
    assert!(after.starts_with("....................") && after.contains("Nơi thường trú:"), "{after}");

    // Markup characters print as written: the data never becomes typst source.
    for text in [TRICKY_HEAD, TRICKY_MEMBER, TRICKY_ADDRESS, TRICKY_NOTE] {
        assert!(pages[2].contains(text), "{text:?} not printed literally on:\n{}", pages[2]);
    }

    // Year of birth under "Nam" for men, under "Nữ" for women.
    let w = words(&pdf, 1);
    let (male, female) = (centre_of(&w, "Nam"), centre_of(&w, "Nữ"));
    assert!(female > male + 20.0, "Nữ column right of Nam column");
    for (year, column) in [("1979", male), ("1983", female), ("2008", female), ("2012", male)] {
        let x = centre_of(&w, year);
        assert!((x - column).abs() < 10.0, "{year} at x={x}, its column at {column} (Nam {male}, Nữ {female})");
    }
}

#[test]
fn page_one_previews_are_rendered_to_png() {
    let previews = [
        ("decision-preview", decision_pdf(&decision()).expect("decision typesets")),
        ("certificates-preview", certificates_pdf(&certificates()).expect("certificates typeset")),
        ("replies-preview", replies_pdf(&replies()).expect("replies typeset")),
    ];
    if !poppler("page_one_previews_are_rendered_to_png") {
        return;
    }
    let dir = preview_dir();
    for (name, pdf) in previews {
        let pdf_path = save(&format!("{name}.pdf"), &pdf);
        let prefix = dir.join(name);
        let status = Command::new("pdftoppm")
            .args(["-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&pdf_path)
            .arg(&prefix)
            .status()
            .expect("pdftoppm");
        assert!(status.success());
        let png = prefix.with_extension("png");
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 1000, "{} is not a page image", png.display());
    }
}

fn replies() -> Replies {
    Replies {
        authority: authority(),
        signed_on: date(2026, 12, 5),
        signer: Signer { title: "Chủ tịch".into(), on_behalf: None, name: "Lường Văn Thọ".into() },
        recipients: vec!["Như trên;".into(), "Lưu: VT.".into()],
        replies: vec![
            Reply {
                number: "15/UBND-VX".into(),
                head_name: "Lò Văn Sáng".into(),
                address: "Bản Mường Cơi, xã Phù Yên".into(),
                form: ApplicationForm::Mau01,
                applied_on: date(2026, 11, 3),
                reason: "Thu nhập *bình quân* #vượt [chuẩn] $1.500.000 đồng\\".into(),
            },
            Reply {
                number: "16/UBND-VX".into(),
                head_name: "Quàng Thị Ín".into(),
                address: "Bản Nà Chè, xã Phù Yên".into(),
                form: ApplicationForm::Mau04,
                applied_on: date(2026, 11, 20),
                reason: "Hộ vẫn thiếu hụt 4 chỉ số dịch vụ xã hội cơ bản.".into(),
            },
        ],
    }
}

#[test]
fn replies_print_one_letter_per_household_with_its_reason_as_written() {
    let r = replies();
    let pdf = replies_pdf(&r).expect("replies typeset");
    assert!(pdf.starts_with(b"%PDF-"));
    let empty = Replies { replies: Vec::new(), ..replies() };
    assert!(matches!(replies_pdf(&empty), Err(PdfError::Empty { .. })), "nothing to print is an error");
    if !poppler("replies_print_one_letter_per_household_with_its_reason_as_written") {
        return;
    }
    let path = save("replies.pdf", &pdf);
    assert_eq!(page_count(&path), 2);
    let pages = pages_text(&path);
    assert_eq!(pages.len(), 2);
    for (p, reply) in pages.iter().zip(&r.replies) {
        for s in [
            "ỦY BAN NHÂN DÂN",
            "XÃ PHÙ YÊN",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Phù Yên, ngày 05 tháng 12 năm 2026",
            "Căn cứ kết quả rà soát theo quy định tại Quyết định số 24/2021/QĐ-TTg ngày 16 tháng 7 năm 2021 của Thủ tướng Chính phủ, hộ gia đình ông/bà không đủ điều kiện",
            "Trường hợp không đồng ý, hộ gia đình có quyền khiếu nại theo quy định của pháp luật.",
            "Nơi nhận: - Như trên; - Lưu: VT.",
            "CHỦ TỊCH",
            "Lường Văn Thọ",
        ] {
            assert!(p.contains(s), "no {s:?} on:\n{p}");
        }
        assert!(p.contains(&format!("Số: {}", reply.number)), "{p}");
        let to = format!("Kính gửi: Ông/Bà {}, {}", reply.head_name, reply.address);
        assert!(p.contains(&to), "no {to:?} on:\n{p}");
        assert!(p.contains(&format!("Lý do: {}", reply.reason)), "the reason as written on:\n{p}");
    }
    let (first, second) = (&pages[0], &pages[1]);
    for s in [
        "V/v trả lời đề nghị công nhận hộ nghèo, hộ cận nghèo",
        "nhận được Giấy đề nghị (Mẫu số 01) của hộ gia đình ông/bà ngày 03 tháng 11 năm 2026.",
        "không đủ điều kiện được công nhận là hộ nghèo, hộ cận nghèo.",
        // Typst syntax in the reason prints as written, ended with a full stop.
        "Lý do: Thu nhập *bình quân* #vượt [chuẩn] $1.500.000 đồng\\.",
    ] {
        assert!(first.contains(s), "no {s:?} on:\n{first}");
    }
    for s in [
        "V/v trả lời đề nghị công nhận hộ thoát nghèo, thoát cận nghèo",
        "nhận được Giấy đề nghị (Mẫu số 04) của hộ gia đình ông/bà ngày 20 tháng 11 năm 2026.",
        "không đủ điều kiện được công nhận thoát nghèo, thoát cận nghèo.",
        // A reason that is already a sentence keeps its one stop.
        "Lý do: Hộ vẫn thiếu hụt 4 chỉ số dịch vụ xã hội cơ bản. Trường hợp",
    ] {
        assert!(second.contains(s), "no {s:?} on:\n{second}");
    }
    assert!(!second.contains("Lò Văn Sáng") && !second.contains("Mẫu số 01"), "{second}");

    // The subject line sits in the left column, under "Số:"; "Nơi nhận" bottom-left, the
    // signature on the right.
    let w = words(&path, 1);
    let (number, subject) = (centre_of(&w, "Số:"), centre_of(&w, "V/v"));
    let (nation, motto) = (centre_of(&w, "CỘNG"), centre_of(&w, "Độc"));
    assert!(number < nation && subject < nation && subject < motto, "Số: and V/v in the left column");
    assert!(centre_of(&w, "Nơi") < centre_of(&w, "Lường"), "recipients left of the signature");
}

#[test]
fn a_monitoring_report_prints_the_heading_its_indicators_and_that_its_layout_is_unverified() {
    if !poppler("a_monitoring_report_prints_the_heading_its_indicators_and_that_its_layout_is_unverified") {
        return;
    }
    let report = MonitoringReport {
        authority: Authority {
            province_name: "Sơn La".into(),
            commune_name: "Sơn La".into(),
            commune_kind: "TỈNH".into(),
            place_name: "Sơn La".into(),
        },
        number: "12/BC-UBND".into(),
        date: date(2026, 6, 1),
        title: "Báo cáo giám sát 6 tháng".into(),
        year: 2026,
        unit: "Tỉnh Sơn La".into(),
        state: "Đã duyệt".into(),
        lines: vec![
            ReportLine {
                name: "Số hộ nghèo".into(), value: "4.321".into(), source: "Sổ hộ (kết quả rà soát)".into()
            },
            ReportLine {
                name: "Người lao động được đào tạo nghề (chưa kiểm chứng)".into(),
                value: "12".into(),
                source: "Đơn vị báo cáo".into(),
            },
        ],
        note: "Mẫu trình bày chưa kiểm chứng: Thông tư 10/2022/TT-BLĐTBXH, Phụ lục II, Mẫu số 01.".into(),
        issuer: None,
        signer: Signer {
            title: "CHỦ TỊCH".into(), on_behalf: Some("TM. ỦY BAN NHÂN DÂN".into()), name: String::new()
        },
    };
    let pdf = monitoring_report_pdf(&report).expect("typesets");
    let path = save("monitoring-report.pdf", &pdf);
    let text = squash(&pages_text(&path).join(" "));
    for want in [
        "ỦY BAN NHÂN DÂN",
        "TỈNH SƠN LA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 12/BC-UBND",
        "Sơn La, ngày 01 tháng 6 năm 2026",
        "BÁO CÁO GIÁM SÁT 6 THÁNG NĂM 2026",
        "Số hộ nghèo",
        "4.321",
        "Mẫu trình bày chưa kiểm chứng",
        "TM. ỦY BAN NHÂN DÂN",
    ] {
        assert!(text.contains(&squash(want)), "{want:?} missing from: {text}");
    }
    let empty = MonitoringReport { lines: Vec::new(), ..report };
    assert!(matches!(monitoring_report_pdf(&empty), Err(PdfError::Empty { .. })));
}
