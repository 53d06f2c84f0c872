//! The authorization matrix (issue 11): every route of the application, enumerated from
//! `vuonlen_web::ROUTES` (the table the router is built from), × every role (and none) × the
//! caller's own commune, a sibling commune of the same province and another province, on both
//! engines. A route without an expected answer here fails the test.

use super::*;

/// What a caller may get: through (any answer but a refusal) or refused (401, 403, 404, or a
/// redirect to the sign-in page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Through,
    Refused,
}

/// Where a request points: no place, or a household / unit of one of the three areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    None,
    Own,
    Sibling,
    Far,
}

/// A caller and what its role lets it do.
struct Caller {
    name: &'static str,
    reads: &'static [Target],
    writes: &'static [Target],
    admin: bool,
    auditor: bool,
}

const EVERYWHERE: &[Target] = &[Target::Own, Target::Sibling, Target::Far];

/// Anonymous first, the commune officer (who uploads) last.
const CALLERS: &[Caller] = &[
    Caller { name: "", reads: &[], writes: &[], admin: false, auditor: false },
    Caller {
        name: "tinh.14",
        reads: &[Target::Own, Target::Sibling],
        writes: &[Target::Own, Target::Sibling],
        admin: false,
        auditor: false,
    },
    Caller { name: "trunguong", reads: EVERYWHERE, writes: &[], admin: false, auditor: false },
    Caller { name: "kiemtra", reads: EVERYWHERE, writes: &[], admin: false, auditor: true },
    Caller { name: "kiemtra.01", reads: &[Target::Far], writes: &[], admin: false, auditor: true },
    Caller { name: "admin", reads: EVERYWHERE, writes: &[], admin: true, auditor: false },
    Caller { name: "xa.own", reads: &[Target::Own], writes: &[Target::Own], admin: false, auditor: false },
];

