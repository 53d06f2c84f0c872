//! A valid file: BOM, Vietnamese headers with diacritics (households) and without (members),
//! NFD text, `có/không`, `DD/MM/YYYY`, bare years, decimal comma, grouped thousands.

use crate::common::*;
use vuonlen_core::BirthDate;
use vuonlen_core::codes::*;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_io::Source;

#[test]
fn reads_every_field_of_a_valid_file() {
    let (recs, report) = read_all(&csv("valid"), &opts(true, false));
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    assert_eq!((report.households, report.members, report.valid_households, report.skipped_households), (3, 7, 3, 0));
    assert!(!report.in_memory_join);
    let ids: Vec<&str> = recs.iter().map(|r| r.household_code.as_str()).collect();
    assert_eq!(ids, ["H001", "H002", "H003"]);

    let h1 = &recs[0];
    // The BOM is not part of the first header: household_id was matched.
    assert_eq!(h1.commune_code, "00004");
    assert_eq!(h1.village, "Tổ 5");
    // Written in NFD in the file, normalised to NFC.
    assert_eq!(h1.head_name, "Nguyễn Văn An");
    assert_eq!(h1.head_name.chars().count(), "Nguyễn Văn An".chars().count());
    assert_eq!(h1.address, "12 Phố Hàng Bạc, Hoàn Kiếm");
    let hh = &h1.household;
    assert_eq!(hh.area, Area::Urban);
    assert_eq!(hh.income_per_capita, Some(1_200_000));
    assert_eq!(hh.score_a, None);
    assert_eq!(hh.durable_structures, 2);
    assert_eq!(hh.floor_area_m2, 42.5);
    assert_eq!(hh.water_source, WaterSource::Piped);
    assert_eq!(hh.latrine, Latrine::Septic);
    assert!(hh.internet_user && hh.info_devices);
    assert_eq!(hh.waste_treatment, None);
    assert!(h1.poverty_causes.is_empty());
    assert_eq!(hh.members.len(), 3);
    assert_eq!(h1.members.len(), 3);

    let head = &hh.members[0];
    assert_eq!(head.member_no, 1);
    assert_eq!(head.relation, Relation::Head);
    assert_eq!(head.sex, Sex::Male);
    assert_eq!(head.birth, BirthDate::Date(date(1970, 3, 15)));
    assert_eq!(head.ethnicity, Ethnicity::KINH);
    assert!(head.health_insurance);
    assert_eq!(head.employment, Employment::WageContract);
    assert!(head.able_to_work, "able_to_work defaults to true");
    assert_eq!(head.education, Education::UpperSecondary);
    assert!(!head.in_school, "'không' is false");
    assert_eq!(head.disability, Disability::None);
    assert!(!head.social_allowance && !head.merit);
    assert_eq!(h1.members[0].full_name, "Nguyễn Văn An");
    assert_eq!(h1.members[0].id_number.as_deref(), Some("001070012345"));
    assert_eq!(hh.members[1].birth, BirthDate::Year(1972));
    assert_eq!(hh.members[1].relation, Relation::Spouse);
    assert_eq!(hh.members[1].sex, Sex::Female);
    assert_eq!(hh.members[2].school_on_track, Some(true));
    assert_eq!(hh.members[2].malnourished, Some(false));

    let h2 = &recs[1];
    assert_eq!(h2.household.area, Area::Rural);
    assert_eq!(h2.household.income_per_capita, None);
    assert_eq!(h2.household.score_a, Some(135));
    assert_eq!(h2.household.waste_treatment, Some(false));
    assert_eq!(h2.household.latrine, Latrine::SimplePit);
    assert_eq!(h2.poverty_causes, vec![PovertyCause::NoCapital, PovertyCause::NoLand]);
    let m = &h2.household.members[0];
    assert_eq!(m.ethnicity, Ethnicity::parse("Thái").expect("listed"));
    assert_eq!(m.disability, Disability::Mild);
    assert!(m.social_allowance && m.merit, "'1' and 'x' are true");
    assert_eq!(h2.household.members[1].birth, BirthDate::Date(date(2022, 2, 10)));

    let h3 = &recs[2];
    assert_eq!(h3.household.floor_area_m2, 12.5);
    let mong = Ethnicity::parse("H'Mông").expect("listed");
    assert!(h3.household.members.iter().all(|m| m.ethnicity == mong));
    assert_eq!(h3.household.members[1].birth, BirthDate::Date(date(2012, 6, 5)), "D/M/YYYY");
}

#[test]
fn personal_fields_are_dropped_unless_asked_for() {
    let (recs, report) = read_all(&csv("valid"), &opts(false, false));
    assert!(report.is_clean());
    for r in &recs {
        assert!(r.head_name.is_empty() && r.address.is_empty());
        for p in &r.members {
            assert!(p.full_name.is_empty());
            assert_eq!(p.id_number, None);
        }
    }
    // The facts are the same.
    let (full, _) = read_all(&csv("valid"), &opts(true, false));
    for (a, b) in recs.iter().zip(&full) {
        assert_eq!(a.household, b.household);
        assert_eq!(a.village, b.village);
    }
}

/// Tables held in memory (an edit form, an API body) are read by the same parsers as files:
/// the same records, and problems located in the table by row and column.
#[test]
fn tables_in_memory_read_as_their_files_do() {
    use vuonlen_io::Table;
    let table = |path: &str, name: &str| {
        let mut r = csv::Reader::from_path(fixture(path)).expect("open");
        let header =
            r.headers().expect("header").iter().map(|h| h.trim_start_matches('\u{feff}').to_string()).collect();
        let rows = r.records().map(|rec| rec.expect("record").iter().map(str::to_string).collect()).collect();
        Table { name: name.into(), header, rows }
    };
    let (from_files, _) = read_all(&csv("valid"), &opts(true, false));
    let households = table("valid/households.csv", "households");
    let mut members = table("valid/members.csv", "members");
    let source = Source::Rows { households: households.clone(), members: members.clone() };
    let (from_rows, report) = read_all(&source, &opts(true, false));
    assert!(report.is_clean(), "{:?}", report.errors);
    assert_eq!(from_rows, from_files);
    // A bad cell is located in its table.
    members.rows[1][members.header.iter().position(|h| h == "Gioi tinh").expect("sex column")] = "?".into();
    let (_, report) = read_all(&Source::Rows { households, members }, &opts(true, true));
    assert_eq!(
        located(&report.errors),
        vec![(vuonlen_io::ProblemKind::InvalidCode, 3, "Gioi tinh".to_string(), "?".to_string())]
    );
    assert_eq!(report.errors[0].file, "members");
}
