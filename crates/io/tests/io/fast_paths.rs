//! The readers take usual lines by a fast path when the columns are in the order of the format;
//! a file with the same rows and its columns in another order goes the general way. Both must
//! give the same records and the same problems, for valid rows, rows that only the general
//! path accepts, and invalid rows.

use crate::common::*;
use std::path::Path;
use vuonlen_io::Source;

const HOUSEHOLDS: &str = "\
household_id,commune_code,village,area,head_name,address,income_per_capita,score_a,durable_structures,floor_area_m2,water_source,latrine,internet_user,info_devices,waste_treatment,poverty_causes
H01,00004,Tổ dân phố 4,urban,Trần Hoàng Hưng,\"Số 107, Tổ dân phố 4, Phường Ba Đình\",5000000,,3,62,piped,septic,1,1,1,
H02,00004,Thôn 1,rural,Nguyễn Văn An,,1200000,,1,12.5,unprotected_dug_well,other,0,0,,no_land; illness
H03,00004, Tổ 2 ,urban, Lê Thị Hoa ,Số 2,1.500.000,,2,\"30,5\",piped,septic,true,x,0,
H04,00004,Thôn 2,rural,Phạm Văn Bình,,,35,0,40,piped,septic,1,1,,
H05,00004,Thôn 3,rural,Hồ Văn Anh,,,,3,40,piped,septic,1,1,1,
H06,99999,Thôn 3,rural,Hồ Văn Em,,900000,,3,40,piped,septic,1,1,1,
H07,00004,Thôn 3,nowhere,Hồ Văn Út,,900000,,4,abc,piped,septic,2,1,1,bad_cause
H08,00004,Thôn 5,rural,,,900000,,3,40,piped,septic,1,1,1,
H09,00004,Thôn 5,rural,Đỗ Văn Tư,,900000,,3,40,piped,septic,1,1,maybe,
H10,00004,Thôn 5,nông thôn,Đỗ Văn Năm,,900000,,3,40,Nước máy,septic,1,1,1,
";

const MEMBERS: &str = "\
household_id,member_no,full_name,relation,sex,birth_date,ethnicity,id_number,health_insurance,employment,able_to_work,education,in_school,school_on_track,malnourished,disability,social_allowance,merit
H01,1,Trần Hoàng Hưng,head,M,1995-07-28,Kinh,001095593034,1,wage_no_contract,1,college_plus,0,,,none,0,0
H01,2,Hoàng Mỹ Hồng,spouse,F,2000-03-21,Kinh,,1,self_employed,1,vocational,0,,,none,0,0
H01,3,Trần Minh Khôi,child,M,2015-01-02,Kinh,,1,student,0,primary,1,1,0,,,
H02,1,Nguyễn Văn An,head,M,15/03/1970,Tày,,0,unemployed,,lower_secondary,0,,,mild,1,1
H02,2,Lò Thị Bay,spouse,F,1972,Thái,,1,self_employed,,lower_secondary,0,,,,,
H02,3,Nguyễn Văn Út,child,M,2020-06-01,Tày,,1,not_in_labour_force,,none,0,1,1,,,
H03,1, Lê Thị Hoa ,chủ hộ,nữ,1980-02-29,Kinh,,có,wage_contract,,upper_secondary,không,,,,,
H03,2,Lê Văn Tí,child,M,2012-05-05,Kinh,,1,student,,primary,1,1,0,,,
H04,1,Phạm Văn Bình,head,M,2026-01-01,Kinh,,1,self_employed,,primary,0,,,,,
H04,2,Phạm Thị Nở,spouse,F,1980-01-01,Ngái Xưa,12345,1,self_employed,,primary,0,,,,,
H05,1,Hồ Văn Anh,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H06,1,Hồ Văn Em,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H07,1,Hồ Văn Út,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H08,1,Đỗ Văn Sáu,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H09,1,Đỗ Văn Tư,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H10,1,Đỗ Văn Năm,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H10,1,Đỗ Văn Sáu,head,M,1900-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
H11,1,Không Có Hộ,head,M,1960-01-01,Kinh,,1,not_in_labour_force,,primary,0,,,,,
";

/// The fields of a simple CSV line (quoted fields kept whole, with their quotes).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.last_mut().expect("a field").push(c);
            }
            ',' if !quoted => out.push(String::new()),
            c => out.last_mut().expect("a field").push(c),
        }
    }
    out
}

