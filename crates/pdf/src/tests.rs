use chrono::NaiveDate;

use crate::engine::{self, Engine, Template};
use crate::*;

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

fn household(code: &str, head: &str, persons: u32) -> ListedHousehold {
    ListedHousehold {
        household_code: code.into(),
        head_name: head.into(),
        village: "Bản Mường Cơi".into(),
        persons,
        note: String::new(),
    }
}

fn decision() -> Decision {
    Decision {
        authority: authority(),
        number: "125/QĐ-UBND".into(),
        signed_on: date(2026, 12, 5),
        list_year: 2027,
        legal_bases: vec!["Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;".into()],
        poor: vec![household("HN-001", "Lò Văn Sáng", 5), household("HN-002", "Quàng Thị Ín", 3)],
        near_poor: vec![household("CN-001", "Cầm Văn Piểng", 4)],
        escaped_poor: vec![],
        escaped_near_poor: vec![household("TCN-001", "Hà Thị Ơn", 6), household("TCN-002", "Đinh Văn Ư", 2)],
        recipients: vec!["Như Điều 3;".into(), "Lưu: VT.".into()],
        signer: Signer { title: "CHỦ TỊCH".into(), on_behalf: None, name: "Lường Văn Thọ".into() },
    }
}

fn certificates() -> Certificates {
    Certificates {
        authority: authority(),
        list_year: 2027,
        decision_number: "125/QĐ-UBND".into(),
        decision_date: date(2026, 12, 5),
        signed_on: date(2026, 12, 10),
        signer: Signer {
            title: "Phó Chủ tịch".into(),
            on_behalf: Some("KT. Chủ tịch".into()),
            name: "Vì Thị Hương".into(),
        },
        households: vec![Certificate {
            number: "1/GCN-HN".into(),
            kind: CertificateKind::Poor,
            head_name: "Lò Văn Sáng".into(),
            id_number: None,
            address: "Bản Mường Cơi, xã Phù Yên, tỉnh Sơn La".into(),
            members: vec![CertificateMember {
                full_name: "Lò Văn Sáng".into(),
                ethnicity: "Thái".into(),
                relation: "Chủ hộ".into(),
                birth_year: 1979,
                female: false,
                note: String::new(),
            }],
        }],
    }
}

fn replies() -> Replies {
    Replies {
        authority: authority(),
        signed_on: date(2026, 12, 5),
        signer: Signer { title: "Chủ tịch".into(), on_behalf: None, name: "Lường Văn Thọ".into() },
        recipients: vec!["Như trên;".into(), "  ".into(), "Lưu: VT.".into()],
        replies: vec![
            Reply {
                number: "15/UBND".into(),
                head_name: "Lò Văn Sáng".into(),
                address: "Bản Mường Cơi, xã Phù Yên".into(),
                form: ApplicationForm::Mau01,
                applied_on: date(2026, 11, 3),
                reason: " Thu nhập *bình quân* #vượt [chuẩn] $1.500.000 đồng ".into(),
            },
            Reply {
                number: "16/UBND".into(),
                // "Quàng Thị Ín" decomposed (NFD).
                head_name: "Qua\u{300}ng Thi\u{323} I\u{301}n".into(),
                address: "Bản Nà Chè, xã Phù Yên".into(),
                form: ApplicationForm::Mau04,
                applied_on: date(2026, 2, 9),
                reason: "Hộ vẫn thiếu hụt 4 chỉ số dịch vụ xã hội cơ bản.".into(),
            },
        ],
    }
}

#[test]
fn dates_follow_decree_30_zero_padding() {
    // Days 1–9 and the months January and February take a leading zero; other months do not.
    assert_eq!(vietnamese_date(date(2026, 12, 5)), "ngày 05 tháng 12 năm 2026");
    assert_eq!(vietnamese_date(date(2021, 1, 27)), "ngày 27 tháng 01 năm 2021");
    assert_eq!(vietnamese_date(date(2026, 2, 9)), "ngày 09 tháng 02 năm 2026");
    assert_eq!(vietnamese_date(date(2026, 3, 15)), "ngày 15 tháng 3 năm 2026");
    assert_eq!(vietnamese_date(date(2026, 9, 1)), "ngày 01 tháng 9 năm 2026");
    assert_eq!(vietnamese_date(date(2026, 10, 10)), "ngày 10 tháng 10 năm 2026");
}

