//! The official report forms: written, read back with calamine, checked cell by cell.

use crate::common::{date, sample};
use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use std::path::Path;
use vuonlen_core::Class;
use vuonlen_core::IndicatorSet;
use vuonlen_core::classify::Subgroups;
use vuonlen_core::codes::PovertyCause;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::movement::{HouseholdPath, MovementCounts, MovementTally};
use vuonlen_core::report::{ChildCounts, HouseholdFacts, Residents, UnitTally, causes_mask};
use vuonlen_core::standard::Standard;
use vuonlen_core::text::nfc;
use vuonlen_io::forms::{
    DetailedListWriter, Form, FormError, FormMeta, FormRow, ListHousehold, ListMember, ProfileTally, RateBase,
    TEMPLATE_NOTE_VI, write_form, write_forms, write_movement_form, write_profile_form,
};

const DATA_ROW: u32 = 8;

fn standard() -> std::sync::Arc<Standard> {
    vuonlen_core::Standards::embedded().expect("load").get("2022-2025").expect("exists")
}

fn meta() -> FormMeta {
    FormMeta {
        unit_code: "15".into(),
        unit_name: "Tỉnh Lào Cai".into(),
        period: "2025".into(),
        start_period: Some("2024".into()),
        standard_id: "2022-2025".into(),
        as_of: date(2025, 12, 31),
        base: RateBase::Counted,
        unverified: Vec::new(),
        unclassified: None,
        unmapped: Vec::new(),
    }
}

fn tay() -> Ethnicity {
    Ethnicity::parse("Tày").expect("listed")
}

fn mong() -> Ethnicity {
    Ethnicity::parse("H'Mông").expect("listed")
}

#[allow(clippy::too_many_arguments)]
fn facts(class: Class, persons: u32, deprived: u32, eth: Ethnicity, causes: &[PovertyCause]) -> HouseholdFacts {
    HouseholdFacts {
        class,
        persons,
        deprived: IndicatorSet(deprived),
        subgroups: Subgroups {
            no_labour_capacity: persons == 1,
            ethnic_minority: eth.is_minority(),
            merit: persons == 2,
            children: persons >= 3,
            elderly: persons == 1,
            disabled: false,
        },
        head_ethnicity: eth,
        causes: causes_mask(causes),
        // Even sizes: local ethnic minority and health support; odd: other support.
        form8: if persons.is_multiple_of(2) { 0b000_0011 } else { 0b100_0000 },
        // Of the two middle-living households, the one of three persons farms (NLNDN).
        nlndn: class == Class::Middle && persons == 3,
        children: ChildCounts {
            children: persons.saturating_sub(2),
            no_health_insurance: u32::from(persons >= 4),
            malnourished: u32::from(persons >= 5),
            not_in_school: u32::from(persons >= 3),
            schooling_deprived: 0,
        },
    }
}

/// Two communes and their total.
fn tallies() -> (Vec<FormRow<UnitTally>>, UnitTally) {
    use PovertyCause::*;
    let a = [
        facts(Class::Poor, 4, 0b0000_0011_0101, tay(), &[NoLand, NoCapital]),
        facts(Class::Poor, 1, 0b1111_0000_0000, Ethnicity::KINH, &[Illness]),
        facts(Class::NearPoor, 5, 0b0000_0000_0001, mong(), &[]),
        facts(Class::Middle, 3, 0, Ethnicity::KINH, &[]),
        facts(Class::NotPoor, 2, 0, Ethnicity::KINH, &[]),
        facts(Class::NotPoor, 6, 0b1, Ethnicity::parse("Thái").expect("listed"), &[]),
    ];
    let b = [
        facts(Class::Poor, 2, 0b0000_1100_0000, mong(), &[NoCapital]),
        facts(Class::NearPoor, 3, 0b0000_0000_0110, Ethnicity::KINH, &[NoSkills, Other]),
        facts(Class::NearPoor, 4, 0, tay(), &[NoCapital]),
        facts(Class::Middle, 7, 0, tay(), &[]),
    ];
    let mut rows = Vec::new();
    let mut total = UnitTally::new();
    for (code, name, set) in [("04378", "Xã Bảo Nhai", &a[..]), ("04381", "Phường Sa Pa", &b[..])] {
        let mut t = UnitTally::new();
        for f in set {
            t.add(f);
        }
        total.merge(&t);
        rows.push(FormRow { code: code.into(), name: name.into(), tally: t, residents: None });
    }
    (rows, total)
}

