//! Classification under the shipped standards: every indicator on both sides of its
//! threshold, every class boundary, both standards, and `auto` selection.

use chrono::NaiveDate;
use vuonlen_core::codes::*;
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::{
    BirthDate, Class, Household, IncomeTest, Member, Standard, StandardSelection, Standards, classify, explain,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Reference date of the tests: the 2024 review.
fn at() -> NaiveDate {
    d(2024, 12, 31)
}

fn std(id: &str) -> std::sync::Arc<Standard> {
    Standards::embedded().expect("shipped standards load").get(id).expect("standard exists")
}

/// A member of the given age (in full years at `at()`) with no deprivation.
fn member(no: u16, age: i32, sex: Sex) -> Member {
    let birth = BirthDate::Date(d(2024 - age, 6, 1));
    Member {
        member_no: no,
        relation: if no == 1 { Relation::Head } else { Relation::Child },
        sex,
        birth,
        ethnicity: Ethnicity::KINH,
        health_insurance: true,
        employment: if (15..60).contains(&age) { Employment::WageContract } else { Employment::NotInLabourForce },
        able_to_work: true,
        education: if age >= 18 { Education::UpperSecondary } else { Education::Primary },
        in_school: (3..18).contains(&age),
        school_on_track: if (3..16).contains(&age) { Some(true) } else { None },
        malnourished: if age < 16 { Some(false) } else { None },
        disability: Disability::None,
        social_allowance: false,
        merit: false,
    }
}

/// A rural household of two working adults with no deprivation and income 1,000,000.
fn household() -> Household {
    Household {
        area: Area::Rural,
        income_per_capita: Some(1_000_000),
        score_a: None,
        durable_structures: 3,
        floor_area_m2: 40.0,
        water_source: WaterSource::Piped,
        latrine: Latrine::Septic,
        internet_user: true,
        info_devices: true,
        waste_treatment: Some(true),
        members: vec![member(1, 40, Sex::Male), member(2, 38, Sex::Female)],
    }
}

fn deprived(std: &Standard, hh: &Household) -> Vec<String> {
    let c = classify(std, hh, at()).expect("classifiable");
    c.deprived.iter().map(|i| std.indicators[i].code.clone()).collect()
}

#[track_caller]
fn assert_only(std: &Standard, hh: &Household, code: &str) {
    assert_eq!(deprived(std, hh), vec![code.to_string()], "expected exactly {code}");
}

#[track_caller]
fn assert_none(std: &Standard, hh: &Household) {
    assert_eq!(deprived(std, hh), Vec::<String>::new());
}

#[test]
fn baseline_household_has_no_deprivation() {
    for id in ["2022-2025", "2027-2030"] {
        assert_none(&std(id), &household());
    }
}

#[test]
fn employment_unemployed_or_no_contract_of_working_age() {
    let s = std("2022-2025");
    for e in [Employment::Unemployed, Employment::WageNoContract] {
        let mut hh = household();
        hh.members[1].employment = e;
        assert_only(&s, &hh, "employment");
    }
    for e in [Employment::WageContract, Employment::SelfEmployed, Employment::NotInLabourForce, Employment::Student] {
        let mut hh = household();
        hh.members[1].employment = e;
        assert_none(&s, &hh);
    }
}

#[test]
fn employment_counts_only_working_age_members() {
    let s = std("2022-2025");
    // Age 14: below working age; 15: working age.
    let mut hh = household();
    let mut teen = member(3, 14, Sex::Male);
    teen.employment = Employment::WageNoContract;
    teen.in_school = false;
    teen.school_on_track = Some(true);
    hh.members.push(teen.clone());
    assert_none(&s, &hh);
    teen.birth = BirthDate::Date(d(2009, 12, 31)); // exactly 15 on 2024-12-31
    teen.school_on_track = None;
    teen.malnourished = Some(false);
    hh.members[2] = teen;
    assert!(deprived(&s, &hh).contains(&"employment".to_string()));
}

#[test]
fn employment_uses_the_retirement_schedule_of_the_year() {
    let s = std("2022-2025");
    // In 2024 men retire at 61 years 0 months and women at 56 years 4 months.
    let mut hh = household();
    hh.members[0].birth = BirthDate::Date(d(1963, 12, 31)); // man, exactly 61y0m on 2024-12-31
    hh.members[0].employment = Employment::Unemployed;
    assert_none(&s, &hh);
    hh.members[0].birth = BirthDate::Date(d(1964, 1, 1)); // 60y11m: still working age
    assert_only(&s, &hh, "employment");
    let mut hh = household();
    hh.members[1].birth = BirthDate::Date(d(1968, 8, 31)); // woman, 56y4m: retired
    hh.members[1].employment = Employment::Unemployed;
    assert_none(&s, &hh);
    hh.members[1].birth = BirthDate::Date(d(1968, 9, 1)); // 56y3m: working age
    assert_only(&s, &hh, "employment");
}

#[test]
fn dependants_more_than_half() {
    let s = std("2022-2025");
    // 2 adults + 2 children: exactly half, not deprived.
    let mut hh = household();
    hh.floor_area_m2 = 100.0;
    hh.members.push(member(3, 5, Sex::Male));
    hh.members.push(member(4, 8, Sex::Female));
    assert_none(&s, &hh);
    // 2 adults + 3 children: 60%.
    hh.members.push(member(5, 10, Sex::Female));
    assert_only(&s, &hh, "dependants");
    // An elderly member counts only with a monthly social allowance.
    let mut hh = household();
    hh.floor_area_m2 = 100.0;
    hh.members.truncate(1);
    hh.members.push(member(2, 82, Sex::Female));
    hh.members.push(member(3, 85, Sex::Male));
    assert_none(&s, &hh);
    hh.members[1].social_allowance = true;
    assert_none(&s, &hh); // 1 of 3
    hh.members[2].social_allowance = true;
    assert_only(&s, &hh, "dependants"); // 2 of 3
    // A disabled adult on an allowance counts too.
    let mut hh = household();
    hh.members[1].disability = Disability::Severe;
    hh.members[1].social_allowance = true;
    hh.members.push(member(3, 10, Sex::Male));
    hh.floor_area_m2 = 100.0;
    assert_only(&s, &hh, "dependants"); // child + disabled = 2 of 3
}

#[test]
fn nutrition_children_under_16() {
    let s = std("2022-2025");
    let mut hh = household();
    let mut child = member(3, 15, Sex::Female);
    child.malnourished = Some(true);
    hh.members.push(child);
    assert_only(&s, &hh, "nutrition");
    hh.members[2].malnourished = Some(false);
    assert_none(&s, &hh);
    // Age 16 is outside the indicator even when reported.
    hh.members[2] = member(3, 16, Sex::Female);
    hh.members[2].malnourished = Some(true);
    assert_none(&s, &hh);
}

#[test]
fn health_insurance_from_age_6() {
    let s = std("2022-2025");
    let mut hh = household();
    hh.members.push(member(3, 5, Sex::Male));
    hh.members[2].health_insurance = false;
    assert_none(&s, &hh);
    hh.members[2] = member(3, 6, Sex::Male);
    hh.members[2].health_insurance = false;
    assert_only(&s, &hh, "health_insurance");
    hh.members[2].health_insurance = true;
    assert_none(&s, &hh);
}

#[test]
fn adult_education_bands() {
    let s = std("2022-2025");
    let mut hh = household();
    hh.floor_area_m2 = 100.0;
    // 16–17 needs lower secondary unless studying.
    let mut m = member(3, 17, Sex::Male);
    m.in_school = false;
    m.education = Education::Primary;
    hh.members.push(m.clone());
    assert_only(&s, &hh, "adult_education");
    hh.members[2].education = Education::LowerSecondary;
    assert_none(&s, &hh);
    hh.members[2].education = Education::Primary;
    hh.members[2].in_school = true;
    assert_none(&s, &hh);
    // 18–30 needs upper secondary or vocational.
    let mut m = member(3, 30, Sex::Female);
    m.education = Education::LowerSecondary;
    m.in_school = false;
    hh.members[2] = m;
    assert_only(&s, &hh, "adult_education");
    hh.members[2].education = Education::Vocational;
    assert_none(&s, &hh);
    // 31 is outside.
    hh.members[2] = member(3, 31, Sex::Female);
    hh.members[2].education = Education::None;
    assert_none(&s, &hh);
    // 15 is outside (a child).
    let mut c = member(3, 15, Sex::Female);
    c.education = Education::None;
    c.in_school = false;
    hh.members[2] = c;
    assert_none(&s, &hh);
}

#[test]
fn child_schooling_ages_3_to_15() {
    let s = std("2022-2025");
    let mut hh = household();
    for (age, expect) in [(2, false), (3, true), (15, true), (16, false)] {
        let mut c = member(3, age, Sex::Male);
        c.school_on_track = Some(false);
        if age == 16 {
            c.education = Education::LowerSecondary;
        }
        hh.members.truncate(2);
        hh.members.push(c);
        assert_eq!(deprived(&s, &hh).contains(&"child_schooling".to_string()), expect, "age {age}");
    }
}

#[test]
fn housing_quality_two_of_three_structures() {
    let s = std("2022-2025");
    let mut hh = household();
    hh.durable_structures = 2;
    assert_none(&s, &hh);
    hh.durable_structures = 1;
    assert_only(&s, &hh, "housing_quality");
    hh.durable_structures = 0;
    assert_only(&s, &hh, "housing_quality");
}

#[test]
fn housing_area_8_square_metres_per_person() {
    let s = std("2022-2025");
    let mut hh = household();
    hh.floor_area_m2 = 16.0; // exactly 8 per person
    assert_none(&s, &hh);
    hh.floor_area_m2 = 15.9;
    assert_only(&s, &hh, "housing_area");
}

#[test]
fn water_and_latrine_lists() {
    let s = std("2022-2025");
    for w in WaterSource::ALL {
        let mut hh = household();
        hh.water_source = *w;
        let safe = matches!(
            w,
            WaterSource::Piped
                | WaterSource::DrilledWell
                | WaterSource::ProtectedDugWell
                | WaterSource::ProtectedSpring
                | WaterSource::Rainwater
                | WaterSource::Bottled
        );
        if safe { assert_none(&s, &hh) } else { assert_only(&s, &hh, "water") }
    }
    for l in Latrine::ALL {
        let mut hh = household();
        hh.latrine = *l;
        let hygienic = (*l as u32) < 6;
        if hygienic { assert_none(&s, &hh) } else { assert_only(&s, &hh, "latrine") }
    }
}

#[test]
fn information_indicators() {
    let s = std("2022-2025");
    let mut hh = household();
    hh.internet_user = false;
    assert_only(&s, &hh, "telecom");
    let mut hh = household();
    hh.info_devices = false;
    assert_only(&s, &hh, "info_devices");
}

#[test]
fn standard_2027_drops_info_devices_and_adds_waste() {
    let s = std("2027-2030");
    assert_eq!(s.indicators.len(), 12);
    assert!(s.indicator_index("info_devices").is_none());
    let mut hh = household();
    hh.info_devices = false;
    assert_none(&s, &hh);
    hh.waste_treatment = Some(false);
    assert_only(&s, &hh, "waste");
    hh.waste_treatment = None;
    assert_none(&s, &hh);
    // Under 2022–2025 waste is not an indicator.
    hh.info_devices = true;
    hh.waste_treatment = Some(false);
    assert_none(&std("2022-2025"), &hh);
}

fn with_deprivations(n: usize) -> Household {
    let mut hh = household();
    let setters: [fn(&mut Household); 5] = [
        |h| h.internet_user = false,
        |h| h.water_source = WaterSource::Surface,
        |h| h.latrine = Latrine::Hanging,
        |h| h.durable_structures = 0,
        |h| h.info_devices = false,
    ];
    for f in setters.iter().take(n) {
        f(&mut hh);
    }
    hh
}

#[test]
fn class_boundaries_rural_2022() {
    let s = std("2022-2025");
    let cases = [
        (1_500_000, 3, Class::Poor),
        (1_500_000, 2, Class::NearPoor),
        (1_500_001, 5, Class::Middle),
        (2_250_000, 0, Class::Middle),
        (2_250_001, 5, Class::NotPoor),
        (0, 0, Class::NearPoor),
    ];
    for (income, n, class) in cases {
        let mut hh = with_deprivations(n);
        hh.income_per_capita = Some(income);
        let c = classify(&s, &hh, at()).expect("classifiable");
        assert_eq!(c.class, class, "income {income}, {n} deprivations");
        assert_eq!(c.deprivation_count(), n as u32);
        assert_eq!(c.score_b, 10 * n as u32);
        assert_eq!(c.income_test, IncomeTest::Income);
    }
}

#[test]
fn class_boundaries_urban_2022() {
    let s = std("2022-2025");
    for (income, n, class) in [
        (2_000_000, 3, Class::Poor),
        (2_000_000, 2, Class::NearPoor),
        (2_000_001, 4, Class::Middle),
        (3_000_000, 4, Class::Middle),
        (3_000_001, 4, Class::NotPoor),
    ] {
        let mut hh = with_deprivations(n);
        hh.area = Area::Urban;
        hh.income_per_capita = Some(income);
        assert_eq!(classify(&s, &hh, at()).expect("ok").class, class, "urban {income} {n}");
    }
}

#[test]
fn class_boundaries_2027() {
    let s = std("2027-2030");
    for (area, income, n, class) in [
        (Area::Rural, 2_200_000, 3, Class::Poor),
        (Area::Rural, 2_200_000, 2, Class::NearPoor),
        (Area::Rural, 2_200_001, 3, Class::NotPoor), // no middle band published
        (Area::Urban, 2_800_000, 3, Class::Poor),
        (Area::Urban, 2_800_001, 0, Class::NotPoor),
    ] {
        let mut hh = with_deprivations(n);
        hh.area = area;
        hh.income_per_capita = Some(income);
        assert_eq!(classify(&s, &hh, d(2027, 6, 1)).expect("ok").class, class, "{area} {income} {n}");
    }
}

#[test]
fn score_a_anchors() {
    let s = std("2022-2025");
    for (area, score, n, class) in [
        (Area::Rural, 140, 3, Class::Poor),
        (Area::Rural, 140, 2, Class::NearPoor),
        (Area::Rural, 141, 6, Class::NotPoor),
        (Area::Urban, 175, 3, Class::Poor),
        (Area::Urban, 176, 0, Class::NotPoor),
    ] {
        let mut hh = with_deprivations(n);
        hh.area = area;
        hh.income_per_capita = None;
        hh.score_a = Some(score);
        let c = classify(&s, &hh, at()).expect("ok");
        assert_eq!(c.class, class, "{area} score {score}");
        assert_eq!(c.income_test, IncomeTest::ScoreA);
    }
    // The 2027–2030 standard publishes no anchor: score A alone cannot be classified.
    let mut hh = household();
    hh.income_per_capita = None;
    hh.score_a = Some(100);
    assert!(classify(&std("2027-2030"), &hh, d(2027, 6, 1)).is_err());
    hh.score_a = None;
    assert!(classify(&s, &hh, at()).is_err());
}

#[test]
fn auto_selection_by_date() {
    let r = Standards::embedded().expect("load");
    assert_eq!(r.select(&StandardSelection::Auto, d(2022, 1, 1)).expect("2022").id, "2022-2025");
    assert_eq!(r.select(&StandardSelection::Auto, d(2025, 12, 31)).expect("2025").id, "2022-2025");
    // A review applies the standard of the lists it establishes, the next year's.
    assert!(r.in_force(d(2021, 12, 31)).is_err(), "no standard on the day of the 2021 review");
    assert_eq!(r.for_review(2021).expect("review 2021").id, "2022-2025");
    assert_eq!(r.for_review(2025).expect("review 2025").id, "2022-2025", "2026 keeps the 2022–2025 standard");
    assert_eq!(r.for_review(2026).expect("review 2026").id, "2027-2030");
    assert_eq!(r.select_for_review(&StandardSelection::Auto, 2026).expect("auto").id, "2027-2030");
    // Decree 351/2025 keeps the 2022–2025 standard through 2026.
    assert_eq!(r.select(&StandardSelection::Auto, d(2026, 6, 30)).expect("2026").id, "2022-2025");
    assert_eq!(r.select(&StandardSelection::Auto, d(2026, 12, 31)).expect("2026").id, "2022-2025");
    assert_eq!(r.select(&StandardSelection::Auto, d(2027, 1, 1)).expect("2027").id, "2027-2030");
    assert!(r.select(&StandardSelection::Auto, d(2021, 12, 31)).is_err());
    assert!(r.select(&StandardSelection::Auto, d(2031, 1, 1)).is_err());
    assert_eq!(r.select(&StandardSelection::Id("2027-2030".into()), d(2026, 1, 1)).expect("what-if").id, "2027-2030");
    assert!(r.select(&StandardSelection::Id("2016-2020".into()), d(2026, 1, 1)).is_err());
}

#[test]
fn subgroup_flags() {
    let s = std("2022-2025");
    let mut hh = household();
    let c = classify(&s, &hh, at()).expect("ok");
    assert!(!c.subgroups.no_labour_capacity && !c.subgroups.ethnic_minority && !c.subgroups.merit);
    hh.members[0].ethnicity = Ethnicity::parse("Tày").expect("listed");
    hh.members[1].merit = true;
    let c = classify(&s, &hh, at()).expect("ok");
    assert!(c.subgroups.ethnic_minority && c.subgroups.merit);
    // Two elderly members: no labour capacity.
    let mut hh = household();
    hh.members = vec![member(1, 70, Sex::Male), member(2, 68, Sex::Female)];
    assert!(classify(&s, &hh, at()).expect("ok").subgroups.no_labour_capacity);
    // A working-age member unable to work does not give labour capacity.
    let mut hh = household();
    hh.members.truncate(1);
    hh.members[0].able_to_work = false;
    assert!(classify(&s, &hh, at()).expect("ok").subgroups.no_labour_capacity);
}

#[test]
fn explanation_names_line_value_and_each_deprivation() {
    let s = std("2022-2025");
    let mut hh = with_deprivations(4);
    hh.income_per_capita = Some(1_200_000);
    let c = classify(&s, &hh, at()).expect("ok");
    let e = explain(&s, &c);
    assert!(e.starts_with("Hộ nghèo: thu nhập bình quân 1.200.000 đồng/người/tháng"), "{e}");
    assert!(e.contains("chuẩn nghèo khu vực nông thôn 1.500.000 đồng"), "{e}");
    assert!(e.contains("thiếu hụt 4/12 chỉ số"), "{e}");
    for name in ["sử dụng dịch vụ viễn thông", "nguồn nước sinh hoạt", "nhà tiêu hợp vệ sinh", "chất lượng nhà ở"]
    {
        assert!(e.contains(name), "{name} missing in {e}");
    }
    assert!(e.ends_with('.'));

    let mut hh = household();
    hh.income_per_capita = Some(2_000_000);
    let e = explain(&s, &classify(&s, &hh, at()).expect("ok"));
    assert!(e.starts_with("Hộ có mức sống trung bình"), "{e}");
    assert!(e.contains("không quá mức sống trung bình 2.250.000 đồng"), "{e}");

    let mut hh = with_deprivations(1);
    hh.income_per_capita = None;
    hh.score_a = Some(120);
    let e = explain(&s, &classify(&s, &hh, at()).expect("ok"));
    assert!(e.starts_with("Hộ cận nghèo: điểm A 120, không vượt mốc 140 điểm"), "{e}");
}

#[test]
fn unverified_provisions_are_listed() {
    let s = std("2022-2025");
    let u = s.unverified_provisions();
    // With what of it has no source (issue 12).
    assert!(u.iter().any(|(what, _, _)| what.starts_with("indicator latrine (") && what.contains("biogas")));
    assert!(u.iter().any(|(what, _, _)| what.starts_with("indicator telecom (") && what.contains("internet")));
    assert!(!u.iter().any(|(what, _, _)| what == "lines.rural.poverty"));
}

#[test]
fn a_new_standard_is_a_file() {
    // A what-if standard with a higher rural line, added at run time without code.
    let text = include_str!("../../../standards/2027-2030.toml")
        .replace("id = \"2027-2030\"", "id = \"province-higher\"")
        .replace("2_200_000", "2_500_000")
        .replace("from = \"2027-01-01\"", "from = \"2040-01-01\"")
        .replace("to = \"2030-12-31\"", "to = \"2040-12-31\"");
    let mut r = Standards::embedded().expect("load");
    r.add_toml("province-higher.toml", &text).expect("valid file");
    r.link().expect("linked");
    let s = r.get("province-higher").expect("added");
    let mut hh = household();
    hh.income_per_capita = Some(2_400_000);
    assert_eq!(classify(&s, &hh, d(2040, 6, 1)).expect("ok").class, Class::NearPoor);
}

#[test]
fn invalid_standard_files_are_refused_with_the_reason() {
    let mut r = Standards::embedded().expect("load");
    let bad = include_str!("../../../standards/2022-2025.toml")
        .replace("\"piped\", \"drilled_well\"", "\"piped\", \"holy_well\"");
    let err = r.add_toml("bad.toml", &bad).expect_err("unknown water value");
    assert!(err.to_string().contains("holy_well"), "{err}");
    let bad =
        include_str!("../../../standards/2022-2025.toml").replace("kind = \"any_member\"", "kind = \"any_mamber\"");
    assert!(r.add_toml("bad2.toml", &bad).is_err());
}