#[test]
fn decision_view_counts_the_lists_and_normalises_text() {
    let mut d = decision();
    // "Phù Yên" decomposed (NFD): u + grave, e + circumflex as combining marks.
    d.authority.commune_name = "Phu\u{300} Ye\u{302}n".into();
    d.authority.commune_kind = "đặc khu".into();
    let v = serde_json::to_value(view::decision(&d)).expect("serialisable");
    assert_eq!(v["poor"]["households"], 2);
    assert_eq!(v["poor"]["persons"], 8);
    assert_eq!(v["near_poor"]["households"], 1);
    assert_eq!(v["near_poor"]["persons"], 4);
    assert_eq!(v["escaped_poor"]["households"], 0);
    assert_eq!(v["escaped_poor"]["persons"], 0);
    assert_eq!(v["escaped_near_poor"]["persons"], 8);
    assert_eq!(v["authority"]["name"], "Phù Yên");
    assert_eq!(v["authority"]["name_upper"], "PHÙ YÊN");
    assert_eq!(v["authority"]["kind_upper"], "ĐẶC KHU");
    assert_eq!(v["authority"]["kind_lower"], "đặc khu");
    assert_eq!(v["date"], "ngày 05 tháng 12 năm 2026");
    assert!(v["signer"]["on_behalf"].is_null());
}

#[test]
fn certificate_view_marks_missing_id_and_upper_cases_titles() {
    let v = serde_json::to_value(view::certificates(&certificates())).expect("serialisable");
    let h = &v["households"][0];
    assert!(h["id_number"].is_null());
    assert_eq!(h["poor"], true);
    assert_eq!(v["signer"]["title"], "PHÓ CHỦ TỊCH");
    assert_eq!(v["signer"]["on_behalf"], "KT. CHỦ TỊCH");
    assert_eq!(v["decision_date"], "ngày 05 tháng 12 năm 2026");
    assert_eq!(v["date"], "ngày 10 tháng 12 năm 2026");
}

#[test]
fn reply_view_words_each_form_and_ends_the_reason_with_a_stop() {
    let v = serde_json::to_value(view::replies(&replies())).expect("serialisable");
    assert_eq!(v["date"], "ngày 05 tháng 12 năm 2026");
    assert_eq!(v["signer"]["title"], "CHỦ TỊCH");
    assert_eq!(v["recipients"], serde_json::json!(["Như trên;", "Lưu: VT."]));
    assert_eq!(v["authority"]["kind_lower"], "xã");

    let first = &v["replies"][0];
    assert_eq!(first["number"], "15/UBND");
    assert_eq!(first["form"], "01");
    assert_eq!(first["subject"], "công nhận hộ nghèo, hộ cận nghèo");
    assert_eq!(first["asked"], "được công nhận là hộ nghèo, hộ cận nghèo");
    assert_eq!(first["applied"], "ngày 03 tháng 11 năm 2026");
    // Trimmed, kept as written, a full stop added.
    assert_eq!(first["reason"], "Thu nhập *bình quân* #vượt [chuẩn] $1.500.000 đồng.");

    let second = &v["replies"][1];
    assert_eq!(second["form"], "04");
    assert_eq!(second["subject"], "công nhận hộ thoát nghèo, thoát cận nghèo");
    assert_eq!(second["asked"], "được công nhận thoát nghèo, thoát cận nghèo");
    assert_eq!(second["applied"], "ngày 09 tháng 02 năm 2026");
    assert_eq!(second["head"], "Quàng Thị Ín", "NFC");
    // Already a sentence: no second stop.
    assert_eq!(second["reason"], "Hộ vẫn thiếu hụt 4 chỉ số dịch vụ xã hội cơ bản.");
}