fn read(path: &Path, sheet: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open the written workbook");
    wb.worksheet_range(sheet).expect("sheet exists")
}

fn at(r: &Range<Data>, row: u32, col: u32) -> Data {
    r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn text(r: &Range<Data>, row: u32, col: u32) -> String {
    match at(r, row, col) {
        Data::String(s) => s,
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

fn num(r: &Range<Data>, row: u32, col: u32) -> f64 {
    match at(r, row, col) {
        Data::Float(v) => v,
        Data::Int(v) => v as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

/// Every heading and label of the two heading rows, joined.
fn headings(r: &Range<Data>) -> String {
    let mut s = String::new();
    for row in 5..=6 {
        for c in 0..r.width() as u32 {
            if let Data::String(t) = at(r, row, c) {
                s.push_str(&t);
                s.push('|');
            }
        }
    }
    s
}

/// Every string cell is NFC.
fn assert_all_nfc(r: &Range<Data>) {
    for row in r.rows() {
        for c in row {
            if let Data::String(s) = c {
                assert_eq!(nfc(s), s.as_str(), "not NFC: {s}");
            }
        }
    }
}

fn assert_title(r: &Range<Data>, form: Form) {
    assert_eq!(text(r, 0, 0), format!("Biểu số {:02}", form.number()));
    let title = text(r, 1, 0);
    assert!(title.starts_with(form.title_vi()), "{title}");
    assert!(title.ends_with("NĂM 2025"), "{title}");
    let sub = text(r, 2, 0);
    assert!(sub.contains("Tỉnh Lào Cai (mã 15)"), "{sub}");
    assert!(sub.contains("Chuẩn nghèo 2022-2025"), "{sub}");
    assert!(sub.contains("31/12/2025"), "{sub}");
    assert!(text(r, 3, 0).starts_with(TEMPLATE_NOTE_VI));
    assert!(text(r, 3, 0).contains("chưa được đối chiếu với phụ lục Thông tư 07/2021/TT-BLĐTBXH"));
}

/// Rows of data: (first row, rows per unit); checks numeric cells, rounding, and that the
/// total rows equal the sums of the sub-unit rows in `count_cols`.
fn check_body(r: &Range<Data>, first_value_col: u32, per_unit: u32, units: u32, count_cols: &[u32], rate_cols: &[u32]) {
    let last = first_value_col + (count_cols.len() + rate_cols.len()) as u32;
    assert_eq!(r.width() as u32, last, "value columns");
    assert_eq!(r.height() as u32, DATA_ROW + per_unit * (units + 1), "rows: the total and each unit");
    for k in 0..per_unit {
        for &c in count_cols {
            let total = num(r, DATA_ROW + k, c);
            let sum: f64 = (1..=units).map(|u| num(r, DATA_ROW + u * per_unit + k, c)).sum();
            assert_eq!(total, sum, "column {c}, sub-row {k}: the total is the sum of the units");
            assert_eq!(total.fract(), 0.0);
        }
        for u in 0..=units {
            for &c in rate_cols {
                let v = num(r, DATA_ROW + u * per_unit + k, c);
                assert_eq!((v * 100.0).round() / 100.0, v, "rate rounded to two decimals");
                assert!((0.0..=100.0).contains(&v));
            }
        }
    }
    // Unit names and codes.
    assert_eq!(text(r, DATA_ROW, 2), "Tổng cộng");
    assert_eq!(text(r, DATA_ROW, 1), "15");
    assert_eq!(num(r, DATA_ROW + per_unit, 0), 1.0, "STT is a number");
}

fn write(dir: &Path, form: Form) -> Range<Data> {
    let (rows, total) = tallies();
    let path = dir.join(format!("bieu{}.xlsx", form.number()));
    write_form(&path, form, &standard(), &meta(), &rows, &total).expect("write the form");
    let r = read(&path, &form.sheet_name());
    assert_title(&r, form);
    assert_all_nfc(&r);
    r
}

#[test]
fn form_1_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = write(dir.path(), Form::F1);
    let h = headings(&r);
    for s in [
        "Tổng số hộ dân cư",
        "Tổng số nhân khẩu",
        "Hộ nghèo",
        "Hộ cận nghèo",
        "Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình",
    ] {
        assert!(h.contains(s), "{s} in {h}");
    }
    assert!(h.contains("Tỷ lệ (%)"));
    assert_eq!(text(&r, 7, 6), "4 = 3/1×100");
    check_body(&r, 3, 1, 2, &[3, 4, 5, 7, 9, 11, 13, 15], &[6, 8, 10, 12, 14, 16]);
    // Total: 10 households, 37 persons; 3 poor (30.00 %), 3 near-poor, 2 middle.
    assert_eq!(num(&r, DATA_ROW, 3), 10.0);
    assert_eq!(num(&r, DATA_ROW, 4), 37.0);
    assert_eq!(num(&r, DATA_ROW, 5), 3.0);
    assert_eq!(num(&r, DATA_ROW, 6), 30.0);
    assert_eq!(num(&r, DATA_ROW, 11), 7.0, "persons of poor households");
    assert_eq!(num(&r, DATA_ROW, 12), 18.92, "7/37 = 18.918… %");
    assert_eq!(text(&r, DATA_ROW + 1, 2), "Xã Bảo Nhai");
    // Middle-living: only the NLNDN household (3 persons) of the two in the income band.
    assert_eq!(num(&r, DATA_ROW, 9), 1.0);
    assert_eq!(num(&r, DATA_ROW, 15), 3.0);
}

#[test]
fn forms_4_to_7_deprivations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let std = standard();
    let d = std.indicators.len() as u32;
    for form in [Form::F4, Form::F6] {
        let r = write(dir.path(), form);
        let h = headings(&r);
        assert!(h.contains("1. Việc làm"), "{h}");
        assert!(h.contains("10. Nhà tiêu hợp vệ sinh"), "{h}");
        assert!(h.contains("Tổng số lượt chỉ số thiếu hụt"));
        assert!(h.contains("Y tế") || h.contains("Giáo dục"), "dimension groups: {h}");
        let counts: Vec<u32> = (3..5 + d).collect();
        check_body(&r, 3, 1, 2, &counts, &[]);
    }
    let r = write(dir.path(), Form::F4);
    // Poor: 3 households, deprivations 4 + 4 + 2 = 10; employment (bit 0) in 1.
    assert_eq!(num(&r, DATA_ROW, 3), 3.0);
    assert_eq!(num(&r, DATA_ROW, 4), 10.0);
    assert_eq!(num(&r, DATA_ROW, 5), 1.0);
    for form in [Form::F5, Form::F7] {
        let r = write(dir.path(), form);
        let rates: Vec<u32> = (4..4 + d).collect();
        check_body(&r, 3, 1, 2, &[3], &rates);
    }
    let r = write(dir.path(), Form::F5);
    // 1 of 3 poor households deprived in employment: 33.33 %.
    assert_eq!(num(&r, DATA_ROW, 4), 33.33);
    // Commune 2 has one poor household, deprived in indicators 7 and 8.
    assert_eq!(num(&r, DATA_ROW + 2, 4 + 6), 100.0);
    assert_eq!(num(&r, DATA_ROW + 2, 4), 0.0);
}

#[test]
fn form_8_target_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = write(dir.path(), Form::F8);
    let h = headings(&r);
    for s in [
        "Nhóm hộ",
        "Hộ không có khả năng lao động",
        "Hộ có người có công với cách mạng",
        "Chủ hộ là người dân tộc thiểu số",
        "Hộ dân tộc tại chỗ",
        "Hộ đã nhận hỗ trợ",
        "Y tế",
        "Giáo dục",
        "Sản xuất",
        "Tín dụng",
        "Nhà ở",
        "Khác",
    ] {
        assert!(h.contains(s), "{s} in {h}");
    }
    // The review software exports none of these: not columns of form 8.
    for s in ["trẻ em", "cao tuổi", "khuyết tật"] {
        assert!(!h.contains(s), "{s} in {h}");
    }
    check_body(&r, 4, 2, 2, &(4..15).collect::<Vec<_>>(), &[]);
    assert_eq!(text(&r, DATA_ROW, 3), "Hộ nghèo");
    assert_eq!(text(&r, DATA_ROW + 1, 3), "Hộ cận nghèo");
    // Poor: 3 households; no labour capacity (1 person) 1; ethnic minority 2; local ethnic
    // minority and health support the two of even size; other support the one of odd size.
    assert_eq!(num(&r, DATA_ROW, 4), 3.0);
    assert_eq!(num(&r, DATA_ROW, 5), 1.0);
    assert_eq!(num(&r, DATA_ROW, 7), 2.0);
    assert_eq!(num(&r, DATA_ROW, 8), 2.0);
    assert_eq!(num(&r, DATA_ROW, 9), 2.0);
    assert_eq!(num(&r, DATA_ROW, 10), 0.0);
    assert_eq!(num(&r, DATA_ROW, 14), 1.0);
}

#[test]
fn form_9_ethnicity_only_groups_present() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = write(dir.path(), Form::F9);
    let h = headings(&r);
    assert!(h.contains("Dân tộc thiểu số"));
    for s in ["Kinh", "Tày", "Mông"] {
        assert!(h.contains(s), "{s} in {h}");
    }
    assert!(!h.contains("Thái"), "the Thái household is not poor nor near-poor: no column");
    assert!(!h.contains("Khmer"));
    // Total, minority, Kinh, Tày, Mông: 5 pairs.
    check_body(&r, 3, 1, 2, &(3..13).collect::<Vec<_>>(), &[]);
    assert_eq!((num(&r, DATA_ROW, 3), num(&r, DATA_ROW, 4)), (3.0, 3.0));
    assert_eq!((num(&r, DATA_ROW, 5), num(&r, DATA_ROW, 6)), (2.0, 2.0), "minority heads");
}

#[test]
fn form_10_causes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = write(dir.path(), Form::F10);
    let h = headings(&r);
    for s in ["Thiếu đất sản xuất", "Thiếu vốn", "Ốm đau, bệnh nặng, tai nạn", "Không ghi nguyên nhân"]
    {
        assert!(h.contains(s), "{s} in {h}");
    }
    check_body(&r, 4, 2, 2, &(4..14).collect::<Vec<_>>(), &[]);
    // Poor: capital cited by 2; near-poor: 1 without a cause.
    assert_eq!(num(&r, DATA_ROW, 6), 2.0);
    assert_eq!(num(&r, DATA_ROW + 1, 13), 1.0);
}

