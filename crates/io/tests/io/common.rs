use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use vuonlen_io::{HouseholdRecord, ReadOptions, ReadReport, Source, read};

pub fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(p)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

pub fn as_of() -> NaiveDate {
    date(2025, 12, 31)
}

pub fn csv(dir: &str) -> Source {
    Source::Csv {
        households: fixture(&format!("{dir}/households.csv")),
        members: fixture(&format!("{dir}/members.csv")),
    }
}

pub fn opts(keep_personal: bool, skip_invalid: bool) -> ReadOptions {
    ReadOptions { as_of: as_of(), keep_personal, skip_invalid, require_waste_treatment: false }
}

/// Reads a source into memory.
pub fn read_all(source: &Source, o: &ReadOptions) -> (Vec<HouseholdRecord>, ReadReport) {
    let mut out: Vec<HouseholdRecord> = Vec::new();
    let report = read(source, o, &mut out).expect("the files can be read");
    (out, report)
}

/// (kind, row, column, value) of each problem, for compact assertions.
pub fn located(ps: &[vuonlen_io::Problem]) -> Vec<(vuonlen_io::ProblemKind, u64, String, String)> {
    ps.iter().map(|p| (p.kind, p.row, p.column.clone(), p.value.clone())).collect()
}

/// A valid household `i` with a head and a child, built in code.
pub fn sample(i: usize) -> HouseholdRecord {
    use vuonlen_core::codes::*;
    use vuonlen_core::ethnicity::Ethnicity;
    use vuonlen_core::{BirthDate, Household, Member};
    let member = |no: u16, relation, birth, child: bool| Member {
        member_no: no,
        relation,
        sex: if no == 1 { Sex::Male } else { Sex::Female },
        birth,
        ethnicity: if i.is_multiple_of(3) { Ethnicity::parse("Tày").expect("listed") } else { Ethnicity::KINH },
        health_insurance: !i.is_multiple_of(5),
        employment: if child { Employment::Student } else { Employment::SelfEmployed },
        able_to_work: true,
        education: if child { Education::Primary } else { Education::LowerSecondary },
        in_school: child,
        school_on_track: child.then_some(i.is_multiple_of(2)),
        malnourished: child.then_some(i.is_multiple_of(7)),
        disability: Disability::None,
        social_allowance: false,
        merit: i.is_multiple_of(11),
    };
    let ethnicity_name = if i.is_multiple_of(3) { "Tày" } else { "Kinh" };
    HouseholdRecord {
        household_code: format!("HH{i:07}"),
        commune_code: "00004".into(),
        village: "Tổ 1".into(),
        head_name: format!("Nguyễn Văn {i}"),
        address: String::new(),
        poverty_causes: if i.is_multiple_of(4) { vec![PovertyCause::NoCapital, PovertyCause::Illness] } else { vec![] },
        recorded: {
            // Recorded fields on some households: support received, NLNDN, moved in.
            let mut r = vuonlen_core::schema::Recorded::default();
            let at =
                |key| vuonlen_core::schema::household_field(key).and_then(|f| f.recorded_index()).expect("recorded");
            if i.is_multiple_of(3) {
                r.set(at("support_health"), Some("1".into()));
                r.set(at("nlndn"), Some(if i.is_multiple_of(2) { "1" } else { "0" }.into()));
            }
            if i.is_multiple_of(5) {
                r.set(at("moved_in_from"), Some("00001".into()));
            }
            r
        },
        household: Household {
            area: if i.is_multiple_of(2) { Area::Rural } else { Area::Urban },
            income_per_capita: (!i.is_multiple_of(10)).then_some(900_000 + (i as i64 % 40) * 50_000),
            score_a: i.is_multiple_of(10).then_some(120 + (i % 50) as i32),
            durable_structures: (i % 4) as u8,
            floor_area_m2: 10.0 + (i % 60) as f64 * 0.5,
            water_source: if i.is_multiple_of(6) { WaterSource::Surface } else { WaterSource::Piped },
            latrine: if i.is_multiple_of(8) { Latrine::Hanging } else { Latrine::Septic },
            internet_user: !i.is_multiple_of(9),
            info_devices: true,
            waste_treatment: None,
            members: vec![
                member(
                    1,
                    Relation::Head,
                    BirthDate::Date(date(1960 + (i % 40) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)),
                    false,
                ),
                member(2, Relation::Child, BirthDate::Year(2012 + (i % 8) as i32), true),
            ],
        },
        members: vec![
            vuonlen_io::MemberPersonal {
                full_name: format!("Nguyễn Văn {i}"),
                id_number: Some(format!("{:012}", 1_000_000 + i)),
                ethnicity_name: ethnicity_name.into(),
            },
            vuonlen_io::MemberPersonal {
                full_name: format!("Nguyễn Thị {i}"),
                id_number: None,
                ethnicity_name: ethnicity_name.into(),
            },
        ],
    }
}

/// Writes records as a CSV pair in `dir`.
pub fn write_csv(dir: &Path, recs: &[HouseholdRecord], style: vuonlen_io::HeaderStyle) -> Source {
    let src = Source::Csv { households: dir.join("households.csv"), members: dir.join("members.csv") };
    let mut w = vuonlen_io::HouseholdWriter::create(&src, style).expect("create files");
    for r in recs {
        w.write(r).expect("write record");
    }
    w.finish().expect("finish");
    src
}
