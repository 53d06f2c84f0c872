//! Write then read gives equal records, in CSV (either header style) and XLSX; the writer's
//! conventions are the ones the DuckDB benchmark reads.

use crate::common::*;
use vuonlen_io::{HeaderStyle, HouseholdRecord, HouseholdWriter, Source};

fn round_trip(target: &Source, style: HeaderStyle, recs: &[HouseholdRecord]) -> Vec<HouseholdRecord> {
    let mut w = HouseholdWriter::create(target, style).expect("create");
    for r in recs {
        w.write(r).expect("write");
    }
    assert_eq!(w.households(), recs.len() as u64);
    w.finish().expect("finish");
    let (back, report) = read_all(target, &opts(true, false));
    assert!(report.is_clean(), "{:#?}", report.errors);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
    back
}

#[test]
fn csv_and_xlsx_round_trips_are_exact() {
    let (mut recs, _) = read_all(&csv("valid"), &opts(true, false));
    recs.extend((0..50).map(sample));
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for style in [HeaderStyle::English, HeaderStyle::Vietnamese] {
        let csv = Source::Csv { households: d.join("h.csv"), members: d.join("m.csv") };
        assert_eq!(round_trip(&csv, style, &recs), recs, "CSV {style:?}");
        let xlsx = Source::Xlsx { workbook: d.join("w.xlsx") };
        assert_eq!(round_trip(&xlsx, style, &recs), recs, "XLSX {style:?}");
    }
}

#[test]
fn the_writer_follows_the_documented_conventions() {
    let (recs, _) = read_all(&csv("valid"), &opts(true, false));
    let dir = tempfile::tempdir().expect("temp dir");
    let src = write_csv(dir.path(), &recs, HeaderStyle::English);
    let Source::Csv { households, members } = &src else { panic!("CSV") };
    let h = std::fs::read_to_string(households).expect("read");
    let m = std::fs::read_to_string(members).expect("read");
    let h: Vec<&str> = h.lines().collect();
    let m: Vec<&str> = m.lines().collect();
    assert_eq!(
        h[0],
        "household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,durable_structures,\
         floor_area_m2,water_source,latrine,internet_user,info_devices,waste_treatment,poverty_causes,\
         nlndn,local_ethnic_minority,moved_in_from,support_health,support_education,support_production,\
         support_credit,support_housing,support_other"
    );
    assert_eq!(
        h[1],
        "H001,00004,Tổ 5,urban,Nguyễn Văn An,\"12 Phố Hàng Bạc, Hoàn Kiếm\",1200000,,2,42.5,piped,septic,1,1,,,,,,,,,,,"
    );
    assert_eq!(
        h[2],
        "H002,09928,Thôn Đông,rural,Lò Thị Bình,,,135,1,18,drilled_well,simple_pit,0,1,0,no_capital;no_land,,,,,,,,,"
    );
    assert_eq!(
        m[0],
        "household_id,member_no,full_name,relation,sex,birth_date,ethnicity,id_number,health_insurance,employment,\
         able_to_work,education,in_school,school_on_track,malnourished,disability,social_allowance,merit"
    );
    assert_eq!(
        m[1],
        "H001,1,Nguyễn Văn An,head,M,1970-03-15,Kinh,001070012345,1,wage_contract,1,upper_secondary,0,,,none,0,0"
    );
    assert_eq!(m[2], "H001,2,Trần Thị Hoa,spouse,F,1972,Kinh,,1,self_employed,1,lower_secondary,0,,,none,0,0");
    assert_eq!(m[4], "H002,1,Lò Thị Bình,head,F,1958,Thái,,1,self_employed,1,none,0,,,mild,1,1");
    // Members grouped per household, in household order.
    let ids: Vec<&str> = m[1..].iter().map(|l| l.split(',').next().unwrap_or("")).collect();
    assert_eq!(ids, ["H001", "H001", "H001", "H002", "H002", "H003", "H003"]);
}