#[test]
fn form_11_children() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = write(dir.path(), Form::F11);
    let h = headings(&r);
    for s in
        ["Trẻ em thuộc hộ nghèo", "Trẻ em thuộc hộ cận nghèo", "Không có thẻ BHYT", "Suy dinh dưỡng", "Không đi học"]
    {
        assert!(h.contains(s), "{s} in {h}");
    }
    // Four columns per group, as the review software exports them: no "schooling on track" column.
    assert!(!h.contains("đúng cấp"), "{h}");
    check_body(&r, 3, 1, 2, &(3..11).collect::<Vec<_>>(), &[]);
    // Poor children: 2 + 0 + 0; near-poor: 3 + 1 + 2.
    assert_eq!(num(&r, DATA_ROW, 3), 2.0);
    assert_eq!(num(&r, DATA_ROW, 7), 6.0);
}

#[test]
fn several_forms_in_one_workbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, total) = tallies();
    let path = dir.path().join("all.xlsx");
    write_forms(&path, &Form::TALLY, &standard(), &meta(), &rows, &total).expect("write");
    let wb: Xlsx<_> = open_workbook(&path).expect("open");
    let names: Vec<String> = wb.sheet_names().to_vec();
    assert_eq!(
        names,
        ["Biểu 01", "Biểu 04", "Biểu 05", "Biểu 06", "Biểu 07", "Biểu 08", "Biểu 09", "Biểu 10", "Biểu 11"]
    );
}