/// The expected answer of `method path` for `c` about `t`. Every route must be here.
fn expected(method: &str, path: &str, c: &Caller, t: Target) -> Answer {
    use Answer::{Refused, Through};
    let yes = |b: bool| if b { Through } else { Refused };
    let signed_in = !c.name.is_empty();
    let reads = c.reads.contains(&t);
    let writes = c.writes.contains(&t) && reads;
    match (method, path) {
        ("get", "/dang-nhap" | "/ngon-ngu" | "/static/style.css" | "/static/app.js" | "/healthz" | "/readyz")
        | ("get", "/api/openapi.json") => Through,
        // Wrong credentials (and, for nobody, no CSRF token of the sign-in form): refused.
        ("post", "/dang-nhap") => Refused,
        // Signing out needs the session's CSRF token; what it ends is checked where it is sent.
        ("post", "/dang-xuat") => yes(signed_in),
        ("get", "/ho" | "/bao-cao" | "/dan-cu" | "/api/v1/me" | "/mat-khau")
        | ("post", "/api/v1/classify" | "/mat-khau") => yes(signed_in),
        ("get", "/") => yes(signed_in && reads),
        ("get" | "post", "/ho/moi" | "/nhap") | ("post", "/dan-cu") => yes(!c.writes.is_empty()),
        ("get", "/ho/{id}" | "/api/v1/households/{id}" | "/api/v1/households/{id}/surveys/{period}") => yes(reads),
        ("get" | "post", "/ho/{id}/sua") | ("put", "/api/v1/households/{id}/surveys/{period}") => yes(writes),
        ("post", "/ho/{id}/ho-tro") => yes(writes),
        // Helpers and commitments: read like the household or unit; recorded by who may change
        // the household (a viewer never).
        ("post", "/ho/{id}/giup-do" | "/api/v1/households/{id}/helpers") => yes(writes),
        (
            "get",
            "/api/v1/households/{id}/helpers" | "/giup-do" | "/giup-do/tai" | "/api/v1/helpers/progress/{year}/{unit}",
        ) => yes(reads),
        // Beneficiary lists: read like their commune; built and delivered by who may change it;
        // the support table is checked or recorded by whoever may edit (its rows are scoped).
        ("get", "/ho-tro") => yes(signed_in),
        // The support table of a unit and year: read like the unit.
        ("get", "/ho-tro/tai") => yes(reads),
        ("post", "/ho-tro") => yes(!c.writes.is_empty()),
        ("get", "/ho-tro/{id}" | "/ho-tro/{id}/tai") => yes(reads),
        ("post", "/ho-tro/{id}") => yes(writes),
        ("get", "/api/v1/households/{id}/support" | "/api/v1/beneficiary-lists" | "/api/v1/beneficiary-lists/{id}") => {
            yes(reads)
        }
        ("post", "/api/v1/households/{id}/support" | "/api/v1/beneficiary-lists") => yes(writes),
        // An upload belongs to the one who made it.
        ("post", "/nhap/{token}/xac-nhan") | ("get", "/nhap/{token}/loi.csv") => yes(c.name == "xa.own"),
        ("get", "/bao-cao/tai" | "/api/v1/reports" | "/api/v1/dashboard" | "/api/v1/households") => yes(reads),
        ("get" | "post", "/nguoi-dung") | ("post", "/nguoi-dung/{id}") => yes(c.admin),
        ("get", "/nhat-ky") => yes(c.auditor),
        ("get" | "post", "/token") => yes(signed_in),
        // Review rounds: everyone signed in lists those they may see; a province officer opens
        // one of its province; a round and its communes are read and written like households.
        ("get", "/ra-soat") => yes(signed_in),
        ("post", "/ra-soat") => yes(c.writes.contains(&Target::Sibling)),
        ("get", "/ra-soat/{id}") => {
            let province = if t == Target::Far { &[Target::Far][..] } else { &[Target::Own, Target::Sibling][..] };
            yes(province.iter().any(|p| c.reads.contains(p)))
        }
        ("get", "/ra-soat/{id}/xa/{commune}" | "/ra-soat/{id}/xa/{commune}/{file}") => yes(reads),
        ("post", "/ra-soat/{id}/xa/{commune}") => yes(writes),
        ("get", "/api/v1/review/rounds") => yes(signed_in),
        ("get", "/api/v1/review/rounds/{id}") => {
            let province = if t == Target::Far { &[Target::Far][..] } else { &[Target::Own, Target::Sibling][..] };
            yes(province.iter().any(|p| c.reads.contains(p)))
        }
        ("get", "/api/v1/review/rounds/{id}/communes/{commune}") => yes(reads),
        (
            "post",
            "/api/v1/review/rounds/{id}/communes/{commune}/list"
            | "/api/v1/review/rounds/{id}/communes/{commune}/steps"
            | "/api/v1/review/rounds/{id}/communes/{commune}/posting"
            | "/api/v1/review/rounds/{id}/communes/{commune}/complaints/{complaint}"
            | "/api/v1/review/rounds/{id}/communes/{commune}/decision"
            | "/api/v1/review/rounds/{id}/communes/{commune}/scores",
        ) => yes(writes),
        // The loaded score tables hold no personal data.
        ("get", "/api/v1/score-tables") => yes(signed_in),
        // Applications (regular review): everyone signed in lists those of its area; whoever may
        // edit records one (the registry refuses a household outside its write area, 422); the
        // monthly roll-up of a province is read like the province.
        ("get", "/ra-soat/don" | "/api/v1/review/applications" | "/api/v1/review/summary") => yes(signed_in),
        ("post", "/ra-soat/don" | "/api/v1/review/applications") => yes(!c.writes.is_empty()),
        ("get", "/ra-soat/thang" | "/api/v1/review/monthly") => {
            let province = if t == Target::Far { &[Target::Far][..] } else { &[Target::Own, Target::Sibling][..] };
            yes(province.iter().all(|p| c.reads.contains(p)))
        }
        // Plan targets: read like the unit, set (own figures, a table) by who may change it.
        (
            "get",
            "/chi-tieu" | "/chi-tieu/tai" | "/api/v1/targets/{year}/{unit}" | "/api/v1/targets/{year}/{unit}/progress",
        ) => yes(reads),
        ("post", "/chi-tieu" | "/api/v1/targets/{year}/{unit}/table") | ("put", "/api/v1/targets/{year}/{unit}") => {
            yes(writes)
        }
        // Jobs: job seekers read like the unit, registered and placed like their household;
        // vacancies (job ads, no personal data) read by everyone signed in, entered by who may
        // change the unit; a vacancy's matching list holds only the caller's area.
        ("get", "/viec-lam" | "/api/v1/job-seekers") => yes(reads),
        ("post", "/viec-lam" | "/api/v1/vacancies") => yes(writes),
        (
            "post",
            "/ho/{id}/viec-lam" | "/api/v1/households/{id}/job-seekers" | "/api/v1/households/{id}/placements",
        ) => yes(writes),
        (
            "get",
            "/viec-lam/{vacancy}"
            | "/viec-lam/{vacancy}/tai"
            | "/api/v1/vacancies"
            | "/api/v1/vacancies/{vacancy}/matches",
        ) => yes(signed_in),
        // The coverage of support: read like the unit.
        ("get", "/bao-phu" | "/bao-phu/tai" | "/api/v1/support-coverage/{year}/{unit}") => yes(reads),
        // Activities: read (the page, the matrix, the table, the API) like the unit; added one by
        // one or as a table by who may change it.
        ("get", "/hoat-dong" | "/hoat-dong/tai" | "/hoat-dong/bang" | "/api/v1/activities/{year}/{unit}") => yes(reads),
        ("post", "/hoat-dong" | "/hoat-dong/bang" | "/api/v1/activities/{year}/{unit}") => yes(writes),
        // Models: read like their commune (a unit's within the reader's area); added, joined,
        // replicated and given cases (on the page and through the API) by who may change the
        // commune — a model outside the caller's area not found, a read-only caller refused.
        ("get", "/mo-hinh" | "/mo-hinh/tai" | "/mo-hinh/{id}" | "/api/v1/models" | "/api/v1/models/{id}") => yes(reads),
        (
            "post",
            "/mo-hinh"
            | "/mo-hinh/{id}"
            | "/api/v1/models"
            | "/api/v1/models/{id}/households"
            | "/api/v1/models/{id}/replications"
            | "/api/v1/models/{id}/cases",
        ) => yes(writes),
        // Budgets: read like the unit, entered by who may change it.
        ("get", "/ngan-sach" | "/ngan-sach/tai" | "/api/v1/budgets/{unit}") => yes(reads),
        ("post", "/ngan-sach") | ("put", "/api/v1/budgets/{unit}") => yes(writes),
        // Plans: read like the unit, recorded by who may change it.
        ("get", "/api/v1/plans/{unit}") => yes(reads),
        ("put", "/api/v1/plans/{unit}/{first_year}/{last_year}") => yes(writes),
        // Monitoring reports: read like the unit; drafted (and submitted) by who may change it.
        ("get", "/giam-sat" | "/giam-sat/tai" | "/api/v1/monitoring/{kind}/{year}/{unit}") => yes(reads),
        ("post", "/giam-sat" | "/api/v1/monitoring/{kind}/{year}/{unit}") => yes(writes),
        // The commune officer's token: its owner or an administrator revokes it.
        ("post", "/token/{id}/thu-hoi") => yes(c.name == "xa.own" || c.admin),
        _ => panic!("no expected answer for {method} {path}: add the route to the authorization matrix"),
    }
}