/// `text` with the columns of every line in reverse order.
fn reversed(text: &str) -> String {
    text.lines()
        .map(|line| {
            let mut f = fields(line);
            f.reverse();
            f.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn write(dir: &Path, name: &str, households: &str, members: &str) -> Source {
    let (h, m) = (dir.join(format!("{name}_households.csv")), dir.join(format!("{name}_members.csv")));
    std::fs::write(&h, households).expect("write");
    std::fs::write(&m, members).expect("write");
    Source::Csv { households: h, members: m }
}

#[test]
fn columns_in_another_order_give_the_same_records_and_problems() {
    let dir = tempfile::tempdir().expect("temp dir");
    let in_order = write(dir.path(), "a", HOUSEHOLDS, MEMBERS);
    let other = write(dir.path(), "b", &reversed(HOUSEHOLDS), &reversed(MEMBERS));
    for keep_personal in [false, true] {
        for skip_invalid in [false, true] {
            let o = opts(keep_personal, skip_invalid);
            let (recs_a, report_a) = read_all(&in_order, &o);
            let (recs_b, mut report_b) = read_all(&other, &o);
            // The same problems, in files of other names.
            for p in report_b.errors.iter_mut().chain(report_b.warnings.iter_mut()) {
                p.file = p.file.replacen("b_", "a_", 1);
            }
            assert_eq!(recs_a, recs_b, "keep_personal {keep_personal}, skip_invalid {skip_invalid}");
            assert_eq!(report_a, report_b, "keep_personal {keep_personal}, skip_invalid {skip_invalid}");
            assert!(!report_a.errors.is_empty());
            if skip_invalid {
                // H02 and H03 are valid only the general way (other date, number and yes/no
                // forms, spaces around values).
                let ids: Vec<&str> = recs_a.iter().map(|r| r.household_code.as_str()).collect();
                assert_eq!(ids, ["H01", "H02", "H03"]);
            }
        }
    }
}

/// Lengths and characters hold on the fast paths as on the general one: a NUL, a tab, an
/// escape or a name one character too long is refused, located, whatever the column order,
/// and a name exactly at its limit is read.
#[test]
fn bounds_hold_on_every_path() {
    use vuonlen_io::ProblemKind::{ControlCharacter, TooLong};
    let dir = tempfile::tempdir().expect("temp dir");
    let long = "ễ".repeat(201);
    let at_limit = "ễ".repeat(200);
    let households = format!(
        "{}B1,00004,Thôn 1,rural,Người\0Một,,900000,,3,40,piped,septic,1,1,1,\n\
         B2,00004,Thôn\t2,rural,Người Hai,,900000,,3,40,piped,septic,1,1,1,\n\
         B3,00004,Thôn 3,rural,{long},,900000,,3,40,piped,septic,1,1,1,\n\
         B\u{1}4,00004,Thôn 4,rural,Người Bốn,,900000,,3,40,piped,septic,1,1,1,\n\
         B5,00004,Thôn 5,rural,{at_limit},,900000,,3,40,piped,septic,1,1,1,\n",
        HOUSEHOLDS.lines().next().map(|h| format!("{h}\n")).unwrap_or_default()
    );
    let member = |id: &str, name: &str, eth: &str| {
        format!("{id},1,{name},head,M,1960-01-01,{eth},,1,not_in_labour_force,,primary,0,,,,,\n")
    };
    let members = format!(
        "{}{}{}{}{}{}",
        MEMBERS.lines().next().map(|h| format!("{h}\n")).unwrap_or_default(),
        member("B1", "Người Một", "Kinh"),
        member("B2", &long, "Kinh"),
        member("B3", "Người Ba", "Ki\0nh"),
        member("B\u{1}4", "Người Bốn", "Kinh"),
        member("B5", &at_limit, "Kinh"),
    );
    let in_order = write(dir.path(), "a", &households, &members);
    let other = write(dir.path(), "b", &reversed(&households), &reversed(&members));
    let o = opts(true, true);
    let (recs_a, report_a) = read_all(&in_order, &o);
    let (recs_b, mut report_b) = read_all(&other, &o);
    for p in report_b.errors.iter_mut().chain(report_b.warnings.iter_mut()) {
        p.file = p.file.replacen("b_", "a_", 1);
    }
    assert_eq!(recs_a, recs_b);
    assert_eq!(report_a, report_b);
    let found: Vec<_> = report_a
        .errors
        .iter()
        .filter(|p| matches!(p.kind, TooLong | ControlCharacter))
        .map(|p| (p.kind, p.file.contains("members"), p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (ControlCharacter, false, 2, "head_name"),
            (ControlCharacter, false, 3, "village"),
            (TooLong, false, 4, "head_name"),
            (ControlCharacter, false, 5, "household_id"),
            (TooLong, true, 3, "full_name"),
            (ControlCharacter, true, 4, "ethnicity"),
            (ControlCharacter, true, 5, "household_id"),
        ]
    );
    // The value is shortened in the problem.
    assert!(report_a.errors.iter().all(|p| p.value.chars().count() <= 41));
    let ids: Vec<&str> = recs_a.iter().map(|r| r.household_code.as_str()).collect();
    assert_eq!(ids, ["B5"]);
    assert_eq!(recs_a[0].head_name, at_limit);
}