fn path(start: Option<Class>, end: Option<Class>, ps: u32, pe: u32, before: bool) -> HouseholdPath {
    HouseholdPath {
        start,
        end,
        persons_start: ps,
        persons_end: pe,
        was_poor_before_start: before,
        was_near_poor_before_start: before,
        // Absent at the start: moved in (column 8).
        arrived: start.is_none(),
    }
}

fn movements() -> (Vec<FormRow<MovementTally>>, MovementTally) {
    use Class::*;
    let a = [
        path(Some(Poor), Some(Poor), 4, 3, false),
        path(Some(Poor), Some(NearPoor), 5, 5, false),
        path(Some(Poor), Some(NotPoor), 2, 2, false),
        path(Some(NearPoor), Some(Poor), 3, 4, false),
        path(Some(Middle), Some(Poor), 6, 6, true),
        path(None, Some(NearPoor), 0, 2, false),
    ];
    let b = [
        path(Some(Poor), None, 1, 0, false),
        path(Some(NotPoor), Some(Poor), 3, 3, false),
        path(Some(NearPoor), Some(NearPoor), 2, 5, false),
        path(Some(NearPoor), Some(Middle), 4, 4, false),
        path(Some(Middle), Some(NearPoor), 3, 3, true),
    ];
    let mut rows = Vec::new();
    let mut total = MovementTally::new();
    for (code, name, set) in [("04378", "Xã Bảo Nhai", &a[..]), ("04381", "Phường Sa Pa", &b[..])] {
        let mut t = MovementTally::new();
        for p in set {
            t.add(p);
        }
        total.merge(&t);
        rows.push(FormRow { code: code.into(), name: name.into(), tally: t, residents: None });
    }
    (rows, total)
}