/// The targets a route is tried on.
fn targets(path: &str) -> &'static [Target] {
    const UNIT_ROUTES: &[&str] = &[
        "/",
        "/bao-cao/tai",
        "/api/v1/reports",
        "/api/v1/dashboard",
        "/api/v1/households",
        "/ra-soat/thang",
        "/api/v1/review/monthly",
        "/chi-tieu",
        "/chi-tieu/tai",
        "/api/v1/targets/{year}/{unit}",
        "/api/v1/targets/{year}/{unit}/table",
        "/api/v1/targets/{year}/{unit}/progress",
        "/api/v1/plans/{unit}",
        "/api/v1/plans/{unit}/{first_year}/{last_year}",
        "/ngan-sach",
        "/ngan-sach/tai",
        "/hoat-dong",
        "/hoat-dong/tai",
        "/hoat-dong/bang",
        "/api/v1/activities/{year}/{unit}",
        "/ho-tro/tai",
        "/bao-phu",
        "/bao-phu/tai",
        "/viec-lam",
        "/api/v1/job-seekers",
        "/api/v1/vacancies",
        "/api/v1/support-coverage/{year}/{unit}",
        "/giup-do",
        "/giup-do/tai",
        "/api/v1/helpers/progress/{year}/{unit}",
        "/mo-hinh",
        "/mo-hinh/tai",
        "/api/v1/models",
        "/api/v1/beneficiary-lists",
        "/api/v1/budgets/{unit}",
        "/giam-sat",
        "/giam-sat/tai",
        "/api/v1/monitoring/{kind}/{year}/{unit}",
    ];
    let household = path.contains("{id}") && !path.starts_with("/nguoi-dung") && !path.starts_with("/token");
    if household || UNIT_ROUTES.contains(&path) { EVERYWHERE } else { &[Target::None] }
}

fn classify(r: &Reply) -> Answer {
    let to_sign_in = r.status == StatusCode::SEE_OTHER
        && r.headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).is_some_and(|l| l.starts_with("/dang-nhap"));
    if to_sign_in || [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&r.status) {
        Answer::Refused
    } else {
        Answer::Through
    }
}

