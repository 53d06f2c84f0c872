//! Phiếu B score tables: loaded as data (none shipped), regions resolved, answers scored with
//! every problem named. The table used here is a labelled TEST table of invented points.

use std::collections::BTreeMap;
use vuonlen_core::Standards;
use vuonlen_core::codes::Area;
use vuonlen_core::score_table::{Purpose, TEST_MARKER_VI};

const TEST_TABLE: &str = include_str!("fixtures/score-table-TEST.toml");

fn loaded() -> Standards {
    let mut r = Standards::embedded().expect("standards");
    r.add_toml("score-table-TEST.toml", TEST_TABLE).expect("add");
    r.link().expect("link");
    r
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn no_score_table_is_shipped() {
    let r = Standards::embedded().expect("standards");
    assert_eq!(r.score_tables().count(), 0);
    assert!(r.score_table("2022-2025").is_none());
}

#[test]
fn a_test_table_loads_for_its_standard_and_says_it_is_a_test() {
    let r = loaded();
    let t = r.score_table("2022-2025").expect("loaded");
    assert_eq!(t.purpose, Purpose::Test);
    assert!(t.is_test());
    assert!(t.shown_title().starts_with(TEST_MARKER_VI), "{}", t.shown_title());
    assert!(r.score_table("2027-2030").is_none());
}

#[test]
fn regions_by_commune_then_province_then_area() {
    let r = loaded();
    let t = r.score_table("2022-2025").expect("loaded");
    let region = |area, p, c| t.region_for(area, p, c).map(|r| r.code.as_str());
    assert_eq!(region(Area::Urban, "79", "26734"), Some("urban"), "urban: every province");
    assert_eq!(region(Area::Rural, "14", "04000"), Some("NT2"));
    assert_eq!(region(Area::Rural, "01", "00004"), Some("NT1"));
    assert_eq!(region(Area::Rural, "15", "04378"), Some("NT1"), "the commune wins over its province");
    assert_eq!(region(Area::Rural, "79", "26734"), None, "no rural region covers province 79");
}

#[test]
fn score_a_is_the_sum_of_the_answers_points_in_the_region() {
    let r = loaded();
    let t = r.score_table("2022-2025").expect("loaded");
    let nt2 = t.region_for(Area::Rural, "14", "04000").expect("NT2");
    let s =
        t.score(nt2, &answers(&[("household_size", "2_4"), ("roof", "Bê tông"), ("buffalo", "co")])).expect("scored");
    assert_eq!(s.total, 28 + 38 + 25);
    assert_eq!(s.region, "NT2");
    assert_eq!(s.table_id, "TEST-not-official");
    assert_eq!(s.parts[1], ("roof".to_string(), "concrete".to_string(), 38), "named by its Vietnamese name");
    // Urban: the intercept, and no buffalo question.
    let urban = t.region_for(Area::Urban, "14", "04000").expect("urban");
    let s = t.score(urban, &answers(&[("household_size", "1"), ("roof", "LEAVES")])).expect("scored");
    assert_eq!(s.total, 10 + 50);
    assert_eq!(s.parts[0].0, "intercept");
}

#[test]
fn every_answer_problem_is_named_at_once() {
    let r = loaded();
    let t = r.score_table("2022-2025").expect("loaded");
    let urban = t.region_for(Area::Urban, "14", "04000").expect("urban");
    let problems =
        t.score(urban, &answers(&[("roof", "tin"), ("buffalo", "some"), ("car", "yes")])).expect_err("four problems");
    let by_var: Vec<(&str, &str)> = problems.iter().map(|p| (p.variable.as_str(), p.value.as_str())).collect();
    assert_eq!(by_var, [("household_size", ""), ("roof", "tin"), ("buffalo", "some"), ("car", "yes")]);
    assert!(problems[0].en.contains("No answer"), "{:?}", problems[0]);
    assert!(problems[1].en.contains("allowed: concrete, leaves"), "{:?}", problems[1]);
    assert!(problems[2].vi.contains("không được hỏi"), "{:?}", problems[2]);
    assert!(problems[3].en.contains("no variable"), "{:?}", problems[3]);
}

#[test]
fn a_bad_table_is_refused_with_every_problem() {
    let bad = TEST_TABLE
        .replace("code = \"NT1\"", "code = \"NT2\"")
        .replace("points = { NT1 = 20, NT2 = 25 }", "points = { NT9 = 20 }")
        .replace("BẢNG ĐIỂM THỬ NGHIỆM", "BẢNG ĐIỂM");
    let mut r = Standards::embedded().expect("standards");
    let e = r.add_toml("bad.toml", &bad).expect_err("refused").to_string();
    for s in ["region NT2 is defined twice", "unknown region NT9", "must say THỬ NGHIỆM", "buffalo"] {
        assert!(e.contains(s), "{s} in {e}");
    }
}

#[test]
fn a_table_for_an_unknown_standard_or_one_without_anchors_is_refused() {
    let mut r = Standards::embedded().expect("standards");
    r.add_toml("x.toml", &TEST_TABLE.replace("standard = \"2022-2025\"", "standard = \"1999\"")).expect("parsed");
    assert!(r.link().expect_err("unknown").to_string().contains("unknown standard"));
    let mut r = Standards::embedded().expect("standards");
    r.add_toml("x.toml", &TEST_TABLE.replace("standard = \"2022-2025\"", "standard = \"2027-2030\"")).expect("parsed");
    assert!(r.link().expect_err("no anchors").to_string().contains("no score-A anchors"));
}