#[test]
fn forms_2_and_3_movements() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, total) = movements();
    for form in [Form::F2, Form::F3] {
        let p = dir.path().join(format!("bieu{}.xlsx", form.number()));
        write_movement_form(&p, form, &meta(), &rows, &total).expect("write");
        let r = read(&p, &form.sheet_name());
        assert_title(&r, form);
        assert_all_nfc(&r);
        assert!(text(&r, 2, 0).contains("Đầu kỳ: năm 2024; cuối kỳ: năm 2025"));
        let h = headings(&r);
        for s in ["Giảm trong kỳ", "Tăng trong kỳ", "Phát sinh mới", "Phân tổ"] {
            assert!(h.contains(s), "{s} in {h}");
        }
        assert!(h.contains(if form == Form::F2 { "Tái nghèo" } else { "Tái cận nghèo" }), "{h}");
        assert_eq!(text(&r, 7, 12), "9 = 1−2−3−4+5+6+7+8");
        check_body(&r, 4, 2, 2, &(4..13).collect::<Vec<_>>(), &[]);
        // The identity on every written row.
        for row in DATA_ROW..DATA_ROW + 6 {
            let mut cols = [0u64; 9];
            for (i, c) in (4..13).enumerate() {
                cols[i] = num(&r, row, c) as u64;
            }
            assert_eq!(MovementCounts::computed_end(&cols), i128::from(cols[8]), "row {row}: {cols:?}");
        }
        assert_eq!(text(&r, DATA_ROW, 3), "Hộ");
        assert_eq!(text(&r, DATA_ROW + 1, 3), "Nhân khẩu");
    }
    // Form 2, total households: start 4 (3 + 1), end 4; columns 2, 3, 4, 5, 6, 7 one each.
    let r = read(&dir.path().join("bieu2.xlsx"), "Biểu 02");
    let row: Vec<f64> = (4..13).map(|c| num(&r, DATA_ROW, c)).collect();
    assert_eq!(row, [4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 4.0]);
    // Persons: start 4+5+2+1 = 12; col 4 = 1 (gone) + 1 (member left); end 3+4+6+3 = 16.
    let row: Vec<f64> = (4..13).map(|c| num(&r, DATA_ROW + 1, c)).collect();
    assert_eq!(row, [12.0, 5.0, 2.0, 2.0, 4.0, 6.0, 3.0, 0.0, 16.0]);
}

