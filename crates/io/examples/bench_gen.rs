//! Writes a synthetic interchange file for read benchmarks (not a realistic population; the real
//! generator is `vuonlen synth`).
//!
//! `cargo run --release -p vuonlen-io --example bench_gen -- N OUT_DIR [xlsx]`

use std::path::PathBuf;
use vuonlen_core::codes::*;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::{BirthDate, Household, Member};
use vuonlen_io::{HeaderStyle, HouseholdRecord, HouseholdWriter, MemberPersonal, Target};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu"];
const GIVEN: [&str; 10] = ["An", "Bình", "Cường", "Dũng", "Hoa", "Lan", "Mai", "Nam", "Phương", "Quân"];
const COMMUNES: [&str; 4] = ["00004", "00070", "09928", "21538"];

fn name(r: &mut Rng) -> String {
    format!("{} {} {}", FAMILY[r.below(8) as usize], MIDDLE[r.below(6) as usize], GIVEN[r.below(10) as usize])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let dir = PathBuf::from(args.get(2).map(String::as_str).unwrap_or("bench-data"));
    std::fs::create_dir_all(&dir)?;
    let target = if args.get(3).is_some_and(|a| a == "xlsx") {
        Target::Xlsx { workbook: dir.join("households.xlsx") }
    } else {
        Target::Csv { households: dir.join("households.csv"), members: dir.join("members.csv") }
    };
    let tay = Ethnicity::parse("Tày").ok_or("Tày")?;
    let mut r = Rng(42);
    let mut w = HouseholdWriter::create(&target, HeaderStyle::English)?;
    for i in 0..n {
        let size = 1 + r.below(6) as u16;
        let minority = r.below(6) == 0;
        let mut members = Vec::new();
        let mut personal = Vec::new();
        for no in 1..=size {
            let age = if no <= 2 { 25 + r.below(50) as i32 } else { r.below(20) as i32 };
            let birth = if r.below(10) == 0 {
                BirthDate::Year(2025 - age)
            } else {
                BirthDate::Date(
                    chrono::NaiveDate::from_ymd_opt(2025 - age, 1 + r.below(12) as u32, 1 + r.below(28) as u32)
                        .ok_or("date")?,
                )
            };
            let child = age < 16;
            members.push(Member {
                member_no: no,
                relation: match no {
                    1 => Relation::Head,
                    2 => Relation::Spouse,
                    _ => Relation::Child,
                },
                sex: if r.below(2) == 0 { Sex::Male } else { Sex::Female },
                birth,
                ethnicity: if minority { tay } else { Ethnicity::KINH },
                health_insurance: r.below(10) != 0,
                employment: if child {
                    Employment::Student
                } else {
                    Employment::ALL[r.below(Employment::ALL.len() as u64) as usize]
                },
                able_to_work: r.below(20) != 0,
                education: Education::ALL[r.below(Education::ALL.len() as u64) as usize],
                in_school: child,
                school_on_track: child.then(|| r.below(8) != 0),
                malnourished: child.then(|| r.below(12) == 0),
                disability: if r.below(30) == 0 { Disability::Mild } else { Disability::None },
                social_allowance: r.below(25) == 0,
                merit: r.below(50) == 0,
            });
            personal.push(MemberPersonal {
                full_name: name(&mut r),
                id_number: (!child).then(|| format!("{:012}", r.next() % 1_000_000_000_000)),
                ethnicity_name: if minority { "Tày".into() } else { "Kinh".into() },
            });
        }
        let rec = HouseholdRecord {
            household_code: format!("{}-{i:08}", COMMUNES[i % 4]),
            commune_code: COMMUNES[i % 4].into(),
            village: format!("Thôn {}", 1 + r.below(20)),
            head_name: personal[0].full_name.clone(),
            address: format!("Số {} đường {}", 1 + r.below(200), GIVEN[r.below(10) as usize]),
            poverty_causes: if r.below(10) == 0 { vec![PovertyCause::NoCapital] } else { vec![] },
            recorded: Default::default(),
            household: Household {
                area: if r.below(3) == 0 { Area::Urban } else { Area::Rural },
                income_per_capita: (i % 10 != 0).then(|| 500_000 + r.below(5_000_000) as i64),
                score_a: (i % 10 == 0).then(|| 100 + r.below(100) as i32),
                durable_structures: r.below(4) as u8,
                floor_area_m2: (100 + r.below(1500)) as f64 / 10.0,
                water_source: WaterSource::ALL[r.below(10) as usize],
                latrine: Latrine::ALL[r.below(10) as usize],
                internet_user: r.below(5) != 0,
                info_devices: r.below(10) != 0,
                waste_treatment: None,
                members,
            },
            members: personal,
        };
        w.write(&rec)?;
    }
    w.finish()?;
    eprintln!("wrote {n} households to {}", dir.display());
    Ok(())
}