#[test]
fn replies_need_a_letter_and_a_reason_for_each() {
    let empty = Replies { replies: Vec::new(), ..replies() };
    let err = replies_pdf(&empty).expect_err("nothing to print");
    assert!(matches!(err, PdfError::Empty { .. }), "{err:?}");

    let mut r = replies();
    r.replies[1].reason = " \t".into();
    let err = replies_pdf(&r).expect_err("no reason");
    assert!(matches!(err, PdfError::Incomplete { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("reply 2 (16/UBND, to Qua"), "{message}");
    assert!(message.contains("states no reason"), "{message}");
}

#[test]
fn templates_compile_without_warnings() {
    let mut d = decision();
    let r = engine::render(Template::Decision, &view::decision(&d)).expect("decision typesets");
    assert!(r.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(r.warnings, Vec::<String>::new());

    // Every list empty, and a vice-chair signing for the chair.
    d.poor.clear();
    d.near_poor.clear();
    d.escaped_near_poor.clear();
    d.signer =
        Signer {
            title: "PHÓ CHỦ TỊCH".into(), on_behalf: Some("KT. CHỦ TỊCH".into()), name: "Vì Thị Hương".into()
        };
    let r = engine::render(Template::Decision, &view::decision(&d)).expect("empty decision typesets");
    assert_eq!(r.warnings, Vec::<String>::new());

    let r = engine::render(Template::Certificates, &view::certificates(&certificates())).expect("certificate typesets");
    assert!(r.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(r.warnings, Vec::<String>::new());

    // The letters, then without any recipient and signed for the chair.
    let mut r = replies();
    let out = engine::render(Template::Replies, &view::replies(&r)).expect("replies typeset");
    assert!(out.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(out.warnings, Vec::<String>::new());
    r.recipients.clear();
    r.signer = certificates().signer;
    let out = engine::render(Template::Replies, &view::replies(&r)).expect("replies typeset");
    assert_eq!(out.warnings, Vec::<String>::new());

    // A monitoring report, signed for the committee by its chair (no name yet).
    let report = MonitoringReport {
        authority: authority(),
        number: "12/BC-UBND".into(),
        date: date(2026, 6, 1),
        title: "Báo cáo giám sát 6 tháng".into(),
        year: 2026,
        unit: "Xã Phù Yên".into(),
        state: "Đã nộp".into(),
        lines: vec![ReportLine { name: "Số hộ nghèo".into(), value: "43".into(), source: "Sổ hộ".into() }],
        note: "Mẫu trình bày chưa kiểm chứng.".into(),
        issuer: None,
        signer: Signer {
            title: "CHỦ TỊCH".into(), on_behalf: Some("TM. ỦY BAN NHÂN DÂN".into()), name: String::new()
        },
    };
    let out = engine::render(Template::Monitoring, &view::monitoring(&report)).expect("report typesets");
    assert!(out.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(out.warnings, Vec::<String>::new());
    // The country's, issued by the national office.
    let national = MonitoringReport {
        issuer: Some(Issuer {
            parent: "Bộ Nông nghiệp và Môi trường".into(),
            name: "Văn phòng Quốc gia về giảm nghèo".into(),
            place: "Hà Nội".into(),
        }),
        ..report
    };
    let out = engine::render(Template::Monitoring, &view::monitoring(&national)).expect("national report typesets");
    assert!(out.pdf.starts_with(b"%PDF-"), "not a PDF");
    assert_eq!(out.warnings, Vec::<String>::new());
}

#[test]
fn typst_errors_name_the_template_line_and_column() {
    let engine = Engine::new(&[("broken.typ", "= Title\n\nSome text #nowhere-defined here.\n")]);
    let err = engine.render("broken.typ", "test document", &()).expect_err("unknown variable");
    let message = err.to_string();
    assert!(matches!(err, PdfError::Typeset { .. }), "{err:?}");
    assert!(message.contains("test document"), "{message}");
    assert!(message.contains("broken.typ:3:12: unknown variable: nowhere-defined"), "{message}");
}

#[test]
fn a_missing_template_is_reported_by_name() {
    let engine = Engine::new(&[]);
    let err = engine.render("absent.typ", "test document", &()).expect_err("no such file");
    let message = err.to_string();
    assert!(matches!(err, PdfError::Typeset { .. }), "{err:?}");
    assert!(message.contains("file not found") && message.contains("absent.typ"), "{message}");
}