/// The tallies and movements of the same two communes, as forms 12–13 read them.
fn profiles(with_movements: bool) -> (Vec<FormRow<ProfileTally>>, ProfileTally) {
    let (trows, ttotal) = tallies();
    let (mrows, mtotal) = movements();
    let rows = trows
        .into_iter()
        .zip(mrows)
        .map(|(t, m)| {
            assert_eq!(t.code, m.code);
            let tally = ProfileTally { tally: t.tally, movement: with_movements.then_some(m.tally) };
            FormRow { code: t.code, name: t.name, tally, residents: None }
        })
        .collect();
    (rows, ProfileTally { tally: ttotal, movement: with_movements.then_some(mtotal) })
}

#[test]
fn forms_12_and_13_by_the_multidimensional_standard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, total) = profiles(true);
    for form in [Form::F12, Form::F13] {
        let p = dir.path().join(format!("bieu{}.xlsx", form.number()));
        write_profile_form(&p, form, &meta(), &rows, &total).expect("write");
        let r = read(&p, &form.sheet_name());
        assert_title(&r, form);
        assert_all_nfc(&r);
        let h = headings(&r);
        let short = if form == Form::F12 { "nghèo" } else { "cận nghèo" };
        for s in [
            format!("Hộ {short} cũ (từ đầu kỳ)"),
            format!("Hộ {short} mới"),
            format!("Hộ tái {short}"),
            "Hộ không có khả năng lao động".into(),
            "Hộ dân tộc tại chỗ".into(),
            "Hộ đã nhận hỗ trợ".into(),
            "Tổng số lượt chỉ số thiếu hụt".into(),
        ] {
            assert!(h.contains(&s), "{s} in {h}");
        }
        assert!(text(&r, 3, 0).contains("nguồn thứ cấp"), "the reconstructed layout is flagged");
        check_body(&r, 3, 1, 2, &(3..20).collect::<Vec<_>>(), &[]);
        // Old + new + re-entered = the group at the end of the period (form 2 / 3 column 9),
        // on every row.
        for row in DATA_ROW..DATA_ROW + 3 {
            let origin: f64 = (5..8).map(|c| num(&r, row, c)).sum();
            let unit = if row == DATA_ROW { &total } else { &rows[(row - DATA_ROW - 1) as usize].tally };
            let m = unit.movement.as_ref().expect("movements").of(if form == Form::F12 {
                vuonlen_core::report::Group::Poor
            } else {
                vuonlen_core::report::Group::NearPoor
            });
            assert_eq!(origin, m.households[8] as f64, "row {row}");
        }
    }
    // Form 12, total: 3 poor households of 7 persons; from form 2's total [4,1,1,1,1,1,1,0,4]:
    // old 4 − 3 = 1, new 1 + 1 + 0 = 2, re-poor 1; no labour capacity 1, merit 1, ethnic
    // minority head 2, local ethnic minority 2; health support 2, other support 1; 4 + 4 + 2
    // deprivations; children 2 + 0 + 0.
    let r = read(&dir.path().join("bieu12.xlsx"), "Biểu 12");
    let row: Vec<f64> = (3..20).map(|c| num(&r, DATA_ROW, c)).collect();
    assert_eq!(row, [3.0, 7.0, 1.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 10.0, 2.0]);
}

#[test]
fn forms_12_and_13_without_a_start_period_leave_the_origin_blank() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, total) = profiles(false);
    let p = dir.path().join("bieu13.xlsx");
    let mut m = meta();
    m.start_period = None;
    write_profile_form(&p, Form::F13, &m, &rows, &total).expect("write");
    let r = read(&p, "Biểu 13");
    assert!(text(&r, 3, 0).contains("Cột 3–5 để trống"), "{}", text(&r, 3, 0));
    for row in DATA_ROW..DATA_ROW + 3 {
        for c in 5..8 {
            assert_eq!(at(&r, row, c), Data::Empty, "({row}, {c})");
        }
    }
    // Near-poor: 1 + 2 households of 5 + 3 + 4 persons.
    assert_eq!(num(&r, DATA_ROW, 3), 3.0);
    assert_eq!(num(&r, DATA_ROW, 4), 12.0);
    assert!(write_profile_form(&p, Form::F8, &m, &rows, &total).is_err(), "form 8 is not a profile form");
}