/// Files of one new household of `commune` (English headers), with a bad value when `broken`.
fn upload_files(commune: &str, broken: bool) -> (Vec<u8>, Vec<u8>) {
    let mut r = synth("14", 240, 3).into_iter().find(|r| r.commune_code == commune).expect("a household");
    r.household_code = format!("{commune}-MATRIX");
    for (j, m) in r.members.iter_mut().enumerate() {
        m.id_number = None;
        m.full_name = format!("Người Thử {j}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let (h, m) = (dir.path().join("ho.csv"), dir.path().join("tv.csv"));
    let mut w = vuonlen_io::HouseholdWriter::create(
        &vuonlen_io::Target::Csv { households: h.clone(), members: m.clone() },
        vuonlen_io::HeaderStyle::English,
    )
    .expect("writer");
    w.write(&r).expect("write");
    w.finish().expect("finish");
    let mut hb = std::fs::read(&h).expect("h");
    if broken {
        hb = String::from_utf8(hb)
            .expect("utf-8")
            .replacen(",rural,", ",vùng xa,", 1)
            .replacen(",urban,", ",vùng xa,", 1)
            .into_bytes();
    }
    (hb, std::fs::read(&m).expect("m"))
}

struct Session {
    cookie: String,
    csrf: String,
}

impl World {
    /// `method uri` as `who` (a page with its session and CSRF header, an API call with its
    /// token, or anonymous), with a form, JSON or multipart body.
    async fn call(
        &self,
        who: &str,
        session: Option<&Session>,
        method: &str,
        uri: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> Reply {
        let mut b = Request::builder().method(method.to_uppercase().as_str()).uri(uri);
        if !who.is_empty() {
            if uri.starts_with("/api/") {
                b = b.header(header::AUTHORIZATION, format!("Bearer {}", self.tokens[who]));
            } else if let Some(s) = session {
                b = b.header(header::COOKIE, format!("vuonlen_session={}", s.cookie)).header("x-csrf-token", &s.csrf);
            }
        }
        let body = match body {
            Some((ct, bytes)) => {
                b = b.header(header::CONTENT_TYPE, ct);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        send(&self.app, b.body(body).expect("request")).await
    }
}

fn form(pairs: &[(&str, &str)]) -> Option<(String, Vec<u8>)> {
    Some(("application/x-www-form-urlencoded".into(), serde_urlencoded::to_string(pairs).expect("form").into_bytes()))
}

fn json(v: &Value) -> Option<(String, Vec<u8>)> {
    Some(("application/json".into(), v.to_string().into_bytes()))
}

fn upload(commune: &str, broken: bool) -> Option<(String, Vec<u8>)> {
    let (hb, mb) = upload_files(commune, broken);
    let (ct, body) = multipart(&[
        ("period", None, b"2025".to_vec()),
        ("households", Some("ho.csv"), hb),
        ("members", Some("tv.csv"), mb),
    ]);
    Some((ct, body))
}

/// A resident-totals file of `commune` (large enough for any commune of the test registry).
fn residents_upload(commune: &str) -> Option<(String, Vec<u8>)> {
    let file = format!("commune_code,households,persons\n{commune},100000,400000\n");
    Some(multipart(&[("period", None, b"2025".to_vec()), ("file", Some("dan-cu.csv"), file.into_bytes())]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_in_every_area_as_expected() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let mut w = world(db).await;
        let national = w.db.unscoped();
        let far_province = national.survey_detail(w.far_id, 2025).await.expect("far").current_province;
        let auditor = users::create_unscoped(
            &w.db,
            &NewUser {
                username: "kiemtra.01".into(),
                display_name: "kiemtra.01".into(),
                password_hash: password::hash(PASSWORD).expect("hash"),
                role: Role::Auditor,
                unit_code: Some(far_province.clone()),
            },
            "test",
            "test",
        )
        .await
        .expect("auditor");
        let token = password::token();
        users::create_token(&w.db, &auditor.access(), "test", &password::token_hash(&token)).await.expect("token");
        w.tokens.insert("kiemtra.01".into(), token);
        let mut sessions = std::collections::HashMap::new();
        for c in CALLERS.iter().filter(|c| !c.name.is_empty()) {
            let (cookie, csrf) =
                w.sign_in(c.name, PASSWORD).await.unwrap_or_else(|r| panic!("{}: {}", c.name, r.status));
            sessions.insert(c.name, Session { cookie, csrf });
        }
        let officer = users::by_username(&w.db, "xa.own").await.expect("q").expect("officer").0;
        let officer_id = officer.id;
        let token_id = officer
            .access()
            .create_token(&w.db, "matrix", &password::token_hash(&password::token()), None)
            .await
            .expect("token");
        // The commune officer's two uploads: one with a problem (its error file), one to confirm.
        let own = &sessions["xa.own"];
        let with_error = w.call("xa.own", Some(own), "post", "/nhap", upload(&w.own, true)).await;
        assert_eq!(with_error.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", with_error.body);
        let error_token = with_error.body.split("/nhap/").nth(1).and_then(|s| s.split('/').next()).expect("link");
        let valid = w.call("xa.own", Some(own), "post", "/nhap", upload(&w.own, false)).await;
        assert_eq!(valid.status, OK, "{engine}: {}", valid.body);
        let confirm_token = valid
            .body
            .split("action=\"/nhap/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .expect("confirm form")
            .to_string();
        let error_token = error_token.to_string();
        // A review round of each province (2025), opened by the national administration.
        let procedure = vuonlen_core::Standards::embedded().expect("standards").review_procedure().expect("procedure");
        let p2025 = vuonlen_store::period::get(&w.db, 2025).await.expect("period").expect("2025");
        let mut rounds = std::collections::HashMap::new();
        for province in ["14".to_string(), far_province.clone()] {
            let spec = vuonlen_store::review::RoundSpec {
                period: &p2025,
                kind: vuonlen_store::review::RoundKind::Annual,
                province_code: &province,
                starts_on: None,
                communes: &[],
                calendar: &[],
                procedure: &procedure,
            };
            rounds.insert(province.clone(), national.open_round(&spec, "test", "test").await.expect("round").id);
        }
        let round_of = |t: Target| if t == Target::Far { rounds[&far_province] } else { rounds["14"] };
        let ids = |t: Target| match t {
            Target::Own | Target::None => w.own_id,
            Target::Sibling => w.sibling_id,
            Target::Far => w.far_id,
        };
        let unit = |t: Target| match t {
            Target::Own | Target::None => w.own.clone(),
            Target::Sibling => w.sibling.clone(),
            Target::Far => w.far.clone(),
        };
        // A beneficiary list of each target commune (every poor or near-poor household).
        let mut lists = std::collections::HashMap::new();
        let standards = vuonlen_core::Standards::embedded().expect("standards");
        for t in [Target::Own, Target::Sibling, Target::Far] {
            let req = vuonlen_app::beneficiary::ListRequest {
                commune: unit(t),
                period: 2025,
                title: "Cấp thẻ BHYT".into(),
                project_code: None,
                source: None,
                support_kind: "legal_aid".into(),
                rule: vuonlen_core::eligibility::EligibilityRule {
                    classes: vec!["poor".into(), "near_poor".into(), "middle".into(), "not_poor".into()],
                    deprived_any: vec![],
                },
            };
            let id = vuonlen_app::beneficiary::build_list(&national, &standards, &req, "test", "test")
                .await
                .expect("build")
                .expect("built");
            lists.insert(t, id);
        }
        let list_of = |t: Target| lists[&if t == Target::None { Target::Own } else { t }];
        // A vacancy of the province's job centre.
        let vacancy = vuonlen_store::jobs::NewVacancy {
            employer: "Công ty May Sơn La".into(),
            title: "Công nhân may".into(),
            positions: 5,
            opens_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
            ..Default::default()
        };
        let province = vuonlen_store::targets::TargetUnit::parse("14").expect("Sơn La");
        let vacancy_id =
            national.record_vacancy(&province, &vacancy, "test", "test").await.expect("write").expect("recorded");
        // A poverty-reduction model of each target commune.
        let mut models = std::collections::HashMap::new();
        for t in [Target::Own, Target::Sibling, Target::Far] {
            let req = vuonlen_app::models::ModelRequest {
                commune: unit(t),
                name: "Nuôi bò sinh sản".into(),
                host: "HTX Nông nghiệp".into(),
                host_kind: "cooperative".into(),
                project_code: "DA2".into(),
                start_year: 2024,
                status: "under_way".into(),
                household_ids: vec![ids(t)],
                ..Default::default()
            };
            let id = vuonlen_app::models::add_model(&national, &standards, &req, "test", "test")
                .await
                .expect("add")
                .expect("added");
            models.insert(t, id);
        }
        let model_of = |t: Target| models[&if t == Target::None { Target::Own } else { t }];
        // In each target commune: a listed household, surveyed, agreed, posted, and one complaint.
        let mut complaints = std::collections::HashMap::new();
        for t in EVERYWHERE.iter().copied() {
            use vuonlen_core::review::{Origin, PostingDates, Screening, Vote};
            use vuonlen_store::review::{Application, ComplaintRow, ScreeningRow, Steps};
            let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).expect("day");
            let round = national.round(round_of(t)).await.expect("round").expect("round");
            let commune = unit(t);
            let by = |steps: Steps| {
                let (national, round, procedure) = (national.clone(), round.clone(), procedure.clone());
                async move {
                    national
                        .record_steps(&round, &procedure, &steps, "test", "test")
                        .await
                        .expect("step")
                        .expect("recorded")
                }
            };
            national.list_round(&round, Some(&commune), "test", "test").await.expect("list");
            if national.round_cases(&round, &commune).await.expect("cases").is_empty() {
                let s = national.survey_detail(ids(t), 2025).await.expect("survey").survey;
                let (commune_code, household_code) = (s.commune_code.clone(), s.household_code.clone());
                by(Steps::Applications(vec![Application {
                    commune_code: commune_code.clone(),
                    household_code: household_code.clone(),
                    origin: Origin::Applied,
                    applied_on: day(9, 10),
                }]))
                .await;
                by(Steps::Screening(vec![ScreeningRow {
                    commune_code,
                    household_code,
                    outcome: Screening::Proceeds,
                    reason: None,
                    note: None,
                    screened_on: day(9, 20),
                }]))
                .await;
            }
            national.record_surveyed_all(&round, &commune, "test", "test").await.expect("surveyed");
            let vote = Vote { attendees: 40, agreeing: 30 };
            national
                .record_meeting_all(&round, &procedure, &commune, day(10, 15), vote, "test", "test")
                .await
                .expect("met");
            let posting = PostingDates { starts_on: day(12, 1), ends_on: day(12, 3) };
            national
                .record_posting(&round, &procedure, &commune, posting, "UBND", "test", "test")
                .await
                .expect("posted");
            let first = national.round_cases(&round, &commune).await.expect("cases")[0].household_id;
            let s = national.survey_detail(first, 2025).await.expect("survey").survey;
            by(Steps::Complaints(vec![ComplaintRow {
                commune_code: s.commune_code,
                household_code: s.household_code,
                lodged_on: day(12, 2),
                content: "Khiếu nại thử".into(),
                outcome: None,
                recheck_class: None,
                resolved_on: None,
            }]))
            .await;
            complaints.insert(t, national.complaints(&round, &commune).await.expect("complaints")[0].id);
        }
        let complaint_of = |t: Target| complaints[&t];
        let mut tried = 0usize;
        let mut wrong = Vec::new();
        for c in CALLERS {
            let session = sessions.get(c.name);
            for (path, methods) in vuonlen_web::ROUTES {
                for method in methods.iter().copied() {
                    for &t in targets(path) {
                        let id = ids(t);
                        let survey = national.survey_detail(id, 2025).await.expect("survey");
                        let api_survey = w
                            .api("trunguong", "GET", &format!("/api/v1/households/{id}/surveys/2025"), None)
                            .await
                            .json();
                        let (uri, body) = match (method, *path) {
                            ("get", "/") => (format!("/?unit={}", unit(t)), None),
                            ("get", "/ngon-ngu") => ("/ngon-ngu?lang=en".to_string(), None),
                            ("post", "/dang-nhap") => {
                                (path.to_string(), form(&[("username", "nobody"), ("password", "x")]))
                            }
                            ("post", "/dang-xuat") => {
                                // A session of its own: the caller's stays for the next routes.
                                let throwaway = match c.name {
                                    "" => None,
                                    n => {
                                        w.sign_in(n, PASSWORD).await.ok().map(|(cookie, csrf)| Session { cookie, csrf })
                                    }
                                };
                                let r = w.call(c.name, throwaway.as_ref(), method, path, form(&[])).await;
                                tried += 1;
                                // Through: the session is over afterwards (and only that one).
                                let answer = match &throwaway {
                                    Some(s) if r.status == StatusCode::SEE_OTHER => {
                                        let after = w.call(c.name, Some(s), "get", "/ho", None).await;
                                        let kept = w.call(c.name, session, "get", "/ho", None).await;
                                        if classify(&after) == Answer::Refused && kept.status == OK {
                                            Answer::Through
                                        } else {
                                            Answer::Refused
                                        }
                                    }
                                    _ => classify(&r),
                                };
                                if answer != expected(method, path, c, t) {
                                    wrong.push(format!("{} {method} {path}: {}", c.name, r.status));
                                }
                                continue;
                            }
                            ("post", "/ho/moi") => (path.to_string(), form(&[("action", "save")])),
                            (_, "/ho/{id}") => (format!("/ho/{id}"), None),
                            ("post", "/ho/{id}/giup-do") => (
                                format!("/ho/{id}/giup-do"),
                                form(&[
                                    ("action", "register"),
                                    ("year", "2025"),
                                    ("planned_measures", "Nuôi bò sinh sản"),
                                    ("period", "2025"),
                                ]),
                            ),
                            ("get", "/api/v1/households/{id}/helpers") => {
                                (format!("/api/v1/households/{id}/helpers"), None)
                            }
                            ("post", "/api/v1/households/{id}/helpers") => (
                                format!("/api/v1/households/{id}/helpers"),
                                json(
                                    &serde_json::json!({"action": "register", "year": 2025, "planned_measures": "Nuôi bò sinh sản"}),
                                ),
                            ),
                            ("get", "/giup-do" | "/giup-do/tai") => {
                                (format!("{path}?unit={}&year=2025", unit(t)), None)
                            }
                            ("get", "/api/v1/helpers/progress/{year}/{unit}") => {
                                (format!("/api/v1/helpers/progress/2025/{}", unit(t)), None)
                            }
                            ("get", "/ho/{id}/sua") => (format!("/ho/{id}/sua?period=2025"), None),
                            ("post", "/ho/{id}/sua") => {
                                (format!("/ho/{id}/sua?period=2025"), form(&[("action", "save")]))
                            }
                            (_, "/ho-tro/{id}") => (
                                format!("/ho-tro/{}", list_of(t)),
                                (method == "post")
                                    .then(|| {
                                        form(&[
                                            ("household_id", ids(t).to_string().as_str()),
                                            ("delivered_on", "2025-06-01"),
                                        ])
                                    })
                                    .flatten(),
                            ),
                            ("get", "/ho-tro/{id}/tai") => (format!("/ho-tro/{}/tai", list_of(t)), None),
                            ("get", "/api/v1/households/{id}/support") => {
                                (format!("/api/v1/households/{}/support", ids(t)), None)
                            }
                            ("post", "/api/v1/households/{id}/support") => (
                                format!("/api/v1/households/{}/support", ids(t)),
                                json(&serde_json::json!({"kind": "legal_aid", "delivered_on": "2025-06-01"})),
                            ),
                            ("get", "/api/v1/beneficiary-lists") => {
                                (format!("/api/v1/beneficiary-lists?unit={}", unit(t)), None)
                            }
                            ("post", "/api/v1/beneficiary-lists") => (
                                path.to_string(),
                                json(
                                    &serde_json::json!({"commune": unit(t), "period": 2025, "title": "Trợ giúp pháp lý",
                                    "support_kind": "legal_aid", "classes": ["poor"]}),
                                ),
                            ),
                            ("get", "/api/v1/beneficiary-lists/{id}") => {
                                (format!("/api/v1/beneficiary-lists/{}", list_of(t)), None)
                            }
                            ("post", "/ho-tro") => (
                                path.to_string(),
                                Some(multipart(&[
                                    ("action", None, b"check".to_vec()),
                                    ("unit", None, unit(t).into_bytes()),
                                ])),
                            ),
                            ("post", "/ho/{id}/ho-tro") => (
                                format!("/ho/{id}/ho-tro"),
                                form(&[("kind", "legal_aid"), ("delivered_on", "2025-06-01"), ("period", "2025")]),
                            ),
                            ("get", "/nhap") => (path.to_string(), None),
                            ("post", "/nhap") => (path.to_string(), upload(&w.own, false)),
                            ("post", "/dan-cu") => (path.to_string(), residents_upload(&w.own)),
                            ("post", "/ra-soat") => (path.to_string(), form(&[("period", "2025"), ("kind", "annual")])),
                            ("get", "/ra-soat/{id}") => (format!("/ra-soat/{}", round_of(t)), None),
                            ("get", "/api/v1/review/rounds/{id}") => {
                                (format!("/api/v1/review/rounds/{}", round_of(t)), None)
                            }
                            (_, p) if p.starts_with("/api/v1/review/rounds/{id}/communes/{commune}") => {
                                let rest = p.trim_start_matches("/api/v1/review/rounds/{id}/communes/{commune}");
                                let base = format!("/api/v1/review/rounds/{}/communes/{}", round_of(t), unit(t));
                                // Bodies a writer's call gets through with (an answer, possibly a refusal).
                                let body = match rest {
                                    "/steps" => json(&serde_json::json!({"step": "surveys", "rows": []})),
                                    "/posting" => json(
                                        &serde_json::json!({"starts_on": "2025-12-01", "ends_on": "2025-12-03", "places": "UBND"}),
                                    ),
                                    "/complaints/{complaint}" => {
                                        json(&serde_json::json!({"outcome": "rejected", "resolved_on": "2025-12-02"}))
                                    }
                                    "/decision" => json(
                                        &serde_json::json!({"number": "1/QĐ-UBND", "decided_on": "2025-12-10", "signer": "A"}),
                                    ),
                                    "/scores" => json(&serde_json::json!({"table": "NONE", "rows": []})),
                                    _ => None,
                                };
                                let rest = rest.replace("{complaint}", &complaint_of(t).to_string());
                                (format!("{base}{rest}"), body)
                            }
                            (_, "/ra-soat/{id}/xa/{commune}") => (
                                format!("/ra-soat/{}/xa/{}", round_of(t), unit(t)),
                                Some(multipart(&[("action", None, b"list".to_vec())])),
                            ),
                            ("get", "/ra-soat/{id}/xa/{commune}/{file}") => {
                                (format!("/ra-soat/{}/xa/{}/phu-luc-1.xlsx", round_of(t), unit(t)), None)
                            }
                            (_, "/nhap/{token}/xac-nhan") => (format!("/nhap/{confirm_token}/xac-nhan"), form(&[])),
                            (_, "/nhap/{token}/loi.csv") => (format!("/nhap/{error_token}/loi.csv"), None),
                            ("get", "/bao-cao/tai") | ("get", "/api/v1/reports") => {
                                (format!("{path}?form=1&unit={}&period=2025", unit(t)), None)
                            }
                            ("get", "/api/v1/review/summary") => (format!("{path}?period=2025"), None),
                            ("get", "/ra-soat/thang" | "/api/v1/review/monthly") => {
                                let province = if t == Target::Far { far_province.clone() } else { "14".to_string() };
                                (format!("{path}?province={province}&month=2025-12"), None)
                            }
                            ("post", "/ra-soat/don") => (
                                path.to_string(),
                                form(&[
                                    ("commune_code", unit(t).as_str()),
                                    ("household_code", "NONE"),
                                    ("origin", "mau_01"),
                                    ("applied_on", "2025-12-01"),
                                ]),
                            ),
                            ("post", "/api/v1/review/applications") => (
                                path.to_string(),
                                json(
                                    &serde_json::json!({"commune_code": unit(t), "household_code": "NONE", "origin": "mau_01", "applied_on": "2025-12-01"}),
                                ),
                            ),
                            ("get", "/api/v1/dashboard") | ("get", "/api/v1/households") => {
                                (format!("{path}?unit={}", unit(t)), None)
                            }
                            ("get", "/chi-tieu" | "/chi-tieu/tai") => {
                                (format!("{path}?year=2026&unit={}", unit(t)), None)
                            }
                            ("post", "/chi-tieu") => (
                                path.to_string(),
                                Some(multipart(&[
                                    ("action", None, b"set".to_vec()),
                                    ("year", None, b"2026".to_vec()),
                                    ("unit", None, unit(t).into_bytes()),
                                    ("households", None, b"1000".to_vec()),
                                    ("poor_households", None, b"20".to_vec()),
                                    ("target_reduction_households", None, b"5".to_vec()),
                                ])),
                            ),
                            ("get", "/api/v1/targets/{year}/{unit}") => {
                                (format!("/api/v1/targets/2026/{}", unit(t)), None)
                            }
                            ("get", "/giam-sat" | "/giam-sat/tai") => {
                                (format!("{path}?kind=six_monthly&year=2026&unit={}", unit(t)), None)
                            }
                            ("post", "/giam-sat") => (
                                path.to_string(),
                                form(&[
                                    ("action", "draft"),
                                    ("kind", "six_monthly"),
                                    ("year", "2026"),
                                    ("unit", unit(t).as_str()),
                                ]),
                            ),
                            ("get", "/api/v1/monitoring/{kind}/{year}/{unit}") => {
                                (format!("/api/v1/monitoring/six_monthly/2026/{}", unit(t)), None)
                            }
                            ("post", "/api/v1/monitoring/{kind}/{year}/{unit}") => (
                                format!("/api/v1/monitoring/six_monthly/2026/{}", unit(t)),
                                json(&serde_json::json!({"action": "draft"})),
                            ),
                            ("get", "/api/v1/targets/{year}/{unit}/progress") => {
                                (format!("/api/v1/targets/2025/{}/progress", unit(t)), None)
                            }
                            ("put", "/api/v1/targets/{year}/{unit}") => (
                                format!("/api/v1/targets/2026/{}", unit(t)),
                                json(
                                    &serde_json::json!({"figures": {"households": 1000, "poor_households": 20, "target_reduction_households": 5}}),
                                ),
                            ),
                            ("get", "/api/v1/plans/{unit}") => (format!("/api/v1/plans/{}", unit(t)), None),
                            ("get", "/ngan-sach" | "/ngan-sach/tai") => (format!("{path}?unit={}", unit(t)), None),
                            ("get", "/viec-lam" | "/api/v1/job-seekers") => (format!("{path}?unit={}", unit(t)), None),
                            ("post", "/viec-lam") => (
                                path.to_string(),
                                form(&[
                                    ("action", "vacancy"),
                                    ("unit", unit(t).as_str()),
                                    ("employer", "Hợp tác xã"),
                                    ("title", "Thu hái chè"),
                                    ("positions", "2"),
                                    ("opens_on", "2025-03-01"),
                                ]),
                            ),
                            ("get", "/api/v1/vacancies") => (format!("{path}?province=14"), None),
                            ("post", "/api/v1/vacancies") => (
                                path.to_string(),
                                json(
                                    &serde_json::json!({"unit": unit(t), "employer": "Hợp tác xã", "title": "Thu hái chè",
                                    "positions": 2, "opens_on": "2025-03-01"}),
                                ),
                            ),
                            (
                                "get",
                                "/viec-lam/{vacancy}"
                                | "/viec-lam/{vacancy}/tai"
                                | "/api/v1/vacancies/{vacancy}/matches",
                            ) => (path.replace("{vacancy}", &vacancy_id.to_string()), None),
                            ("post", "/ho/{id}/viec-lam") => (
                                format!("/ho/{}/viec-lam", ids(t)),
                                form(&[
                                    ("vacancy", vacancy_id.to_string().as_str()),
                                    ("member_no", "1"),
                                    ("placed_on", "2025-09-01"),
                                ]),
                            ),
                            ("post", "/api/v1/households/{id}/job-seekers") => (
                                format!("/api/v1/households/{}/job-seekers", ids(t)),
                                json(
                                    &serde_json::json!({"member_no": 1, "skills": "may", "registered_on": "2025-09-01"}),
                                ),
                            ),
                            ("post", "/api/v1/households/{id}/placements") => (
                                format!("/api/v1/households/{}/placements", ids(t)),
                                json(
                                    &serde_json::json!({"member_no": 1, "employer": "Hợp tác xã", "placed_on": "2025-09-01"}),
                                ),
                            ),
                            ("get", "/bao-phu" | "/bao-phu/tai") => {
                                (format!("{path}?unit={}&year=2025", unit(t)), None)
                            }
                            ("get", "/api/v1/support-coverage/{year}/{unit}") => {
                                (format!("/api/v1/support-coverage/2025/{}", unit(t)), None)
                            }
                            ("get", "/mo-hinh" | "/mo-hinh/tai" | "/api/v1/models") => {
                                (format!("{path}?unit={}&year=2025", unit(t)), None)
                            }
                            ("post", "/mo-hinh") => (
                                path.to_string(),
                                form(&[
                                    ("unit", unit(t).as_str()),
                                    ("year", "2025"),
                                    ("name", "Trồng cây ăn quả"),
                                    ("host", "Tổ hợp tác"),
                                    ("host_kind", "cooperative_group"),
                                    ("project", "DA2"),
                                    ("start_year", "2025"),
                                    ("status", "under_way"),
                                ]),
                            ),
                            ("get", "/mo-hinh/{id}") => (format!("/mo-hinh/{}", model_of(t)), None),
                            ("post", "/mo-hinh/{id}") => (
                                format!("/mo-hinh/{}", model_of(t)),
                                form(&[("action", "case"), ("title", "Gương thoát nghèo"), ("case_year", "2025")]),
                            ),
                            ("get", "/api/v1/models/{id}") => (format!("/api/v1/models/{}", model_of(t)), None),
                            ("post", "/api/v1/models") => (
                                path.to_string(),
                                json(
                                    &serde_json::json!({"commune": unit(t), "name": "Trồng cây ăn quả", "host": "Tổ hợp tác",
                                    "project_code": "DA2", "start_year": 2025}),
                                ),
                            ),
                            ("post", "/api/v1/models/{id}/households") => (
                                format!("/api/v1/models/{}/households", model_of(t)),
                                json(&serde_json::json!({"household_ids": [ids(t)]})),
                            ),
                            ("post", "/api/v1/models/{id}/replications") => (
                                format!("/api/v1/models/{}/replications", model_of(t)),
                                json(&serde_json::json!({
                                    "commune": if t == Target::Own { unit(Target::Sibling) } else { unit(Target::Own) },
                                    "year": 2025, "households": 3})),
                            ),
                            ("post", "/api/v1/models/{id}/cases") => (
                                format!("/api/v1/models/{}/cases", model_of(t)),
                                json(&serde_json::json!({"title": "Gương thoát nghèo", "year": 2025})),
                            ),
                            ("get", "/hoat-dong" | "/hoat-dong/tai" | "/hoat-dong/bang" | "/ho-tro/tai") => {
                                (format!("{path}?unit={}&year=2025", unit(t)), None)
                            }
                            ("post", "/hoat-dong/bang") => {
                                let file = format!(
                                    "year,unit_code,project_code,title,lead_agency\n2025,{},DA5,Sửa nhà,UBND xã\n",
                                    unit(t)
                                );
                                (
                                    path.to_string(),
                                    Some(multipart(&[
                                        ("action", None, b"check".to_vec()),
                                        ("unit", None, unit(t).into_bytes()),
                                        ("year", None, b"2025".to_vec()),
                                        ("file", Some("hoat-dong.csv"), file.into_bytes()),
                                    ])),
                                )
                            }
                            ("get", "/api/v1/activities/{year}/{unit}") => {
                                (format!("/api/v1/activities/2025/{}", unit(t)), None)
                            }
                            ("post", "/api/v1/activities/{year}/{unit}") => (
                                format!("/api/v1/activities/2025/{}", unit(t)),
                                json(
                                    &serde_json::json!({"project_code": "DA5", "title": "Sửa nhà", "lead_agency": "UBND xã"}),
                                ),
                            ),
                            ("post", "/hoat-dong") => (
                                path.to_string(),
                                form(&[
                                    ("unit", unit(t).as_str()),
                                    ("year", "2025"),
                                    ("project", "DA5"),
                                    ("title", "Sửa nhà"),
                                    ("lead", "UBND xã"),
                                    ("status", "planned"),
                                ]),
                            ),
                            ("post", "/ngan-sach") => (
                                path.to_string(),
                                Some(multipart(&[
                                    ("action", None, b"set".to_vec()),
                                    ("unit", None, unit(t).into_bytes()),
                                    ("project", None, b"HP2".to_vec()),
                                    ("source", None, b"central".to_vec()),
                                    ("from", None, b"2026".to_vec()),
                                    ("amount_0", None, b"1000000".to_vec()),
                                ])),
                            ),
                            ("get", "/api/v1/budgets/{unit}") => (format!("/api/v1/budgets/{}", unit(t)), None),
                            ("put", "/api/v1/budgets/{unit}") => (
                                format!("/api/v1/budgets/{}", unit(t)),
                                json(
                                    &serde_json::json!({"project_code": "HP2", "source": "central", "first_year": 2026, "allocated": [1000000]}),
                                ),
                            ),
                            ("put", "/api/v1/plans/{unit}/{first_year}/{last_year}") => (
                                format!("/api/v1/plans/{}/2026/2030", unit(t)),
                                json(&serde_json::json!({"title": "Kế hoạch giảm nghèo 2026–2030"})),
                            ),
                            ("post", "/api/v1/targets/{year}/{unit}/table") => (
                                format!("/api/v1/targets/2026/{}/table", unit(t)),
                                json(&serde_json::json!({"rows": []})),
                            ),
                            ("post", "/nguoi-dung") => (path.to_string(), form(&[("username", "")])),
                            ("post", "/token") => (path.to_string(), form(&[("name", ""), ("days", "30")])),
                            (_, "/token/{id}/thu-hoi") => (format!("/token/{token_id}/thu-hoi"), form(&[])),
                            ("post", "/nguoi-dung/{id}") => {
                                (format!("/nguoi-dung/{officer_id}"), form(&[("role", "")]))
                            }
                            (_, "/api/v1/households/{id}") => (format!("/api/v1/households/{id}"), None),
                            ("get", "/api/v1/households/{id}/surveys/{period}") => {
                                (format!("/api/v1/households/{id}/surveys/2025"), None)
                            }
                            ("put", "/api/v1/households/{id}/surveys/{period}") => (
                                format!("/api/v1/households/{id}/surveys/2025"),
                                json(
                                    &serde_json::json!({ "version": api_survey["version"], "fields": api_survey["fields"] }),
                                ),
                            ),
                            ("post", "/api/v1/classify") => {
                                ("/api/v1/classify?period=2025".to_string(), json(&api_survey["fields"]))
                            }
                            _ => (path.to_string(), None),
                        };
                        let r = w.call(c.name, session, method, &uri, body).await;
                        tried += 1;
                        assert!(
                            !r.status.is_server_error(),
                            "{engine}: {} {method} {uri}: {} {}",
                            c.name,
                            r.status,
                            r.body
                        );
                        let want = expected(method, path, c, t);
                        if classify(&r) != want {
                            wrong.push(format!(
                                "{} {method} {uri} ({t:?}, household {}): {} but {want:?} expected",
                                c.name, survey.current_commune, r.status
                            ));
                        }
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{engine}: {} of {tried} answers wrong:\n{}", wrong.len(), wrong.join("\n"));
        // Every route was tried by every caller.
        let calls: usize = vuonlen_web::ROUTES.iter().map(|(p, m)| m.len() * targets(p).len()).sum();
        assert_eq!(tried, calls * CALLERS.len(), "{engine}");
    }
}
