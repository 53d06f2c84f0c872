//! Phiếu B score tables: loaded as data (none shipped), regions resolved, answers scored with
//! every problem named. The table used here is a labelled TEST table of INVENTED points
//! (`fixtures/score-table-TEST.toml`); the official tables of Circular 07/2021 are not public.

use std::sync::Arc;
use vuonlen_core::codes::Area;
use vuonlen_core::score_table::{
    AnswerProblemKind as K, Answers, INTERCEPT, Purpose, ScoreTable, ScoreTableError as E, TEST_MARKER_VI,
};
use vuonlen_core::{StandardError, Standards};

const TEST_TABLE: &str = include_str!("fixtures/score-table-TEST.toml");

/// The shipped standards plus `text`, linked.
fn loaded_with(text: &str) -> Standards {
    let mut r = Standards::embedded().expect("standards");
    r.add_toml("score-table-TEST.toml", text).expect("add");
    r.link().expect("link");
    r
}

fn table() -> Arc<ScoreTable> {
    loaded_with(TEST_TABLE).score_table("2022-2025").expect("loaded")
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// `TEST_TABLE` with each (from, to) replaced; each `from` must occur.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = TEST_TABLE.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "the fixture has {from:?}");
        text = text.replace(from, to);
    }
    text
}

/// The problems for which the registry refuses `text`.
fn problems_of(text: &str) -> Vec<E> {
    let mut r = Standards::embedded().expect("standards");
    match r.add_toml("bad.toml", text) {
        Err(StandardError::ScoreTable { problems, .. }) => problems,
        other => panic!("expected a refused score table, got {other:?}"),
    }
}

#[test]
fn no_score_table_is_shipped() {
    let r = Standards::embedded().expect("standards");
    assert_eq!(r.score_tables().count(), 0);
    assert!(r.score_table("2022-2025").is_none());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../standards");
    for f in std::fs::read_dir(&dir).expect("standards/") {
        let path = f.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(!text.contains("\"score_table\""), "{} ships a score table", path.display());
    }
}

#[test]
fn the_test_table_loads_for_its_standard_and_says_everywhere_that_it_is_a_test() {
    let r = loaded_with(TEST_TABLE);
    assert_eq!(r.score_tables().count(), 1);
    let t = r.score_table("2022-2025").expect("loaded");
    assert_eq!((t.id.as_str(), t.standard.as_str()), ("TEST-not-official", "2022-2025"));
    assert_eq!(t.purpose, Purpose::Test);
    assert!(t.is_test());
    assert_eq!(t.shown_title(), format!("{TEST_MARKER_VI} {}", t.title_vi));
    assert!(t.version.as_deref().is_some_and(|v| v.contains("invented")), "{:?}", t.version);
    assert!(!t.status.is_verified());
    assert!(r.score_table("2027-2030").is_none(), "only for the standard it names");
    let s = t
        .score(
            t.region_for(Area::Urban, "79", "26734").expect("urban"),
            &answers(&[("household_size", "1"), ("roof", "leaves")]),
        )
        .expect("scored");
    assert!(s.test_table, "a score from a test table carries the flag");
}

#[test]
fn an_official_table_is_shown_without_the_test_marker() {
    // Invented points still, relabelled only to check how an official table is shown.
    let text = edited(&[
        ("id = \"TEST-not-official\"", "id = \"INVENTED-display-check\""),
        ("title_vi = \"BẢNG ĐIỂM THỬ NGHIỆM — KHÔNG PHẢI BẢNG CHÍNH THỨC\"", "title_vi = \"BẢNG ĐIỂM BỊA RA\""),
        ("title_en = \"TEST SCORE TABLE — NOT THE OFFICIAL ONE\"", "title_en = \"INVENTED TABLE\""),
        ("purpose = \"test\"", "purpose = \"official\""),
        ("version = \"TEST 1", "version = \"1"),
    ]);
    let t = loaded_with(&text).score_table("2022-2025").expect("loaded");
    assert!(!t.is_test());
    assert_eq!(t.shown_title(), "BẢNG ĐIỂM BỊA RA");
    let urban = t.region_for(Area::Urban, "79", "26734").expect("urban");
    let s = t.score(urban, &answers(&[("household_size", "1"), ("roof", "leaves")])).expect("scored");
    assert!(!s.test_table);
}