#[test]
fn a_movement_form_is_not_a_tally_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, total) = tallies();
    let p = dir.path().join("x.xlsx");
    let e = write_form(&p, Form::F2, &standard(), &meta(), &rows, &total).expect_err("form 2 is a movement form");
    assert!(matches!(e, FormError::WrongForm { form: 2, .. }), "{e}");
    let (mrows, mtotal) = movements();
    assert!(write_movement_form(&p, Form::F1, &meta(), &mrows, &mtotal).is_err());
    assert!(DetailedListWriter::create(&p, Form::F4, &standard(), &meta()).is_err());
    assert!(!p.exists());
}

#[test]
fn failure_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rows, total) = tallies();
    let p = dir.path().join("missing-dir").join("bieu1.xlsx");
    let e = write_form(&p, Form::F1, &standard(), &meta(), &rows, &total).expect_err("no such directory");
    assert!(e.to_string().contains("Cannot write"), "{e}");
    assert!(!p.exists());
    // A list dropped before finish leaves no file, and a finished one no temporary file.
    let p = dir.path().join("list.xlsx");
    let std = standard();
    let mut w = DetailedListWriter::create(&p, Form::F15, &std, &meta()).expect("create");
    let rec = sample(1);
    let c = vuonlen_core::classify(&std, &rec.household, date(2025, 12, 31)).expect("classify");
    w.push_record(&rec, &c).expect("push");
    drop(w);
    assert_eq!(std::fs::read_dir(dir.path()).expect("list dir").count(), 0, "nothing written");
    write_form(&dir.path().join("ok.xlsx"), Form::F1, &std, &meta(), &rows, &total).expect("write");
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names, ["ok.xlsx"]);
}