#[test]
fn a_test_table_must_say_so_and_an_official_one_must_not() {
    let unmarked = edited(&[
        ("id = \"TEST-not-official\"", "id = \"t1\""),
        ("title_vi = \"BẢNG ĐIỂM THỬ NGHIỆM", "title_vi = \"BẢNG ĐIỂM"),
        ("status = \"unverified\"", "status = \"verified\""),
    ]);
    assert_eq!(
        problems_of(&unmarked),
        [
            E::TestUnmarked { field: "id", word: "TEST" },
            E::TestUnmarked { field: "title_vi", word: "THỬ NGHIỆM" },
            E::TestVerified,
        ]
    );
    let official_but_test = edited(&[("purpose = \"test\"", "purpose = \"official\"")]);
    assert_eq!(
        problems_of(&official_but_test),
        [
            E::OfficialMarkedTest { field: "id" },
            E::OfficialMarkedTest { field: "title_vi" },
            E::OfficialMarkedTest { field: "title_en" },
        ]
    );
}

#[test]
fn regions_by_commune_then_province_then_area() {
    let t = table();
    let region = |area, p, c| t.region_for(area, p, c).map(|r| r.code.as_str());
    assert_eq!(region(Area::Urban, "79", "26734"), Some("urban"), "urban: every province");
    assert_eq!(region(Area::Rural, "14", "04000"), Some("NT2"));
    assert_eq!(region(Area::Rural, "01", "00004"), Some("NT1"));
    assert_eq!(region(Area::Rural, "15", "04378"), Some("NT1"), "the commune wins over its province");
    assert_eq!(region(Area::Urban, "15", "04378"), Some("urban"), "a rural region's commune is rural only");
    assert_eq!(region(Area::Rural, "79", "26734"), None, "no rural region covers province 79");

    // A rural region naming no province covers the provinces no other rural region names.
    let t = loaded_with(&edited(&[("provinces = [\"14\", \"15\"]", "provinces = []")]))
        .score_table("2022-2025")
        .expect("loaded");
    let region = |area, p, c| t.region_for(area, p, c).map(|r| r.code.as_str());
    assert_eq!(region(Area::Rural, "79", "26734"), Some("NT2"));
    assert_eq!(region(Area::Rural, "01", "00004"), Some("NT1"), "a province named wins over the default");
    assert_eq!(region(Area::Rural, "15", "04378"), Some("NT1"));
}

#[test]
fn score_a_is_the_intercept_plus_the_points_of_each_answer_in_the_region() {
    let t = table();
    let nt2 = t.region_for(Area::Rural, "14", "04000").expect("NT2");
    let s = t
        .score(nt2, &answers(&[("household_size", "2_4"), ("roof", "concrete"), ("buffalo", "some")]))
        .expect("scored");
    assert_eq!((s.table_id.as_str(), s.region.as_str(), s.total), ("TEST-not-official", "NT2", 28 + 38 + 25));
    let parts: Vec<(&str, &str, i32)> = s.parts.iter().map(|(v, c, p)| (v.as_str(), c.as_str(), *p)).collect();
    assert_eq!(parts, [("household_size", "2_4", 28), ("roof", "concrete", 38), ("buffalo", "some", 25)]);

    let nt1 = t.region_for(Area::Rural, "15", "04378").expect("NT1 by its commune");
    let s =
        t.score(nt1, &answers(&[("household_size", "5"), ("roof", "leaves"), ("buffalo", "none")])).expect("scored");
    assert_eq!((s.region.as_str(), s.total), ("NT1", 8));

    // Urban: the intercept first, and no buffalo question.
    let urban = t.region_for(Area::Urban, "14", "04000").expect("urban");
    let s = t.score(urban, &answers(&[("household_size", "1"), ("roof", "leaves")])).expect("scored");
    assert_eq!(s.total, 10 + 50);
    assert_eq!(s.parts[0], (INTERCEPT.to_string(), String::new(), 10));
    assert_eq!(s.parts.len(), 3);
}

#[test]
fn answers_match_codes_in_any_case_and_vietnamese_names_without_diacritics() {
    let t = table();
    let nt2 = t.region_for(Area::Rural, "14", "04000").expect("NT2");
    // Variable keys in any case (or by name); answers by name, decomposed (NFD), unaccented, upper case.
    let s = t
        .score(nt2, &answers(&[("HOUSEHOLD_SIZE", " 2_4 "), ("Roof", "Be\u{302} to\u{302}ng"), ("Trâu, bò", "CÓ")]))
        .expect("scored");
    let categories: Vec<&str> = s.parts.iter().map(|p| p.1.as_str()).collect();
    assert_eq!(categories, ["2_4", "concrete", "some"]);
    assert_eq!(s.total, 91);
    let s = t.score(
        nt2,
        &answers(&[("household_size", "tu hai den bon nguoi"), ("roof", "LEAVES"), ("buffalo", "khong co")]),
    );
    assert_eq!(s.expect("scored").total, 28);
    // A blank answer to an unknown variable is no answer.
    let blank_extra = answers(&[("household_size", "1"), ("roof", "leaves"), ("buffalo", "none"), ("car", " ")]);
    assert_eq!(t.score(nt2, &blank_extra).expect("scored").total, 45);
}

#[test]
fn every_answer_problem_is_named_at_once() {
    let t = table();
    let urban = t.region_for(Area::Urban, "14", "04000").expect("urban");
    let problems = t
        .score(urban, &answers(&[("household_size", "  "), ("roof", "tin"), ("buffalo", "some"), ("car", "yes")]))
        .expect_err("four problems");
    let found: Vec<(K, &str, &str)> =
        problems.iter().map(|p| (p.kind, p.variable.as_str(), p.value.as_str())).collect();
    assert_eq!(
        found,
        [
            (K::Missing, "household_size", ""),
            (K::UnknownCategory, "roof", "tin"),
            (K::NotAsked, "buffalo", "some"),
            (K::UnknownVariable, "car", "yes"),
        ]
    );
    assert!(
        problems[0].vi.contains("Thiếu") && problems[0].en.contains("No answer to \"Household size\""),
        "{}",
        problems[0]
    );
    assert!(problems[1].vi.contains("được: concrete, leaves"), "{}", problems[1]);
    assert!(problems[1].en.contains("allowed: concrete, leaves"), "{}", problems[1]);
    assert!(problems[2].vi.contains("không được hỏi ở vùng urban"), "{}", problems[2]);
    assert!(problems[3].en.contains("no variable \"car\""), "{}", problems[3]);
    assert!(problems[3].to_string().contains(" / "), "both languages: {}", problems[3]);

    // Two answers to one variable (keys differing in case only).
    let nt2 = t.region_for(Area::Rural, "14", "04000").expect("NT2");
    let twice = answers(&[("household_size", "1"), ("ROOF", "leaves"), ("roof", "concrete"), ("buffalo", "none")]);
    let problems = t.score(nt2, &twice).expect_err("repeated");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0].kind, problems[0].variable.as_str()), (K::Repeated, "roof"));
    assert!(problems[0].en.contains("answered twice"), "{}", problems[0]);
}

#[test]
fn a_bad_table_is_refused_with_every_problem_at_once() {
    let bad = edited(&[
        ("area = \"urban\"", "area = \"town\""),
        ("provinces = [\"14\", \"15\"]", "provinces = [\"14\", \"150\"]"),
        ("communes = [\"04378\"]", "communes = [\"4378\"]"),
        ("points = { NT1 = 20, NT2 = 25 }", "points = { NT2 = 25, NT9 = 20 }"),
        ("code = \"leaves\"", "code = \"concrete\""),
    ]);
    let problems = problems_of(&bad);
    for expected in [
        E::BadArea { region: "urban".into(), area: "town".into() },
        E::BadProvince { region: "NT2".into(), province: "150".into() },
        E::BadCommune { region: "NT1".into(), commune: "4378".into() },
        E::DuplicateCategory { variable: "roof".into(), category: "concrete".into() },
        E::UnknownRegion { variable: "buffalo".into(), category: "some".into(), region: "NT9".into() },
        E::PartialPoints { variable: "buffalo".into(), region: "NT1".into(), missing: vec!["some".into()] },
    ] {
        assert!(problems.contains(&expected), "{expected:?} in {problems:#?}");
    }
    assert_eq!(problems.len(), 6, "{problems:#?}");
    let mut r = Standards::embedded().expect("standards");
    let message = r.add_toml("bad.toml", &bad).expect_err("refused").to_string();
    for s in ["bad.toml", "town", "150", "4378", "NT9", "buffalo", "categories some have no points"] {
        assert!(message.contains(s), "{s} in {message}");
    }
    assert_eq!(r.score_tables().count(), 0, "a refused table is not kept");
}

#[test]
fn regions_must_not_overlap_within_an_area() {
    let overlap = edited(&[
        ("provinces = [\"01\"]", "provinces = [\"01\", \"14\"]"),
        ("provinces = [\"14\", \"15\"]", "provinces = [\"14\", \"15\"]\ncommunes = [\"04378\"]"),
        ("code = \"NT1\"", "code = \"NT2\""),
    ]);
    let problems = problems_of(&overlap);
    assert!(problems.contains(&E::DuplicateRegion("NT2".into())), "{problems:#?}");
    let in_two = E::ProvinceInTwoRegions {
        area: "rural".into(),
        province: "14".into(),
        first: "NT2".into(),
        second: "NT2".into(),
    };
    assert!(problems.contains(&in_two), "{problems:#?}");
    assert!(
        problems.iter().any(|p| matches!(p, E::CommuneInTwoRegions { commune, .. } if commune == "04378")),
        "{problems:#?}"
    );

    // NT1 made a second urban region covering every province.
    let two_defaults =
        edited(&[("area = \"rural\"\nprovinces = [\"01\"]\ncommunes = [\"04378\"]", "area = \"urban\"")]);
    assert_eq!(
        problems_of(&two_defaults),
        [E::TwoDefaultRegions { area: "urban".into(), first: "urban".into(), second: "NT1".into() }]
    );
}