#[test]
fn forms_14_and_15_detailed_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let std = standard();
    let as_of = date(2025, 12, 31);
    let p = dir.path().join("bieu15.xlsx");
    let mut w = DetailedListWriter::create(&p, Form::F15, &std, &meta()).expect("create");
    let recs: Vec<_> = (0..3).map(sample).collect();
    for rec in &recs {
        let c = vuonlen_core::classify(&std, &rec.household, as_of).expect("classify");
        w.push_record(rec, &c).expect("push");
    }
    // And one by hand, with full Vietnamese names.
    let hh = ListHousehold {
        household_code: "HN-0042",
        head_name: "Đặng Thị Hường",
        village: "Thôn Nậm Cang",
        address: "Xã Bảo Nhai",
        persons: 2,
        income_per_capita: Some(950_000),
        score_a: None,
        deprived: IndicatorSet(0b11),
        subgroups: Subgroups { merit: true, ..Subgroups::default() },
        causes: causes_mask(&[PovertyCause::NoLand, PovertyCause::Illness]),
        note: "Hộ mới phát sinh",
    };
    let members = [
        ListMember {
            member_no: 1,
            full_name: "Đặng Thị Hường",
            relation: vuonlen_core::codes::Relation::Head,
            sex: vuonlen_core::codes::Sex::Female,
            birth: vuonlen_core::BirthDate::Year(1968),
            ethnicity_name: "Dao",
            id_number: Some("010168001234"),
        },
        ListMember {
            member_no: 2,
            full_name: "Lý Văn Sử",
            relation: vuonlen_core::codes::Relation::Child,
            sex: vuonlen_core::codes::Sex::Male,
            birth: vuonlen_core::BirthDate::Date(date(2011, 4, 30)),
            ethnicity_name: "Dao",
            id_number: None,
        },
    ];
    w.push(&hh, &members).expect("push");
    assert_eq!(w.households(), 4);
    assert!(!p.exists(), "nothing before finish");
    w.finish().expect("finish");

    let r = read(&p, "Biểu 15");
    assert_title(&r, Form::F15);
    assert_all_nfc(&r);
    let h = headings(&r);
    for s in ["Họ và tên chủ hộ / thành viên", "Quan hệ với chủ hộ", "Số định danh cá nhân/CCCD", "Nguyên nhân nghèo"]
    {
        assert!(h.contains(s), "{s} in {h}");
    }
    // 4 households of 2 members: 12 data rows from row 7.
    assert_eq!(r.height(), 7 + 12);
    let first = 7;
    assert_eq!(num(&r, first, 0), 1.0);
    assert_eq!(text(&r, first, 1), "HH0000000");
    assert_eq!(text(&r, first, 2), "Nguyễn Văn 0");
    assert_eq!(num(&r, first, 10), 2.0, "persons is a number");
    assert!(matches!(at(&r, first, 13), Data::Float(_)), "score B is a number");
    assert_eq!(text(&r, first + 1, 3), "chủ hộ");
    assert_eq!(text(&r, first + 2, 2).trim(), "Nguyễn Thị 0");
    assert_eq!(text(&r, first + 2, 6), "Tày");
    let last = first + 9;
    assert_eq!(num(&r, last, 0), 4.0);
    assert_eq!(text(&r, last, 2), "Đặng Thị Hường");
    assert_eq!(num(&r, last, 11), 950_000.0);
    assert_eq!(num(&r, last, 13), 20.0, "2 deprivations × 10 points");
    assert_eq!(text(&r, last, 14), "việc làm, người phụ thuộc");
    assert_eq!(text(&r, last, 16), "x", "merit");
    assert_eq!(text(&r, last, 18), "thiếu đất sản xuất, ốm đau, bệnh nặng, tai nạn");
    assert_eq!(text(&r, last, 19), "Hộ mới phát sinh");
    assert_eq!(num(&r, last + 1, 5), 1968.0, "a woman's birth year under Nữ");
    assert_eq!(text(&r, last + 1, 7), "010168001234");
    assert_eq!(num(&r, last + 2, 4), 2011.0, "a man's birth year under Nam");
    assert_eq!(at(&r, last + 2, 5), Data::Empty);

    // Form 14 has its own title.
    let p = dir.path().join("bieu14.xlsx");
    let w = DetailedListWriter::create(&p, Form::F14, &std, &meta()).expect("create");
    w.finish().expect("finish an empty list");
    let r = read(&p, "Biểu 14");
    assert_title(&r, Form::F14);
}

#[test]
fn form_1_rates_are_over_recorded_residents_and_blank_where_a_commune_lacks_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut rows, total) = tallies();
    // Bảo Nhai has 100 resident households and 400 persons; Sa Pa none recorded.
    rows[0].residents = Some(Residents { households: 100, persons: 400 });
    let mut m = meta();
    m.base = RateBase::Residents { total: None, missing: vec!["04381".into()] };
    let path = dir.path().join("bieu1-residents.xlsx");
    write_form(&path, Form::F1, &standard(), &m, &rows, &total).expect("write");
    let r = read(&path, &Form::F1.sheet_name());
    let poor_a = rows[0].tally.households_in(Class::Poor) as f64;
    // The commune with residents: its base and its rate over them, not over its 10 reviewed households.
    assert_eq!(num(&r, DATA_ROW + 1, 3), 100.0);
    assert_eq!(num(&r, DATA_ROW + 1, 4), 400.0);
    assert_eq!(num(&r, DATA_ROW + 1, 6), poor_a, "poor / 100 residents, in %");
    // The commune without, and the unit's total: counts kept, bases and rates empty.
    for row in [DATA_ROW, DATA_ROW + 2] {
        assert_eq!(r.get_value((row, 3)), Some(&Data::Empty), "row {row}: no base");
        assert_eq!(r.get_value((row, 6)), Some(&Data::Empty), "row {row}: no rate");
    }
    assert_eq!(num(&r, DATA_ROW, 5), total.households_in(Class::Poor) as f64, "counts are kept");
    let notes = (0..DATA_ROW)
        .filter_map(|row| match at(&r, row, 0) {
            Data::String(s) => Some(s),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ");
    assert!(notes.contains("CHƯA CÓ số hộ dân cư") && notes.contains("04381"), "{notes}");
}