#[test]
fn variables_and_categories_must_be_unambiguous() {
    let bad = edited(&[
        ("code = \"roof\"", "code = \"Roof\""),
        ("name_en = \"Roof\"", "name_en = \"Household size\""),
        ("code = \"buffalo\"", "code = \"intercept\""),
        ("name_vi = \"Năm người trở lên\"", "name_vi = \"Một người\""),
    ]);
    assert_eq!(
        problems_of(&bad),
        [
            E::AmbiguousCategory {
                variable: "household_size".into(),
                key: "mot nguoi".into(),
                first: "1".into(),
                second: "5".into()
            },
            E::BadVariableCode("Roof".into()),
            E::AmbiguousVariable {
                key: "household size".into(),
                first: "household_size".into(),
                second: "Roof".into()
            },
            E::BadVariableCode("intercept".into()),
        ]
    );
    let start = TEST_TABLE.find("[[variables]]").expect("variables");
    assert_eq!(problems_of(&TEST_TABLE[..start]), [E::NoVariable]);
}

#[test]
fn a_misspelt_or_missing_field_is_a_parse_error() {
    let mut r = Standards::embedded().expect("standards");
    let typo = edited(&[("intercept = 10", "intercep = 10")]);
    assert!(matches!(r.add_toml("t.toml", &typo), Err(StandardError::Parse { .. })));
    let no_purpose = edited(&[("purpose = \"test\"\n", "")]);
    let e = r.add_toml("t.toml", &no_purpose).expect_err("purpose is required");
    assert!(e.to_string().contains("purpose"), "{e}");
}

#[test]
fn a_table_for_an_unknown_standard_or_one_without_anchors_is_refused_and_dropped() {
    let mut r = Standards::embedded().expect("standards");
    r.add_toml("x.toml", &edited(&[("standard = \"2022-2025\"", "standard = \"1999\"")])).expect("parsed");
    let e = r.link().expect_err("unknown standard").to_string();
    assert!(e.contains("unknown standard \"1999\"") && e.contains("x.toml"), "{e}");
    assert_eq!(r.score_tables().count(), 0, "dropped");
    r.link().expect("the registry is usable after the refusal");

    let mut r = Standards::embedded().expect("standards");
    r.add_toml("x.toml", &edited(&[("standard = \"2022-2025\"", "standard = \"2027-2030\"")])).expect("parsed");
    assert!(r.link().expect_err("no anchors").to_string().contains("no score-A anchors"));
    assert!(r.score_table("2027-2030").is_none());
}

#[test]
fn one_table_per_standard_and_the_latest_of_an_id_wins() {
    let mut r = loaded_with(TEST_TABLE);
    r.add_toml("again.toml", &edited(&[("intercept = 10", "intercept = 20")])).expect("add");
    r.link().expect("same id: replaced");
    assert_eq!(r.score_tables().count(), 1);
    let t = r.score_table("2022-2025").expect("loaded");
    let urban = t.region_for(Area::Urban, "79", "26734").expect("urban");
    assert_eq!(t.score(urban, &answers(&[("household_size", "1"), ("roof", "leaves")])).expect("scored").total, 70);

    r.add_toml("second.toml", &edited(&[("id = \"TEST-not-official\"", "id = \"TEST-second\"")])).expect("add");
    let e = r.link().expect_err("two tables for one standard").to_string();
    assert!(e.contains("two score tables") && e.contains("TEST-second"), "{e}");
    assert_eq!(r.score_table("2022-2025").expect("the first stays").id, "TEST-not-official");
    assert_eq!(r.score_tables().count(), 1);
}

#[test]
fn an_unknown_kind_names_the_score_table_kind() {
    let mut r = Standards::embedded().expect("standards");
    let e = r.add_toml("x.toml", "kind = \"score_tabel\"\n").expect_err("unknown kind").to_string();
    assert!(e.contains("\"score_table\""), "{e}");
}

#[test]
fn the_example_of_the_documentation_loads_and_scores_as_it_says() {
    let doc = include_str!("../../../docs/score-tables.md");
    let start = doc.find("```toml\n").expect("example") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("end of example");
    let t = loaded_with(&doc[start..end]).score_table("2022-2025").expect("loaded");
    assert!(t.is_test(), "the example is marked as invented");
    let nt2 = t.region_for(Area::Rural, "14", "04000").expect("NT2");
    assert_eq!(t.score(nt2, &answers(&[("household_size", "2_plus"), ("buffalo", "some")])).expect("NT2").total, 53);
    let urban = t.region_for(Area::Urban, "14", "04000").expect("urban");
    assert_eq!(t.score(urban, &answers(&[("household_size", "1")])).expect("urban").total, 60);
}
