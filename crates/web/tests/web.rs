//! The web application and API against a real registry (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set), through the real router: who may read and change what, the
//! sign-in, CSRF, rate limiting, version checks on edits, search.

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use std::net::SocketAddr;
use tower::ServiceExt;
use vuonlen_io::HouseholdRecord;
use vuonlen_store::import::{ImportSpec, Importer};
use vuonlen_store::testing::engines;
use vuonlen_store::users::{self, NewUser, Role};
use vuonlen_store::{Db, Scope};
use vuonlen_web::{AppState, password};

#[path = "web/matrix.rs"]
mod matrix;

const PASSWORD: &str = "mật khẩu thử 123";

/// The registry of a test: two communes of Sơn La (14) and one of Hà Nội (01), two periods.
struct World {
    db: Db,
    app: axum::Router,
    /// Own commune, the other commune of the same province, a commune of another province.
    own: String,
    sibling: String,
    far: String,
    /// A household id in each of them.
    own_id: i64,
    sibling_id: i64,
    far_id: i64,
    /// API tokens by username.
    tokens: std::collections::HashMap<String, String>,
}

fn synth(province: &str, n: u64, seed: u64) -> Vec<HouseholdRecord> {
    let cfg = vuonlen_synth::SynthConfig {
        households: n,
        seed,
        province: Some(province.into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
    };
    vuonlen_synth::generate(&cfg).expect("synth").map(|s| s.record).collect()
}

async fn import(db: &Db, year: i64, records: &[HouseholdRecord]) {
    let mut std = vuonlen_core::Standards::embedded().expect("standards");
    std.link().expect("link");
    let spec = ImportSpec {
        period: year,
        reference_date: chrono::NaiveDate::from_ymd_opt(i32::try_from(year).expect("year"), 12, 31).expect("date"),
        standard: std.get("2022-2025").expect("standard"),
        actor: "test".into(),
        command: "test".into(),
        files: "test".into(),
        file_hash: format!("{year}"),
        scope: Scope::unscoped_all(),
        expected_households: None,
    };
    let mut imp = Importer::begin_unscoped(db, spec).await.expect("begin");
    imp.push(records).await.expect("push");
    let s = imp.finish().await.expect("finish");
    assert!(s.committed && s.conflicts.is_empty(), "{:?}", s.conflicts);
}

async fn id_in(db: &Db, commune: &str) -> i64 {
    let reg = db.unscoped();
    let f = vuonlen_store::browse::HouseholdFilter { unit: Some(commune.into()), ..Default::default() };
    reg.households(2025, "2022-2025", &f, 0, 1).await.expect("list").items[0].household_id
}

async fn world(db: Db) -> World {
    let mut records = synth("14", 240, 3);
    records.extend(synth("01", 60, 4));
    import(&db, 2024, &records).await;
    import(&db, 2025, &records).await;
    let communes = vuonlen_store::browse::largest_communes(&db, "14", 2).await.expect("communes");
    let far = vuonlen_store::browse::largest_communes(&db, "01", 1).await.expect("communes")[0].clone();
    let (own, sibling) = (communes[0].clone(), communes[1].clone());
    let hash = password::hash(PASSWORD).expect("hash");
    let mut tokens = std::collections::HashMap::new();
    for (name, role, unit) in [
        ("xa.own", Role::CommuneOfficer, Some(own.clone())),
        ("tinh.14", Role::ProvinceOfficer, Some("14".to_string())),
        ("trunguong", Role::NationalViewer, None),
        ("kiemtra", Role::Auditor, None),
        ("admin", Role::Admin, None),
    ] {
        let u = users::create_unscoped(
            &db,
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                password_hash: hash.clone(),
                role,
                unit_code: unit,
            },
            "test",
            "test",
        )
        .await
        .expect("user");
        let token = password::token();
        users::create_token(&db, &u.access(), "test", &password::token_hash(&token)).await.expect("token");
        tokens.insert(name.to_string(), token);
    }
    let standards = {
        let mut r = vuonlen_core::Standards::embedded().expect("standards");
        r.link().expect("link");
        r
    };
    let app = vuonlen_web::app(AppState::new(db.clone(), standards, false));
    World {
        own_id: id_in(&db, &own).await,
        sibling_id: id_in(&db, &sibling).await,
        far_id: id_in(&db, &far).await,
        db,
        app,
        own,
        sibling,
        far,
        tokens,
    }
}

fn addr() -> ConnectInfo<SocketAddr> {
    ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000)))
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(app: &axum::Router, mut req: Request<Body>) -> Reply {
    req.extensions_mut().insert(addr());
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned();
    Reply { status, headers, body }
}

impl World {
    async fn api(&self, who: &str, method: &str, uri: &str, body: Option<Value>) -> Reply {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.tokens[who]));
        let body = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        send(&self.app, b.body(body).expect("request")).await
    }

    /// Signs in through the form; returns the session cookie and the CSRF token of the pages.
    async fn sign_in(&self, username: &str, pass: &str) -> Result<(String, String), Reply> {
        let page = send(&self.app, Request::get("/dang-nhap").body(Body::empty()).expect("request")).await;
        let cookie = set_cookie_value(&page.headers, "vuonlen_login_csrf").expect("login csrf cookie");
        let form = serde_urlencoded::to_string([
            ("_csrf", cookie.as_str()),
            ("username", username),
            ("password", pass),
            ("next", "/"),
        ])
        .expect("form");
        let req = Request::post("/dang-nhap")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("vuonlen_login_csrf={cookie}"))
            .body(Body::from(form))
            .expect("request");
        let r = send(&self.app, req).await;
        let Some(session) = set_cookie_value(&r.headers, "vuonlen_session").filter(|s| !s.is_empty()) else {
            return Err(r);
        };
        let home = self.page(&session, "/").await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let csrf = home
            .body
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("csrf in page")
            .to_string();
        Ok((session, csrf))
    }

    async fn page(&self, session: &str, uri: &str) -> Reply {
        let req = Request::get(uri)
            .header(header::COOKIE, format!("vuonlen_session={session}"))
            .body(Body::empty())
            .expect("request");
        send(&self.app, req).await
    }

    async fn post_form(&self, session: &str, uri: &str, pairs: &[(String, String)], origin: Option<&str>) -> Reply {
        let mut b = Request::post(uri)
            .header(header::COOKIE, format!("vuonlen_session={session}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o).header(header::HOST, "127.0.0.1:8080");
        }
        send(&self.app, b.body(Body::from(serde_urlencoded::to_string(pairs).expect("form"))).expect("request")).await
    }
}

fn set_cookie_value(h: &axum::http::HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or("").to_string()))
}

/// Every API call of a household, for one caller: the statuses of (get, survey, put, list of its
/// commune, dashboard of its commune).
async fn household_calls(w: &World, who: &str, id: i64, commune: &str) -> [StatusCode; 5] {
    let get = w.api(who, "GET", &format!("/api/v1/households/{id}"), None).await;
    let survey = w.api(who, "GET", &format!("/api/v1/households/{id}/surveys/2025"), None).await;
    let put_status = if survey.status == StatusCode::OK {
        let s = survey.json();
        let body = serde_json::json!({ "version": s["version"], "fields": s["fields"] });
        w.api(who, "PUT", &format!("/api/v1/households/{id}/surveys/2025"), Some(body)).await.status
    } else {
        // Without a read, try a change anyway: it must be refused the same way.
        let body = serde_json::json!({ "version": "0", "fields": { "household": {}, "members": [] } });
        w.api(who, "PUT", &format!("/api/v1/households/{id}/surveys/2025"), Some(body)).await.status
    };
    let list = w.api(who, "GET", &format!("/api/v1/households?unit={commune}"), None).await;
    let dash = w.api(who, "GET", &format!("/api/v1/dashboard?unit={commune}"), None).await;
    [get.status, survey.status, put_status, list.status, dash.status]
}

const OK: StatusCode = StatusCode::OK;
const NOT_FOUND: StatusCode = StatusCode::NOT_FOUND;
const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_call_is_limited_to_the_callers_area() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        // A commune officer reads and changes its commune, and nothing else exists for it.
        assert_eq!(household_calls(&w, "xa.own", w.own_id, &w.own).await, [OK; 5], "{engine}");
        assert_eq!(household_calls(&w, "xa.own", w.sibling_id, &w.sibling).await, [NOT_FOUND; 5], "{engine}");
        assert_eq!(household_calls(&w, "xa.own", w.far_id, &w.far).await, [NOT_FOUND; 5], "{engine}");
        // A province officer reads the province and changes it on behalf of its communes.
        assert_eq!(household_calls(&w, "tinh.14", w.sibling_id, &w.sibling).await, [OK; 5], "{engine}");
        assert_eq!(household_calls(&w, "tinh.14", w.far_id, &w.far).await, [NOT_FOUND; 5], "{engine}");
        // National viewers and auditors read everything and change nothing.
        for who in ["trunguong", "kiemtra"] {
            assert_eq!(household_calls(&w, who, w.far_id, &w.far).await, [OK, OK, FORBIDDEN, OK, OK], "{engine} {who}");
        }
        // Reports: the caller's own area as a workbook, another area not at all.
        for form in [1, 2, 4, 15] {
            let r =
                w.api("xa.own", "GET", &format!("/api/v1/reports?form={form}&unit={}&period=2025", w.own), None).await;
            assert_eq!(r.status, OK, "{engine} form {form}: {}", r.body);
            assert_eq!(
                r.headers[header::CONTENT_TYPE],
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            );
            assert!(r.body.starts_with("PK"), "{engine} form {form}: not a workbook");
        }
        let far = w.api("xa.own", "GET", &format!("/api/v1/reports?form=1&unit={}&period=2025", w.far), None).await;
        assert_eq!(far.status, NOT_FOUND, "{engine}");
        // Lists never leak another area's households.
        let own = w.api("xa.own", "GET", "/api/v1/households", None).await.json();
        let items = own["items"].as_array().expect("items");
        assert!(!items.is_empty());
        assert!(items.iter().all(|h| h["commune_code"] == w.own.as_str()), "{engine}: {own}");
        let country = w.api("xa.own", "GET", "/api/v1/dashboard?unit=VN", None).await;
        assert_eq!(country.status, NOT_FOUND, "{engine}");
        // The caller and the document of the API.
        let me = w.api("xa.own", "GET", "/api/v1/me", None).await.json();
        assert_eq!((me["role"].as_str(), me["may_edit"].as_bool()), (Some("commune_officer"), Some(true)));
        let doc = w.api("trunguong", "GET", "/api/openapi.json", None).await.json();
        for path in [
            "/api/v1/me",
            "/api/v1/dashboard",
            "/api/v1/households",
            "/api/v1/households/{id}",
            "/api/v1/households/{id}/surveys/{period}",
            "/api/v1/classify",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} missing from the OpenAPI document");
        }
        // The answers are described from the household schema: every field, its coded values.
        let answers = &doc["components"]["schemas"]["HouseholdAnswers"]["properties"];
        for f in vuonlen_core::schema::HOUSEHOLD_FIELDS.iter() {
            assert!(answers[f.key].is_object(), "{} missing from HouseholdAnswers", f.key);
        }
        let water: Vec<&str> =
            answers["water_source"]["enum"].as_array().expect("enum").iter().filter_map(|v| v.as_str()).collect();
        assert!(water.contains(&"piped") && water.contains(&"surface"), "{water:?}");
        assert_eq!(answers["support_health"]["enum"], serde_json::json!(["1", "0", ""]));
        assert!(doc["components"]["schemas"]["MemberAnswers"]["properties"]["malnourished"].is_object());
        assert_eq!(
            doc["components"]["schemas"]["HouseholdFields"]["properties"]["household"]["$ref"],
            "#/components/schemas/HouseholdAnswers"
        );
        // A recorded field goes through the API like any other: read, changed, read back.
        let uri = format!("/api/v1/households/{}/surveys/2025", w.own_id);
        let before = w.api("xa.own", "GET", &uri, None).await.json();
        assert_eq!(before["fields"]["household"]["support_credit"], "", "{engine}: {before}");
        let mut fields = before["fields"].clone();
        fields["household"]["support_credit"] = "có".into();
        fields["household"]["moved_in_from"] = "00001".into();
        let put = w
            .api("xa.own", "PUT", &uri, Some(serde_json::json!({ "version": before["version"], "fields": fields })))
            .await;
        assert_eq!(put.status, OK, "{engine}: {}", put.body);
        let after = w.api("xa.own", "GET", &uri, None).await.json();
        assert_eq!(after["fields"]["household"]["support_credit"], "1", "{engine}");
        assert_eq!(after["fields"]["household"]["moved_in_from"], "00001", "{engine}");
        fields["household"]["moved_in_from"] = "1234".into();
        let bad = w
            .api("xa.own", "PUT", &uri, Some(serde_json::json!({ "version": after["version"], "fields": fields })))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", bad.body);
        assert!(bad.body.contains("moved_in_from"), "{engine}: {}", bad.body);
        // No token, a wrong token: 401.
        let anon = send(&w.app, Request::get("/api/v1/me").body(Body::empty()).expect("request")).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
        let bad = send(
            &w.app,
            Request::get("/api/v1/me").header(header::AUTHORIZATION, "Bearer nope").body(Body::empty()).expect("r"),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        // Malformed requests answer in the documented error shape, never 500 or plain text.
        let own_survey = format!("/api/v1/households/{}/surveys/2025", w.own_id);
        for (method, uri, body, status, code) in [
            (
                "GET",
                "/api/v1/households?page=9223372036854775807".to_string(),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
            ),
            ("GET", "/api/v1/households?page=abc".to_string(), None, StatusCode::BAD_REQUEST, "bad_request"),
            ("GET", "/api/v1/households/abc".to_string(), None, StatusCode::BAD_REQUEST, "bad_request"),
            (
                "GET",
                "/api/v1/reports?form=x&unit=VN&period=2025".to_string(),
                None,
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                "PUT",
                own_survey.clone(),
                Some(("text/plain", "{}")),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            ("PUT", own_survey.clone(), Some(("application/json", "{")), StatusCode::BAD_REQUEST, "bad_request"),
            ("PUT", own_survey.clone(), Some(("application/json", "{}")), StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        ] {
            let mut b = Request::builder()
                .method(method)
                .uri(&uri)
                .header(header::AUTHORIZATION, format!("Bearer {}", w.tokens["xa.own"]));
            if let Some((ct, _)) = body {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            let r = send(&w.app, b.body(Body::from(body.map_or("", |(_, t)| t))).expect("request")).await;
            assert_eq!(r.status, status, "{engine}: {method} {uri}: {}", r.body);
            assert_eq!(r.json()["error"]["code"], code, "{engine}: {method} {uri}: {}", r.body);
        }
        // The document says how to call: a token, or a session with its CSRF header; every call
        // may answer 401; a form is one of the forms the build makes.
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["session"]["in"], "cookie", "{schemes}");
        assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token", "{schemes}");
        assert!(doc["paths"]["/api/v1/households"]["get"]["responses"]["401"].is_object());
        assert!(doc["paths"]["/api/v1/households/{id}/surveys/{period}"]["put"]["responses"]["415"].is_object());
        let form = doc["paths"]["/api/v1/reports"]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "form"))
            .map(|p| p["schema"]["enum"].clone())
            .expect("form parameter");
        let numbers: Vec<u64> = form.as_array().expect("enum").iter().filter_map(Value::as_u64).collect();
        assert!(numbers.contains(&1) && numbers.contains(&15) && !numbers.contains(&16), "{form}");
        // Readiness touches the database and needs no sign-in; liveness does not touch it.
        for probe in ["/readyz", "/healthz"] {
            let r = send(&w.app, Request::get(probe).body(Body::empty()).expect("request")).await;
            assert_eq!(r.status, OK, "{engine}: {probe}: {}", r.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_based_on_old_answers_is_refused_and_a_change_reclassifies() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let uri = format!("/api/v1/households/{}/surveys/2025", w.own_id);
        let before = w.api("xa.own", "GET", &uri, None).await.json();
        // Make it poor: a tiny income and no health insurance for anyone.
        let mut fields = before["fields"].clone();
        fields["household"]["income_per_capita"] = Value::from("500000");
        fields["household"]["score_a"] = Value::from("");
        for m in fields["members"].as_array_mut().expect("members") {
            m["health_insurance"] = Value::from("0");
        }
        fields["household"]["water_source"] = Value::from("surface");
        fields["household"]["latrine"] = Value::from("none");
        fields["household"]["info_devices"] = Value::from("0");
        let preview = w.api("xa.own", "POST", "/api/v1/classify?period=2025", Some(fields.clone())).await.json();
        assert_eq!(preview["class"], "poor", "{engine}: {preview}");
        let saved = w
            .api("xa.own", "PUT", &uri, Some(serde_json::json!({ "version": before["version"], "fields": fields })))
            .await;
        assert_eq!(saved.status, OK, "{engine}: {}", saved.body);
        let after = w.api("xa.own", "GET", &uri, None).await.json();
        assert_eq!(after["class"], "poor");
        assert!(after["explanation"].as_str().is_some_and(|e| e.contains("500.000")), "{after}");
        assert_ne!(after["version"], before["version"]);
        // A second change made from the first reading would overwrite the first: refused.
        let stale = w
            .api(
                "xa.own",
                "PUT",
                &uri,
                Some(serde_json::json!({ "version": before["version"], "fields": before["fields"] })),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{engine}: {}", stale.body);
        let conflict = stale.json();
        assert_eq!(conflict["error"]["code"], "conflict", "{engine}: the documented error shape: {conflict}");
        assert!(conflict["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{conflict}");
        assert!(conflict["error"]["refused"].as_array().is_some_and(|r| !r.is_empty()), "{conflict}");
        assert_eq!(w.api("xa.own", "GET", &uri, None).await.json()["class"], "poor");
        // Invalid answers name the field.
        let mut bad = after["fields"].clone();
        bad["household"]["water_source"] = Value::from("giếng thần");
        let r =
            w.api("xa.own", "PUT", &uri, Some(serde_json::json!({ "version": after["version"], "fields": bad }))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let refusal = r.json();
        assert_eq!(refusal["error"]["code"], "invalid", "{refusal}");
        assert!(
            refusal["error"]["problems"].as_array().expect("problems").iter().any(|p| p["field"] == "water_source"),
            "{}",
            r.body
        );
        // The household's audit log has the change, by its author.
        let log = w.db.unscoped().household_audit(w.own_id).await.expect("audit");
        assert!(log.iter().any(|e| e.actor == "xa.own"
            && e.field == "income_per_capita"
            && e.new_value.as_deref() == Some("500000")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_sign_in_guard_changes_and_keep_each_user_in_its_area() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        // Pages need a session.
        let anon = send(&w.app, Request::get("/ho").body(Body::empty()).expect("request")).await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER);
        assert!(anon.headers[header::LOCATION].to_str().is_ok_and(|l| l.starts_with("/dang-nhap")));
        let (session, csrf) =
            w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{engine}: {} {}", r.status, r.body));
        assert_eq!(w.page(&session, &format!("/ho/{}", w.own_id)).await.status, OK);
        // Changing the id in the URL finds nothing.
        for id in [w.sibling_id, w.far_id] {
            assert_eq!(w.page(&session, &format!("/ho/{id}")).await.status, NOT_FOUND, "{engine}");
            assert_eq!(w.page(&session, &format!("/ho/{id}/sua?period=2025")).await.status, NOT_FOUND, "{engine}");
        }
        assert_eq!(w.page(&session, &format!("/?unit={}", w.sibling)).await.status, NOT_FOUND);
        // A form without the CSRF token, or sent by another site, changes nothing.
        let edit = w.page(&session, &format!("/ho/{}/sua?period=2025", w.own_id)).await;
        assert_eq!(edit.status, OK, "{}", edit.body);
        let fields: Vec<(String, String)> = form_fields(&edit.body);
        let without: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != "_csrf").cloned().collect();
        let uri = format!("/ho/{}/sua?period=2025", w.own_id);
        assert_eq!(w.post_form(&session, &uri, &without, None).await.status, FORBIDDEN);
        assert_eq!(w.post_form(&session, &uri, &fields, Some("http://evil.example")).await.status, FORBIDDEN);
        // The same form, unchanged, saves (nothing changed) and comes back to the household.
        let mut ok = fields.clone();
        ok.push(("action".into(), "save".into()));
        assert!(ok.iter().any(|(k, v)| k == "_csrf" && v == &csrf));
        let saved = w.post_form(&session, &uri, &ok, Some("http://127.0.0.1:8080")).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{engine}: {}", saved.body);
        // A form posted into another commune's household is refused.
        let other = format!("/ho/{}/sua?period=2025", w.sibling_id);
        assert_eq!(w.post_form(&session, &other, &ok, None).await.status, NOT_FOUND);
        // Only administrators manage users, only auditors read the whole log.
        assert_eq!(w.page(&session, "/nguoi-dung").await.status, FORBIDDEN);
        assert_eq!(w.page(&session, "/nhat-ky").await.status, FORBIDDEN);
        let (admin, admin_csrf) = w.sign_in("admin", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        assert_eq!(w.page(&admin, "/nguoi-dung").await.status, OK);
        assert_eq!(w.page(&admin, "/nhat-ky").await.status, FORBIDDEN);
        let add = [
            ("_csrf", admin_csrf.as_str()),
            ("username", "xa.moi"),
            ("display_name", "Cán bộ xã mới"),
            ("role", "commune_officer"),
            ("unit", w.sibling.as_str()),
            ("password", "mật khẩu mới 456"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(w.post_form(&admin, "/nguoi-dung", &add, None).await.status, StatusCode::SEE_OTHER);
        let (newcomer, _) = w.sign_in("xa.moi", "mật khẩu mới 456").await.unwrap_or_else(|r| panic!("{}", r.status));
        assert_eq!(w.page(&newcomer, &format!("/ho/{}", w.sibling_id)).await.status, OK);
        assert_eq!(w.page(&newcomer, &format!("/ho/{}", w.own_id)).await.status, NOT_FOUND);
        let (auditor, _) = w.sign_in("kiemtra", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let log = w.page(&auditor, "/nhat-ky").await;
        assert_eq!(log.status, OK);
        assert!(log.body.contains("xa.moi"), "the log shows the new user");
        // Signing out ends the session.
        let out = w.post_form(&session, "/dang-xuat", &[("_csrf".into(), csrf.clone())], None).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER);
        assert_eq!(w.page(&session, "/ho").await.status, StatusCode::SEE_OTHER);
    }
}

/// The named inputs and selected options of the first form of a page.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let form = html.split("<form method=\"post\" action=\"/ho/").nth(1).expect("edit form");
    let mut out = Vec::new();
    for part in form.split('<').skip(1) {
        let attr =
            |name: &str| part.split(&format!("{name}=\"")).nth(1).and_then(|s| s.split('"').next()).map(str::to_string);
        if part.starts_with("input") {
            if let Some(n) = attr("name") {
                out.push((n, attr("value").unwrap_or_default().replace("&#34;", "\"").replace("&amp;", "&")));
            }
        } else if part.starts_with("select") {
            if let Some(n) = attr("name") {
                out.push((n, String::new()));
            }
        } else if part.starts_with("option") && part.contains(" selected") {
            let v = attr("value").unwrap_or_default();
            if let Some(last) = out.last_mut() {
                last.1 = v;
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_limited_and_audited() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        for _ in 0..5 {
            let r = w.sign_in("tinh.14", "wrong password").await.expect_err("wrong password");
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{engine}");
            assert!(r.body.contains("Sai tên đăng nhập hoặc mật khẩu"));
        }
        // The right password is refused too until the window has passed.
        let r = w.sign_in("tinh.14", PASSWORD).await.expect_err("blocked");
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("thử lại sau"), "{}", r.body);
        // Another user from the same address still signs in.
        assert!(w.sign_in("xa.own", PASSWORD).await.is_ok());
        let admin = users::by_username(&w.db, "kiemtra").await.expect("q").expect("auditor").0.access();
        let log = admin.auditor(&w.db).expect("auditor").recent(Some("user"), 100).await.expect("log");
        let count = |f: &str| log.iter().filter(|e| e.field == f && e.actor == "tinh.14").count();
        assert_eq!((count("login_failed"), count("login_blocked")), (5, 1), "{engine}");
        assert!(log.iter().any(|e| e.field == "login" && e.actor == "xa.own"));
        // Passwords are stored as Argon2id hashes.
        let (_, hash) = users::by_username(&w.db, "xa.own").await.expect("q").expect("user");
        assert!(hash.starts_with("$argon2id$") && !hash.contains(PASSWORD));
        // Only auditors read the log, only admins manage users.
        let officer = users::by_username(&w.db, "xa.own").await.expect("q").expect("user").0.access();
        assert!(officer.auditor(&w.db).is_err() && officer.admin(&w.db).is_err());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_matches_names_with_or_without_diacritics_in_vietnamese_order() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let all = w.api("tinh.14", "GET", "/api/v1/households?unit=14", None).await.json();
        let head = all["items"][0]["head_name"].as_str().expect("a head").to_string();
        let plain = vuonlen_core::text::fold(&head);
        let with = w
            .api(
                "tinh.14",
                "GET",
                &format!("/api/v1/households?unit=14&{}", serde_urlencoded::to_string([("q", &head)]).expect("q")),
                None,
            )
            .await
            .json();
        let without = w
            .api(
                "tinh.14",
                "GET",
                &format!("/api/v1/households?unit=14&{}", serde_urlencoded::to_string([("q", &plain)]).expect("q")),
                None,
            )
            .await
            .json();
        assert_eq!(with["items"], without["items"], "{engine}");
        // Each household found names the members it was found by.
        for h in with["items"].as_array().expect("items") {
            let matched = h["matched_members"].as_array().unwrap_or_else(|| panic!("{engine}: {h}"));
            assert!(!matched.is_empty(), "{engine}: {h}");
            for m in matched {
                let name = vuonlen_core::text::fold(m.as_str().expect("a name"));
                assert!(name.starts_with(&plain), "{engine}: {name} for '{plain}'");
            }
        }
        let ids: Vec<i64> = with["items"].as_array().expect("items").iter().filter_map(|h| h["id"].as_i64()).collect();
        assert!(!ids.is_empty(), "{engine}: '{plain}' found nothing");
        // Found households come in the list's order too, and are counted.
        let found_heads: Vec<String> = with["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|h| h["head_name"].as_str().map(str::to_string))
            .collect();
        let mut in_order = found_heads.clone();
        in_order.sort_by_key(|n| vuonlen_core::collate::person_sort_key(n));
        assert_eq!(found_heads, in_order, "{engine}");
        assert!(with["total"].as_u64().is_some_and(|t| t >= ids.len() as u64), "{engine}: {}", with["total"]);
        // By the family name alone (many more matches): a commune officer finds only households
        // of its own commune, every one of which it may open; the province officer finds more.
        let own_heads = w.api("xa.own", "GET", "/api/v1/households", None).await.json();
        let own_head = own_heads["items"][0]["head_name"].as_str().expect("a head in the own commune");
        let family = vuonlen_core::text::fold(own_head).split(' ').next().expect("a family name").to_string();
        let q = serde_urlencoded::to_string([("q", &family)]).expect("q");
        let mine = w.api("xa.own", "GET", &format!("/api/v1/households?{q}"), None).await.json();
        let province = w.api("tinh.14", "GET", &format!("/api/v1/households?unit=14&{q}"), None).await.json();
        let mine_items = mine["items"].as_array().expect("items");
        assert!(!mine_items.is_empty(), "{engine}: '{family}' in the own commune");
        for h in mine_items {
            let id = h["id"].as_i64().expect("id");
            assert_eq!(w.api("xa.own", "GET", &format!("/api/v1/households/{id}"), None).await.status, StatusCode::OK);
        }
        assert!(
            mine["total"].as_u64() <= province["total"].as_u64(),
            "{engine}: {} vs {}",
            mine["total"],
            province["total"]
        );
        let province_ids: Vec<i64> =
            province["items"].as_array().expect("items").iter().filter_map(|h| h["id"].as_i64()).collect();
        assert!(!province_ids.is_empty(), "{engine}");
        // Every household found has a member whose name starts with the query.
        for id in &ids {
            let s = w.api("tinh.14", "GET", &format!("/api/v1/households/{id}/surveys/2025"), None).await.json();
            let names: Vec<String> = s["fields"]["members"]
                .as_array()
                .unwrap_or_else(|| panic!("{s}"))
                .iter()
                .filter_map(|m| m["full_name"].as_str().map(vuonlen_core::text::fold))
                .collect();
            assert!(names.iter().any(|n| n.starts_with(&plain)), "{engine}: {names:?}");
        }
        // The list is in Vietnamese order of the head's given name.
        let heads: Vec<String> = all["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|h| h["head_name"].as_str().map(str::to_string))
            .collect();
        let mut sorted = heads.clone();
        sorted.sort_by_key(|n| vuonlen_core::collate::person_sort_key(n));
        assert_eq!(heads, sorted, "{engine}");
        // An ID number finds its household.
        let s =
            w.api("tinh.14", "GET", &format!("/api/v1/households/{}/surveys/2025", w.sibling_id), None).await.json();
        if let Some(id_number) = s["fields"]["members"][0]["id_number"].as_str().filter(|n| !n.is_empty()) {
            let found =
                w.api("tinh.14", "GET", &format!("/api/v1/households?unit=14&q={id_number}"), None).await.json();
            assert!(found["items"].as_array().expect("items").iter().any(|h| h["id"] == w.sibling_id), "{engine}");
            // The commune officer of another commune cannot find it by its number.
            let hidden = w.api("xa.own", "GET", &format!("/api/v1/households?q={id_number}"), None).await.json();
            assert!(hidden["items"].as_array().expect("items").iter().all(|h| h["id"] != w.sibling_id));
        }
    }
}

/// A multipart body of text fields and files.
fn multipart(parts: &[(&str, Option<&str>, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----vuonlen-test-boundary".to_string();
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_lists_every_problem_then_imports_after_confirmation() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        // Two new households of the officer's commune, and one of the sibling commune.
        let mut records: Vec<HouseholdRecord> =
            synth("14", 240, 3).into_iter().filter(|r| r.commune_code == w.own).take(2).collect();
        records.extend(synth("14", 240, 3).into_iter().filter(|r| r.commune_code == w.sibling).take(1));
        for (i, r) in records.iter_mut().enumerate() {
            r.household_code = format!("{}-W{i}", r.commune_code);
            for (j, m) in r.members.iter_mut().enumerate() {
                m.id_number = None;
                m.full_name = format!("Người Mới {i} {j}");
            }
        }
        let files = dir.path().join(format!("upload-{engine}"));
        std::fs::create_dir_all(&files).expect("dir");
        let (h, m) = (files.join("ho.csv"), files.join("thanh-vien.csv"));
        let write = |recs: &[HouseholdRecord]| {
            let mut wr = vuonlen_io::HouseholdWriter::create(
                &vuonlen_io::Target::Csv { households: h.clone(), members: m.clone() },
                vuonlen_io::HeaderStyle::English,
            )
            .expect("writer");
            for r in recs {
                wr.write(r).expect("write");
            }
            wr.finish().expect("finish");
            (std::fs::read(&h).expect("h"), std::fs::read(&m).expect("m"))
        };
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let upload = |hb: Vec<u8>, mb: Vec<u8>| {
            let (ct, body) = multipart(&[
                ("period", None, b"2025".to_vec()),
                ("households", Some("ho.csv"), hb),
                ("members", Some("thanh-vien.csv"), mb),
            ]);
            Request::post(format!("/nhap?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request")
        };
        // The sibling commune's household is outside the officer's area: refused, nothing written.
        let (hb, mb) = write(&records);
        let r = send(&w.app, upload(hb, mb)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("ngoài địa bàn"), "{engine}: {}", r.body);
        // A bad value is reported with its file, row and column; every problem at once.
        let (hb, mb) = write(&records[..2]);
        let text = String::from_utf8(hb)
            .expect("utf-8")
            .replacen(",piped,", ",giếng thần,", 1)
            .replacen(",rural,", ",vùng xa,", 1)
            .replacen(",urban,", ",vùng xa,", 1);
        let r = send(&w.app, upload(text.into_bytes(), mb.clone())).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(r.body.contains("ho.csv") && r.body.contains("vùng xa"), "{engine}: {}", r.body);
        let token =
            r.body.split("/nhap/").nth(1).and_then(|s| s.split('/').next()).expect("error file link").to_string();
        let errors = w.page(&session, &format!("/nhap/{token}/loi.csv")).await;
        assert_eq!(errors.status, OK);
        assert!(errors.body.contains("vùng xa") && errors.body.contains("message_vi"), "{}", errors.body);
        // Valid files: a check that writes nothing, then the confirmation imports.
        let (hb, mb) = write(&records[..2]);
        let r = send(&w.app, upload(hb, mb)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let confirm =
            r.body.split("action=\"/nhap/").nth(1).and_then(|s| s.split('"').next()).expect("confirm form").to_string();
        let q = format!("/api/v1/households?q={}-W0", w.own);
        assert_eq!(w.api("xa.own", "GET", &q, None).await.json()["total"], 0, "{engine}: the check wrote nothing");
        let done = w.post_form(&session, &format!("/nhap/{confirm}"), &[("_csrf".into(), csrf.clone())], None).await;
        assert_eq!(done.status, OK, "{engine}: {}", done.body);
        assert!(done.body.contains("Đã nhập vào kỳ 2025"), "{}", done.body);
        assert_eq!(w.api("xa.own", "GET", &q, None).await.json()["total"], 1, "{engine}");
        // Another user cannot use the upload.
        let (other, other_csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let r = w.post_form(&other, &format!("/nhap/{confirm}"), &[("_csrf".into(), other_csrf)], None).await;
        assert_eq!(r.status, NOT_FOUND);
        // A server that takes at most a few KiB per upload — just enough for the smallest household's
        // files — refuses the three households' files with 413, whole.
        let smallest = records.iter().min_by_key(|r| r.members.len()).cloned().expect("a record");
        let (hb, mb) = write(std::slice::from_ref(&smallest));
        let kib = (hb.len() + mb.len()) / 1024 + 1;
        let standards = vuonlen_core::Standards::embedded().expect("standards");
        let small =
            vuonlen_web::app(AppState::new(w.db.clone(), standards, false).with_upload_limit(kib as u64 * 1024));
        let (all_h, all_m) = write(&records);
        assert!(all_h.len() + all_m.len() > kib * 1024, "{engine}: the files are larger than the limit");
        let r = send(&small, upload(all_h, all_m)).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{engine}: {}", r.body);
        assert!(r.body.contains(&format!("lớn hơn {kib} KiB")), "{engine}: {}", r.body);
        // Within the limit, the same server takes them.
        let r = send(&small, upload(hb, mb)).await;
        assert_ne!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{engine}: {}", r.body);
    }
}

/// A TCP proxy in front of the PostgreSQL server that the test can freeze (it stops passing
/// bytes: the server seems stopped with SIGSTOP) or take down (it drops every connection and
/// refuses new ones).
struct Proxy {
    addr: String,
    frozen: std::sync::Arc<std::sync::atomic::AtomicBool>,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let frozen = std::sync::Arc::new(AtomicBool::new(false));
        let down = std::sync::Arc::new(AtomicBool::new(false));
        let (f, dn) = (frozen.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if dn.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else { continue };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pump(cr, sw, f.clone(), dn.clone()));
                tokio::spawn(pump(sr, cw, f.clone(), dn.clone()));
            }
        });
        Proxy { addr, frozen, down }
    }

    fn freeze(&self, on: bool) {
        self.frozen.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    fn take_down(&self, on: bool) {
        self.down.store(on, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: std::sync::Arc<std::sync::atomic::AtomicBool>,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = tokio::select! {
            r = from.read(&mut buf) => match r { Ok(0) | Err(_) => return, Ok(n) => n },
            _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {
                if down.load(Ordering::SeqCst) { return; }
                continue;
            }
        };
        while frozen.load(Ordering::SeqCst) {
            if down.load(Ordering::SeqCst) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        if down.load(Ordering::SeqCst) || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// Issue 15: with the database frozen, requests hung as long as it stayed frozen, and
/// `/healthz` said 200 with the database down. Now a request answers 503 with a message and
/// `Retry-After` by its deadline, `/readyz` says 503, and once the database is back the same
/// server answers again (PostgreSQL behind a proxy the test freezes and takes down).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_or_stopped_database_answers_503_in_time_and_the_server_recovers() {
    use vuonlen_store::testing::PgSchema;
    let dir = tempfile::tempdir().expect("tmp");
    let Some(pg) = PgSchema::create(dir.path()).await else { return };
    // The data and accounts through a direct connection; the server through the proxy.
    let direct = pg.connect(None, vuonlen_store::Timeouts::default()).await.expect("direct");
    let w = world(direct).await;
    let proxy = Proxy::start(pg.server_addr()).await;
    let timeouts = vuonlen_store::Timeouts {
        statement: Some(std::time::Duration::from_secs(2)),
        acquire: std::time::Duration::from_secs(2),
        busy: std::time::Duration::from_secs(2),
    };
    let via_proxy = pg.connect(Some(&proxy.addr), timeouts).await.expect("through the proxy");
    let standards = {
        let mut r = vuonlen_core::Standards::embedded().expect("standards");
        r.link().expect("link");
        r
    };
    let deadlines =
        vuonlen_web::Deadlines { request: std::time::Duration::from_secs(3), long: std::time::Duration::from_secs(3) };
    let app = vuonlen_web::app(AppState::with_deadlines(via_proxy, standards, false, deadlines));
    let w = World { app, ..w };
    let list = format!("/api/v1/households?unit={}", w.own);
    let get = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
    let r = send(&w.app, get("/readyz")).await;
    assert_eq!(r.status, OK, "{}", r.body);
    assert_eq!(w.api("xa.own", "GET", &list, None).await.status, OK);

    for (what, fault) in [("frozen", true), ("down", false)] {
        if fault {
            proxy.freeze(true)
        } else {
            proxy.take_down(true)
        }
        let started = std::time::Instant::now();
        let r = w.api("xa.own", "GET", &list, None).await;
        let waited = started.elapsed();
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{what}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "unavailable", "{what}: {}", r.body);
        assert!(r.headers.contains_key(header::RETRY_AFTER), "{what}");
        // Not a timing measure: the request must end by its deadline instead of hanging.
        assert!(waited < std::time::Duration::from_secs(30), "{what}: answered after {waited:?}");
        let page = send(&w.app, get("/")).await;
        assert!(
            [StatusCode::SERVICE_UNAVAILABLE, StatusCode::SEE_OTHER].contains(&page.status),
            "{what}: a page answers too ({})",
            page.status
        );
        let ready = send(&w.app, get("/readyz")).await;
        assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{what}: /readyz touches the database");
        assert_eq!(send(&w.app, get("/healthz")).await.status, OK, "{what}: the process itself is alive");
        // Back: the same server answers again, without a restart.
        proxy.freeze(false);
        proxy.take_down(false);
        let mut back = StatusCode::SERVICE_UNAVAILABLE;
        for _ in 0..30 {
            back = w.api("xa.own", "GET", &list, None).await.status;
            if back == OK {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        assert_eq!(back, OK, "{what}: the server recovers");
        assert_eq!(send(&w.app, get("/readyz")).await.status, OK, "{what}");
    }
}

/// Issue 11's two leaks, as they were reproduced: an auditor of one province read the whole
/// country's audit log (other provinces' users, sign-ins, household changes), and a commune
/// officer who typed another area's ID number into its own household was told where that person
/// lives. Now the log is scoped like household reads, and a conflict counts members of other
/// areas without locating them (a caller who may read them still sees where).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_reads_only_its_area_and_an_id_number_does_not_locate_people_elsewhere() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let mut w = world(db).await;
        let far_province = w.db.unscoped().survey_detail(w.far_id, 2025).await.expect("far").current_province;
        assert_eq!(far_province, "01");
        let hash = password::hash(PASSWORD).expect("hash");
        let auditor = users::create_unscoped(
            &w.db,
            &NewUser {
                username: "kiemtra.xa".into(),
                display_name: "kiemtra.xa".into(),
                password_hash: hash,
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
        w.tokens.insert("kiemtra.xa".into(), token);
        // Province 14's officer signs in (an audited event with its address).
        w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));

        // Leak 1, in the data layer: every entry the province auditor gets is its province's.
        let log = auditor.access().auditor(&w.db).expect("auditor").recent(None, 100_000).await.expect("log");
        let all = users::by_username(&w.db, "kiemtra").await.expect("q").expect("national auditor").0.access();
        let everything = all.auditor(&w.db).expect("auditor").recent(None, 100_000).await.expect("log");
        assert!(everything.iter().any(|e| e.actor == "xa.own"), "{engine}: the national auditor sees the sign-in");
        assert!(log.len() < everything.len(), "{engine}");
        assert!(log.iter().any(|e| e.household_id == Some(w.far_id)), "{engine}: its own province's changes");
        let national = w.db.unscoped();
        for e in &log {
            assert_ne!(e.actor, "xa.own", "{engine}: another province's user: {e:?}");
            if let Some(h) = e.household_id {
                let d = national.survey_detail(h, e.period.unwrap_or(2025)).await.expect("household");
                assert_eq!(d.current_province, far_province, "{engine}: {e:?}");
            } else {
                assert_eq!(e.entity, "user", "{engine}: only its users' events besides households: {e:?}");
            }
        }
        // … and through the web, as it was found.
        let (session, _) = w.sign_in("kiemtra.xa", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/nhat-ky").await;
        assert_eq!(page.status, OK, "{engine}");
        assert!(!page.body.contains("xa.own"), "{engine}: /nhat-ky shows another province's user");
        assert!(page.body.contains("kiemtra.xa"), "{engine}: its own sign-in is there");

        // Leak 2: an ID number of another area typed into the officer's own household.
        let elsewhere = |d: &vuonlen_store::browse::SurveyDetail| {
            d.members.iter().find_map(|m| m.id_number.clone()).expect("a member with an ID number")
        };
        let far = national.survey_detail(w.far_id, 2025).await.expect("far");
        let sibling = national.survey_detail(w.sibling_id, 2025).await.expect("sibling");
        let uri = format!("/api/v1/households/{}/surveys/2025", w.own_id);
        for (who, other, may_read) in
            [("xa.own", &far, false), ("xa.own", &sibling, false), ("tinh.14", &sibling, true)]
        {
            let before = w.api(who, "GET", &uri, None).await.json();
            let mut fields = before["fields"].clone();
            fields["members"][0]["id_number"] = Value::from(elsewhere(other));
            let r = w
                .api(who, "PUT", &uri, Some(serde_json::json!({ "version": before["version"], "fields": fields })))
                .await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{engine}: {who}: {}", r.body);
            let refused = r.json()["error"]["refused"].to_string();
            let located = refused.contains(&other.survey.household_code);
            assert_eq!(located, may_read, "{engine}: {who} {}: {refused}", other.current_commune);
            if !may_read {
                assert!(!refused.contains(&other.current_commune), "{engine}: {who}: {refused}");
                assert!(refused.contains("1 "), "{engine}: {who}: counted: {refused}");
            }
        }
    }
}

/// Accounts as administrators expect (issue 11): common and blank passwords refused, the last
/// administrator kept, a password reset by the administrator and changed by its owner (ending the
/// owner's sessions), and downloads of named lists in the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_refuse_weak_passwords_keep_an_admin_and_audit_list_downloads() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (admin, admin_csrf) = w.sign_in("admin", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let pairs = |kv: &[(&str, &str)]| kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        for weak in ["12345678", "password", "        ", "Matkhau123"] {
            let add = pairs(&[
                ("_csrf", &admin_csrf),
                ("username", "xa.yeu"),
                ("display_name", "Yếu"),
                ("role", "commune_officer"),
                ("unit", &w.sibling),
                ("password", weak),
            ]);
            let r = w.post_form(&admin, "/nguoi-dung", &add, None).await;
            let to = r.headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("");
            assert!(to.contains("err="), "{engine}: {weak:?} was accepted: {to}");
            assert!(users::by_username(&w.db, "xa.yeu").await.expect("q").is_none(), "{engine}: {weak:?}");
        }
        // The only administrator cannot demote or deactivate itself.
        let admin_id = users::by_username(&w.db, "admin").await.expect("q").expect("admin").0.id;
        for (role, active) in [("auditor", Some("1")), ("admin", None)] {
            let mut f = pairs(&[("_csrf", &admin_csrf), ("role", role), ("unit", "")]);
            if let Some(a) = active {
                f.push(("active".into(), a.into()));
            }
            let r = w.post_form(&admin, &format!("/nguoi-dung/{admin_id}"), &f, None).await;
            let to = r.headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("");
            assert!(to.contains("err="), "{engine}: {role} {active:?}: {to}");
            let (u, _) = users::by_username(&w.db, "admin").await.expect("q").expect("admin");
            assert!(u.role == Role::Admin && u.active, "{engine}: still the administrator");
        }
        // A reset by the administrator.
        let officer = users::by_username(&w.db, "xa.own").await.expect("q").expect("officer").0;
        let reset = pairs(&[
            ("_csrf", &admin_csrf),
            ("role", "commune_officer"),
            ("unit", &w.own),
            ("active", "1"),
            ("new_password", "mật khẩu đặt lại 789"),
        ]);
        let r = w.post_form(&admin, &format!("/nguoi-dung/{}", officer.id), &reset, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(w.sign_in("xa.own", PASSWORD).await.is_err(), "{engine}: the old password no longer works");
        let (session, csrf) =
            w.sign_in("xa.own", "mật khẩu đặt lại 789").await.unwrap_or_else(|r| panic!("{engine}: {}", r.status));
        // … and a change by its owner: the current password is checked, the sessions end.
        assert_eq!(w.page(&session, "/mat-khau").await.status, OK);
        let change =
            |current: &str, new: &str| pairs(&[("_csrf", &csrf), ("current", current), ("new", new), ("repeat", new)]);
        let wrong = w.post_form(&session, "/mat-khau", &change("sai mật khẩu", "mật khẩu của tôi 2026"), None).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        let weak = w.post_form(&session, "/mat-khau", &change("mật khẩu đặt lại 789", "password"), None).await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        let done =
            w.post_form(&session, "/mat-khau", &change("mật khẩu đặt lại 789", "mật khẩu của tôi 2026"), None).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{engine}: {}", done.body);
        assert_eq!(w.page(&session, "/ho").await.status, StatusCode::SEE_OTHER, "{engine}: the session ended");
        assert!(w.sign_in("xa.own", "mật khẩu của tôi 2026").await.is_ok(), "{engine}");
        // Downloads of named lists are audited; the auditor of the country sees who took which.
        let list = w.api("tinh.14", "GET", "/api/v1/reports?form=14&unit=14&period=2025", None).await;
        assert_eq!(list.status, OK, "{engine}: {}", list.body);
        let auditor = users::by_username(&w.db, "kiemtra").await.expect("q").expect("auditor").0.access();
        let log = auditor.auditor(&w.db).expect("auditor").recent(Some("user"), 100).await.expect("log");
        assert!(
            log.iter().any(|e| e.actor == "tinh.14"
                && e.field == "download"
                && e.new_value.as_deref().is_some_and(|v| v.contains("14") && v.contains("2025"))),
            "{engine}: {log:?}"
        );
        assert!(log.iter().any(|e| e.actor == "xa.own" && e.field == "password_changed"), "{engine}");
    }
}

/// The audit log filters by who, what, where, which household and which days (Viet Nam's
/// time), and shows local times and Vietnamese names — always within the auditor's area.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_filters_by_who_what_where_and_when() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let auditor = users::by_username(&w.db, "kiemtra").await.expect("q").expect("auditor").0.access();
        let log = auditor.auditor(&w.db).expect("auditor");
        let by = |f: vuonlen_store::users::AuditFilter| {
            let log = log.clone();
            async move { log.search(&f, 100_000).await.expect("search") }
        };
        use vuonlen_store::users::AuditFilter;
        let officer = by(AuditFilter { actor: Some("xa.own".into()), ..AuditFilter::default() }).await;
        assert!(!officer.is_empty() && officer.iter().all(|e| e.actor == "xa.own"), "{engine}: {officer:?}");
        let far =
            by(AuditFilter { unit: Some(w.far.clone()), entity: Some("survey".into()), ..AuditFilter::default() })
                .await;
        assert!(!far.is_empty(), "{engine}");
        let national = w.db.unscoped();
        for e in &far {
            let d =
                national.survey_detail(e.household_id.expect("household"), e.period.expect("period")).await.expect("d");
            assert_eq!((d.current_commune.as_str(), e.entity.as_str()), (w.far.as_str(), "survey"), "{engine}: {e:?}");
        }
        let one = by(AuditFilter { household_id: Some(w.own_id), ..AuditFilter::default() }).await;
        assert!(!one.is_empty() && one.iter().all(|e| e.household_id == Some(w.own_id)), "{engine}");
        let future = by(AuditFilter { from: Some("2999-01-01T00:00:00.000Z".into()), ..AuditFilter::default() }).await;
        assert!(future.is_empty(), "{engine}");
        let past = by(AuditFilter { until: Some("2000-01-01T00:00:00.000Z".into()), ..AuditFilter::default() }).await;
        assert!(past.is_empty(), "{engine}");
        // Through the page: today in Viet Nam, the officer's sign-ins, local time, Vietnamese names.
        let (session, _) = w.sign_in("kiemtra", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let today = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y-%m-%d").to_string();
        let page = w.page(&session, &format!("/nhat-ky?actor=xa.own&entity=user&from={today}&to={today}")).await;
        assert_eq!(page.status, OK, "{engine}: {}", page.body);
        let table = page.body.split("data-testid=\"audit-log\"").nth(1).expect("table");
        let rows = table.matches("<tr><td>").count();
        assert!(rows >= 1, "{engine}: {table}");
        assert_eq!(table.matches("<td>xa.own</td>").count(), rows, "{engine}: only the officer's entries");
        let local = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%d/%m/%Y").to_string();
        assert!(table.contains(&local), "{engine}: times in Viet Nam's time: {table}");
        assert!(table.contains("Người dùng, đăng nhập"), "{engine}: Vietnamese names of entries");
        let bad = w.page(&session, "/nhat-ky?from=05-12-2026").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(bad.body.contains("YYYY-MM-DD"), "{engine}");
    }
}

/// API tokens: made on the page (shown once), used, listed, revoked by their owner or an
/// administrator (not by anyone else), and refused once revoked or expired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_made_listed_revoked_and_expire() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let pairs = |kv: &[(&str, &str)]| kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let made = w
            .post_form(&session, "/token", &pairs(&[("_csrf", &csrf), ("name", "báo cáo tỉnh"), ("days", "30")]), None)
            .await;
        assert_eq!(made.status, OK, "{engine}: {}", made.body);
        let token = made
            .body
            .split("data-testid=\"fresh-token\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .expect("the token, shown once")
            .to_string();
        let me = |token: &str| {
            let req = Request::get("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {token}"));
            send(&w.app, req.body(Body::empty()).expect("request"))
        };
        assert_eq!(me(&token).await.status, OK, "{engine}");
        let listed = w.page(&session, "/token").await;
        assert!(
            listed.body.contains("báo cáo tỉnh") && !listed.body.contains(&token),
            "{engine}: listed, not shown again"
        );
        let province = users::by_username(&w.db, "tinh.14").await.expect("q").expect("u").0.access();
        let id =
            province.tokens(&w.db).await.expect("tokens").iter().find(|t| t.name == "báo cáo tỉnh").expect("token").id;
        // Another user cannot revoke it; the administrator sees and could.
        let officer = users::by_username(&w.db, "xa.own").await.expect("q").expect("u").0.access();
        assert!(officer.revoke_token(&w.db, id).await.is_err(), "{engine}");
        let admin = users::by_username(&w.db, "admin").await.expect("q").expect("u").0.access();
        assert!(admin.tokens(&w.db).await.expect("tokens").iter().any(|t| t.id == id && t.username == "tinh.14"));
        assert_eq!(me(&token).await.status, OK, "{engine}: still valid");
        // Its owner revokes it.
        let r = w.post_form(&session, &format!("/token/{id}/thu-hoi"), &pairs(&[("_csrf", &csrf)]), None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{engine}");
        assert_eq!(me(&token).await.status, StatusCode::UNAUTHORIZED, "{engine}: revoked");
        // An expired token signs nothing in.
        let old = password::token();
        province
            .create_token(&w.db, "cũ", &password::token_hash(&old), Some("2020-01-01T00:00:00.000Z"))
            .await
            .expect("token");
        assert_eq!(me(&old).await.status, StatusCode::UNAUTHORIZED, "{engine}: expired");
        let log = users::by_username(&w.db, "kiemtra").await.expect("q").expect("u").0.access();
        let events = log.auditor(&w.db).expect("auditor").recent(Some("user"), 1000).await.expect("log");
        assert!(events.iter().any(|e| e.actor == "tinh.14" && e.field == "api_token_revoked"), "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn residents_are_recorded_by_an_officer_and_read_only_in_its_area() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let send_file = |text: String| {
            let (ct, body) =
                multipart(&[("period", None, b"2025".to_vec()), ("file", Some("dan-cu.csv"), text.into_bytes())]);
            Request::post(format!("/dan-cu?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request")
        };
        // One resident for a commune of hundreds of reviewed households, and the sibling commune:
        // refused whole, every problem shown with its row.
        let bad = format!("Mã xã,Số hộ dân cư,Số nhân khẩu\n{},1,5\n{},9000,30000\n", w.own, w.sibling);
        let r = send(&w.app, send_file(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(
            r.body.contains("nhỏ hơn số hộ đã rà soát") && r.body.contains("ngoài địa bàn"),
            "{engine}: {}",
            r.body
        );
        assert!(r.body.contains("Chưa có số liệu cho kỳ này"), "{engine}: nothing recorded");
        // Without residents the dashboard gives no rate (one over the reviewed households would be
        // inflated) and names the commune.
        let dash_uri = format!("/api/v1/dashboard?unit={}", w.own);
        let before = w.api("xa.own", "GET", &dash_uri, None).await.json();
        assert!(before["current"]["residents"].is_null(), "{engine}: {before}");
        assert!(before["missing_residents"].as_array().is_some_and(|m| !m.is_empty()), "{engine}: {before}");
        // Its own commune: recorded and listed.
        let good = format!("commune_code,households,persons,source\n{},9000,30000,Công an xã\n", w.own);
        let r = send(&w.app, send_file(good)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("9.000") && r.body.contains("Công an xã"), "{engine}: {}", r.body);
        let after = w.api("xa.own", "GET", &dash_uri, None).await.json();
        assert_eq!(after["current"]["residents"], 9000, "{engine}: the dashboard's rates are over the residents");
        let page = w.page(&session, &format!("/?unit={}", w.own)).await;
        let poor = after["current"]["poor"].as_u64().expect("poor");
        let rate = format!("{:.2} %", poor as f64 * 100.0 / 9000.0).replace('.', ",");
        assert!(page.body.contains(&rate), "{engine}: {rate} on the dashboard");
        // The province sees it; an officer of the far province does not.
        let (tinh, _) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        assert!(w.page(&tinh, "/dan-cu?period=2025").await.body.contains("9.000"), "{engine}");
        let officer = NewUser {
            username: "tinh.01".into(),
            display_name: "tinh.01".into(),
            password_hash: password::hash(PASSWORD).expect("hash"),
            role: Role::ProvinceOfficer,
            unit_code: Some("01".into()),
        };
        users::create_unscoped(&w.db, &officer, "test", "test").await.expect("user");
        let (far, _) = w.sign_in("tinh.01", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let theirs = w.page(&far, "/dan-cu?period=2025").await;
        assert_eq!(theirs.status, OK, "{engine}");
        assert!(!theirs.body.contains("9.000"), "{engine}: another province's residents are not shown");
    }
}

/// The Content-Security-Policy (`script-src 'self'`) blocks inline handlers: a control wired with
/// `onclick=` looks fine and does nothing. No template may have one.
#[test]
fn no_template_has_an_inline_script_or_handler() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("templates") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, line) in text.lines().enumerate() {
            let lower = line.to_ascii_lowercase();
            let handler = lower.match_indices(" on").any(|(at, _)| {
                let rest = &lower[at + 3..];
                let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
                name_len > 0 && rest[name_len..].trim_start().starts_with('=')
            });
            if handler || lower.contains("javascript:") || (lower.contains("<script") && !lower.contains(" src=")) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "inline scripts the CSP blocks:\n{}", found.join("\n"));
}

/// A commune's review through the API (issue 12): steps refused whole with their indexes, a
/// decision refused with every reason and then made, and the locked period refusing an edit
/// with 409 and a message saying how to proceed — through the API and the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_runs_a_commune_review_and_a_locked_period_refuses_edits_with_409() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let pairs = |kv: &[(&str, &str)]| kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>();
        let opened = w
            .post_form(&session, "/ra-soat", &pairs(&[("_csrf", &csrf), ("period", "2025"), ("kind", "annual")]), None)
            .await;
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{engine}: {}", opened.body);
        let rounds = w.api("xa.own", "GET", "/api/v1/review/rounds?period=2025", None).await.json();
        let id = rounds[0]["id"].as_i64().expect("round id");
        assert_eq!(rounds[0]["list_year"], 2026, "{engine}");
        let base = format!("/api/v1/review/rounds/{id}/communes/{}", w.own);
        let listed = w.api("xa.own", "POST", &format!("{base}/list"), None).await;
        assert_eq!(listed.status, OK, "{engine}: {}", listed.body);
        let steps = |step: &str, rows: Value| Some(serde_json::json!({ "step": step, "rows": rows }));
        // A household of the commune not on the list applies (Mẫu 01) and is screened in.
        let listed_codes: Vec<Value> = w.api("xa.own", "GET", &base, None).await.json()["households"]
            .as_array()
            .expect("households")
            .iter()
            .map(|h| h["household_code"].clone())
            .collect();
        let own = w.api("xa.own", "GET", &format!("/api/v1/households/{}/surveys/2025", w.own_id), None).await.json();
        let own_code = own["fields"]["household"]["household_id"].clone();
        assert!(own_code.is_string(), "{engine}: {own}");
        if !listed_codes.contains(&own_code) {
            let app =
                serde_json::json!([{ "household_code": own_code, "origin": "mau_01", "applied_on": "2025-09-10" }]);
            let applied = w.api("xa.own", "POST", &format!("{base}/steps"), steps("applications", app)).await;
            assert_eq!(applied.status, OK, "{engine}: {}", applied.body);
            let screen = serde_json::json!([{ "household_code": own_code, "result": "proceeds", "on": "2025-09-20" }]);
            let screened = w.api("xa.own", "POST", &format!("{base}/steps"), steps("screening", screen)).await;
            assert_eq!(screened.status, OK, "{engine}: {}", screened.body);
        }
        let detail = w.api("xa.own", "GET", &base, None).await.json();
        let households = detail["households"].as_array().expect("households").clone();
        let code = |i: usize| households[i]["household_code"].as_str().expect("code").to_string();
        let surveys: Vec<Value> =
            (0..households.len()).map(|i| serde_json::json!({ "household_code": code(i) })).collect();
        assert_eq!(
            w.api("xa.own", "POST", &format!("{base}/steps"), steps("surveys", Value::from(surveys))).await.status,
            OK
        );
        // Phiếu B's score A from the registry's loaded table (the labelled TEST table): a row with
        // an unknown answer is refused at its index, nothing recorded; then the household is
        // scored, its page shows the score marked as a test, and the table counts it.
        let table = include_str!("../../core/tests/fixtures/score-table-TEST.toml");
        let loaded = w.db.load_score_table("TEST-not-official", "TEST", "test", table, "admin", "test").await;
        assert!(matches!(loaded, Ok(Ok(_))), "{engine}: {loaded:?}");
        let area = own["fields"]["household"]["area"].as_str().expect("area").to_string();
        let answers = |roof: &str| {
            let mut a = serde_json::json!({ "household_size": "2_4", "roof": roof });
            if area == "rural" {
                a["buffalo"] = Value::from("co");
            }
            serde_json::json!({ "table": "TEST-not-official", "rows": [{ "household_code": own_code, "area": area, "answers": a }] })
        };
        let scores = format!("{base}/scores");
        let bad = w.api("xa.own", "POST", &scores, Some(answers("tôn"))).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", bad.body);
        assert_eq!(bad.json()["refused"][0]["index"], 0, "{engine}: {}", bad.body);
        assert!(bad.body.contains("roof"), "{engine}: {}", bad.body);
        let tables = w.api("xa.own", "GET", "/api/v1/score-tables", None).await.json();
        assert_eq!(tables[0]["households_scored"], 0, "{engine}: nothing recorded on refusal");
        let good = w.api("xa.own", "POST", &scores, Some(answers("Bê tông"))).await;
        assert_eq!(good.status, OK, "{engine}: {}", good.body);
        assert_eq!(good.json()["recorded"], 1, "{engine}");
        let tables = w.api("xa.own", "GET", "/api/v1/score-tables", None).await.json();
        assert_eq!(
            (tables[0]["households_scored"].clone(), tables[0]["purpose"].clone()),
            (Value::from(1), Value::from("test"))
        );
        let (officer, _) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&officer, &format!("/ho/{}?period=2025", w.own_id)).await;
        assert!(page.body.contains("data-testid=\"score-a\"") && page.body.contains("BẢNG THỬ NGHIỆM"), "{engine}");
        let stored =
            w.api("xa.own", "GET", &format!("/api/v1/households/{}/surveys/2025", w.own_id), None).await.json();
        let score_a = stored["fields"]["household"]["score_a"].as_str().expect("score_a").to_string();
        assert!(page.body.contains(&format!("{score_a} — bảng TEST-not-official")), "{engine}: score {score_a}");
        // Phiếu C uploaded on the commune page: the household's income per person per month and
        // NLNDN answer go into its answers, and its page shows the survey.
        let persons = own["fields"]["members"].as_array().map_or(0, Vec::len) as u64;
        let (officer_session, officer_csrf) =
            w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let phieu_c = format!(
            "commune_code,household_code,nlndn,income_12m,allowances_12m,surveyed_on\n{},{},1,{},600000,2025-09-25\n",
            w.own,
            own_code.as_str().expect("code"),
            2_100_000 * 12 * persons + 600_000
        );
        let (ct, body) = multipart(&[
            ("action", None, b"upload".to_vec()),
            ("step", None, b"income_survey".to_vec()),
            ("file", Some("phieu-c.csv"), phieu_c.into_bytes()),
        ]);
        let req = Request::post(format!("/ra-soat/{id}/xa/{}?_csrf={officer_csrf}", w.own))
            .header(header::COOKIE, format!("vuonlen_session={officer_session}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request");
        let r = send(&w.app, req).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi 1 hộ"), "{engine}: {}", r.body);
        let stored =
            w.api("xa.own", "GET", &format!("/api/v1/households/{}/surveys/2025", w.own_id), None).await.json();
        assert_eq!(stored["fields"]["household"]["income_per_capita"], "2100000", "{engine}");
        assert_eq!(stored["fields"]["household"]["nlndn"], "1", "{engine}");
        let page = w.page(&officer, &format!("/ho/{}?period=2025", w.own_id)).await;
        assert!(page.body.contains("data-testid=\"income-survey\"") && page.body.contains("2.100.000"), "{engine}");
        // The same step through the API: allowances above the income are refused at their row.
        let bad_c = serde_json::json!([{ "household_code": own_code, "nlndn": true, "income_12m": 100, "allowances_12m": 200, "on": "2025-09-25" }]);
        let r = w.api("xa.own", "POST", &format!("{base}/steps"), steps("income_survey", bad_c)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert_eq!(r.json()["refused"][0]["index"], 0, "{engine}: {}", r.body);
        assert!(r.body.contains("exceed"), "{engine}: {}", r.body);
        // A national viewer reads but may not score.
        let viewer = w.api("trunguong", "POST", &scores, Some(answers("Bê tông"))).await;
        assert_eq!(viewer.status, StatusCode::FORBIDDEN, "{engine}: {}", viewer.body);

        // A meeting file with an agreement over 100 % and an unknown household: refused whole, both rows named.
        let bad = serde_json::json!([
            { "household_code": code(0), "on": "2025-10-15", "attendees": 10, "agreeing": 11 },
            { "household_code": "KHONG-CO", "on": "2025-10-15", "attendees": 10, "agreeing": 6 },
        ]);
        let refused = w.api("xa.own", "POST", &format!("{base}/steps"), steps("meetings", bad)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", refused.body);
        let indexes: Vec<i64> =
            refused.json()["refused"].as_array().expect("refused").iter().filter_map(|r| r["index"].as_i64()).collect();
        assert_eq!(indexes, vec![0, 1], "{engine}: {}", refused.body);
        assert_eq!(w.api("xa.own", "GET", &base, None).await.json()["commune"]["stages"]["surveyed"], households.len());
        let votes: Vec<Value> = (0..households.len())
            .map(|i| serde_json::json!({ "household_code": code(i), "on": "2025-10-15", "attendees": 40, "agreeing": 30 }))
            .collect();
        assert_eq!(
            w.api("xa.own", "POST", &format!("{base}/steps"), steps("meetings", Value::from(votes))).await.status,
            OK
        );
        let posting = serde_json::json!({ "starts_on": "2025-12-01", "ends_on": "2025-12-03", "places": "UBND xã" });
        let posted = w.api("xa.own", "POST", &format!("{base}/posting"), Some(posting)).await;
        assert_eq!(posted.status, StatusCode::NO_CONTENT, "{engine}: {}", posted.body);
        let complaint =
            serde_json::json!([{ "household_code": code(0), "on": "2025-12-02", "content": "Xin phúc tra" }]);
        assert_eq!(w.api("xa.own", "POST", &format!("{base}/steps"), steps("complaints", complaint)).await.status, OK);
        // Too early and a complaint open: both reasons.
        let early = serde_json::json!({ "number": "12/QĐ-UBND", "decided_on": "2025-12-03", "signer": "Lê Văn A" });
        let early = w.api("xa.own", "POST", &format!("{base}/decision"), Some(early)).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", early.body);
        assert_eq!(early.json()["refused"].as_array().map(Vec::len), Some(2), "{engine}: {}", early.body);
        let complaint_id =
            w.api("xa.own", "GET", &base, None).await.json()["complaints"][0]["id"].as_i64().expect("id");
        let resolve = serde_json::json!({ "outcome": "upheld", "recheck_class": "poor", "resolved_on": "2025-12-03" });
        let resolved = w.api("xa.own", "POST", &format!("{base}/complaints/{complaint_id}"), Some(resolve)).await;
        assert_eq!(resolved.status, StatusCode::NO_CONTENT, "{engine}: {}", resolved.body);
        let decision = serde_json::json!({ "number": "12/QĐ-UBND", "decided_on": "2025-12-04", "signer": "Lê Văn A" });
        let decided = w.api("xa.own", "POST", &format!("{base}/decision"), Some(decision)).await;
        assert_eq!(decided.status, OK, "{engine}: {}", decided.body);
        let d = decided.json();
        assert_eq!(d["recognised"], households.len(), "{engine}: {d}");
        assert!(
            d["poor"].as_u64().is_some_and(|p| p >= 1),
            "{engine}: the upheld complaint makes a poor household: {d}"
        );
        // The decision's household is poor now, officially; its answers are locked.
        let hid = households[0]["household_id"].as_i64().expect("id");
        let official = w.api("xa.own", "GET", &format!("/api/v1/households/{hid}"), None).await.json();
        let y2025 = official["periods"].as_array().expect("periods").iter().find(|p| p["period"] == 2025).cloned();
        assert_eq!(y2025.expect("2025")["class"], "poor", "{engine}: {official}");
        let uri = format!("/api/v1/households/{hid}/surveys/2025");
        let before = w.api("xa.own", "GET", &uri, None).await.json();
        let mut fields = before["fields"].clone();
        fields["household"]["address"] = Value::from("Số 1, đường Mới");
        let edit = w
            .api("xa.own", "PUT", &uri, Some(serde_json::json!({ "version": before["version"], "fields": fields })))
            .await;
        assert_eq!(edit.status, StatusCode::CONFLICT, "{engine}: {}", edit.body);
        let refused = edit.json()["error"]["refused"].to_string();
        assert!(
            refused.contains("khóa") && refused.contains("12/QĐ-UBND") && refused.contains("rà soát thường xuyên"),
            "{engine}: {refused}"
        );
        // The page says the same.
        let (own_session, _) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&own_session, &format!("/ra-soat/{id}/xa/{}", w.own)).await;
        assert!(page.body.contains("12/QĐ-UBND") && page.body.contains("download-decision"), "{engine}");
        let household = w.page(&own_session, &format!("/ho/{hid}?period=2025")).await;
        assert!(
            household.body.contains("data-testid=\"unverified\""),
            "{engine}: the household page names unverified provisions"
        );
        let pdf = w.page(&own_session, &format!("/ra-soat/{id}/xa/{}/quyet-dinh.pdf", w.own)).await;
        assert_eq!(pdf.status, OK, "{engine}");
        // Another commune's officer cannot record anything for this one.
        let far = format!("/api/v1/review/rounds/{id}/communes/{}/list", w.sibling);
        assert_eq!(w.api("xa.own", "POST", &far, None).await.status, StatusCode::NOT_FOUND, "{engine}");
        // The national roll-up: province 14's round, its communes, the one decided, its
        // households at each stage — the same for the province and the country's viewer; none
        // for a province without a round in the period.
        let summary = w.api("trunguong", "GET", "/api/v1/review/summary?period=2025", None).await.json();
        let lines = summary.as_array().expect("lines");
        assert_eq!(lines.len(), 1, "{engine}: {summary}");
        let l = &lines[0];
        assert_eq!(
            (l["province_code"].as_str(), l["rounds"].as_u64(), l["decided"].as_u64()),
            (Some("14"), Some(1), Some(1))
        );
        assert!(
            l["communes"].as_u64().is_some_and(|n| n > 1),
            "{engine}: every commune of the province takes part: {l}"
        );
        assert_eq!(l["stages"]["decided"].as_u64(), Some(households.len() as u64), "{engine}: {l}");
        let province = w.api("tinh.14", "GET", "/api/v1/review/summary?period=2025", None).await.json();
        assert_eq!(province, summary, "{engine}");
        let (viewer, _) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let rounds_page = w.page(&viewer, "/ra-soat").await;
        assert!(rounds_page.body.contains("data-testid=\"review-summary\""), "{engine}");
    }
}

/// Issue 12, regular review: a commune officer records an application through the API (its
/// deadline given back), a second one for the same household and one outside its area are
/// refused with the reason, each caller lists only its area's, and the province officer
/// downloads the month's roll-up.
#[tokio::test]
async fn applications_are_recorded_listed_by_area_and_rolled_up_by_month() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let own = w.api("xa.own", "GET", &format!("/api/v1/households/{}/surveys/2025", w.own_id), None).await.json();
        let own_code = own["fields"]["household"]["household_id"].as_str().expect("code").to_string();
        let far =
            w.api("trunguong", "GET", &format!("/api/v1/households/{}/surveys/2025", w.far_id), None).await.json();
        let far_code = far["fields"]["household"]["household_id"].as_str().expect("code").to_string();
        let body = |commune: &str, code: &str, day: &str| {
            Some(
                serde_json::json!({"commune_code": commune, "household_code": code, "origin": "mau_01", "applied_on": day}),
            )
        };
        let r = w.api("xa.own", "POST", "/api/v1/review/applications", body(&w.own, &own_code, "2025-12-03")).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        // Received 3 December: the regular review of 15 December, 15 working days: 5 January.
        assert_eq!(r.json()["due_on"], "2026-01-05", "{engine}: {}", r.body);
        let again = w.api("xa.own", "POST", "/api/v1/review/applications", body(&w.own, &own_code, "2025-12-04")).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", again.body);
        assert!(again.body.contains("waiting"), "{engine}: {}", again.body);
        let outside =
            w.api("xa.own", "POST", "/api/v1/review/applications", body(&w.far, &far_code, "2025-12-04")).await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", outside.body);
        assert!(outside.body.contains("outside the user's write area"), "{engine}: {}", outside.body);
        let viewer =
            w.api("trunguong", "POST", "/api/v1/review/applications", body(&w.own, &own_code, "2025-12-04")).await;
        assert_eq!(viewer.status, StatusCode::FORBIDDEN, "{engine}: a national viewer records nothing");
        // Listed in the area only.
        let mine = w.api("xa.own", "GET", "/api/v1/review/applications", None).await.json();
        assert_eq!(mine.as_array().map(Vec::len), Some(1), "{engine}: {mine}");
        assert_eq!(mine[0]["household_code"], own_code.as_str(), "{engine}");
        assert_eq!(mine[0]["review_starts"], "2025-12-15", "{engine}");
        assert_eq!(mine[0]["round_id"], Value::Null, "{engine}");
        let elsewhere = w.api("kiemtra", "GET", "/api/v1/review/applications?province=01", None).await.json();
        assert_eq!(elsewhere.as_array().map(Vec::len), Some(0), "{engine}: {elsewhere}");
        // The roll-up: the province officer's; not another province's for a commune officer.
        let month = w.api("tinh.14", "GET", "/api/v1/review/monthly?province=14&month=2025-12", None).await;
        assert_eq!(month.status, OK, "{engine}: {}", month.body);
        let kind = month.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(kind.contains("spreadsheetml"), "{engine}: {kind}");
        let bad = w.api("tinh.14", "GET", "/api/v1/review/monthly?province=14&month=2025-13", None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", bad.body);
        let other = w.api("tinh.14", "GET", "/api/v1/review/monthly?province=01&month=2025-12", None).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{engine}");
    }
}

/// Issue 12, levels agree: the national dashboard names the old communes the lineage does not
/// place (their households count in the country only); a province's dashboard does not see them.
#[tokio::test]
async fn the_national_dashboard_names_the_communes_no_province_holds() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        // 16411 Xã Đông Xuân (2024, Thanh Hóa): no source gives its successor.
        let mut r = synth("14", 1, 9).into_iter().next().expect("a household");
        r.commune_code = "16411".into();
        r.household_code = "DX-1".into();
        import(&w.db, 2025, &[r]).await;
        let national = w.api("trunguong", "GET", "/api/v1/dashboard?unit=VN&period=2025", None).await;
        assert_eq!(national.status, OK, "{engine}: {}", national.body);
        assert_eq!(national.json()["unmapped"], serde_json::json!(["16411"]), "{engine}");
        let province = w.api("tinh.14", "GET", "/api/v1/dashboard?unit=14&period=2025", None).await.json();
        assert_eq!(province["unmapped"], serde_json::json!([]), "{engine}: {province}");
        let (session, _) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/?unit=VN&period=2025").await;
        assert!(page.body.contains("data-testid=\"unmapped\"") && page.body.contains("16411"), "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_sets_its_targets_and_its_communes_table_through_the_page_and_the_api() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
            let (ct, body) = multipart(&parts);
            Request::post(format!("/chi-tieu?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request")
        };
        // The province's own targets, from the page's form: the rate must match its counts.
        let own = |rate: &str| {
            vec![
                ("action", None, b"set".to_vec()),
                ("year", None, b"2026".to_vec()),
                ("unit", None, b"14".to_vec()),
                ("households", None, b"20000".to_vec()),
                ("poor_households", None, b"300".to_vec()),
                ("poor_rate_pct", None, rate.as_bytes().to_vec()),
                ("target_reduction_households", None, b"25".to_vec()),
            ]
        };
        let r = send(&w.app, post(own("1,60"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("300 hộ nghèo / 20.000 hộ dân cư = 1,5 %"), "{engine}: {}", r.body);
        let r = send(&w.app, post(own("1,50"))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi chỉ tiêu của Tỉnh Sơn La 2026"), "{engine}");

        // The communes' table: the own and sibling communes (rate, reduction of each, total).
        let table = |rows: [(&str, u32); 2], total: u32| {
            format!(
                "Mã đơn vị,Tên đơn vị,Tổng số hộ,Số hộ nghèo,Tỷ lệ hộ nghèo (%),Chỉ tiêu giảm hộ nghèo (hộ)\n\
                 {},,1000,20,\"{}\",{}\n{},,800,8,\"1,00\",{}\nTổng cộng,,1800,28,\"1,56\",{total}\n",
                w.own, rows[0].0, rows[0].1, w.sibling, rows[1].1
            )
            .into_bytes()
        };
        let upload = |action: &'static str, bytes: Vec<u8>| {
            vec![
                ("action", None, action.as_bytes().to_vec()),
                ("year", None, b"2026".to_vec()),
                ("unit", None, b"14".to_vec()),
                ("file", Some("chi-tieu.csv"), bytes),
            ]
        };
        // One rate wrong, and each commune reducing more than it has poor households: refused
        // whole, every row named.
        let r = send(&w.app, post(upload("import", table([("2,50", 25), ("", 15)], 40)))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("data-testid=\"targets-errors\""), "{engine}");
        assert!(r.body.contains("20 hộ nghèo / 1.000 hộ dân cư = 2 %"), "{engine}: {}", r.body);
        assert!(r.body.contains("25 hộ giảm nhiều hơn 20 hộ nghèo"), "{engine}: {}", r.body);
        assert!(r.body.contains("15 hộ giảm nhiều hơn 8 hộ nghèo"), "{engine}: {}", r.body);
        // Consistent but short of the province's reduction (25): refused with both figures.
        let r = send(&w.app, post(upload("check", table([("2,00", 15), ("", 5)], 20)))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(
            r.body.contains("Các đơn vị giảm 20 hộ nghèo — ít hơn chỉ tiêu giảm của Tỉnh Sơn La (25 hộ)"),
            "{engine}: {}",
            r.body
        );
        let r = send(&w.app, post(upload("import", table([("2,00", 20), ("", 8)], 28)))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi chỉ tiêu của 2"), "{engine}: {}", r.body);
        assert!(r.body.contains("data-testid=\"target-table\""), "{engine}");

        // The API: the province reads the table; the commune officer only its own commune.
        let got = w.api("tinh.14", "GET", "/api/v1/targets/2026/14", None).await;
        assert_eq!(got.status, OK, "{engine}: {}", got.body);
        let j = got.json();
        assert_eq!(j["own"]["poor_households"], 300.0, "{engine}: {j}");
        assert_eq!(j["table"].as_array().map(Vec::len), Some(2), "{engine}: {j}");
        assert_eq!(j["total"]["target_reduction_households"], 28.0, "{engine}: {j}");
        assert_eq!(j["rate_bases_verified"], false);
        let mine = w.api("xa.own", "GET", &format!("/api/v1/targets/2026/{}", w.own), None).await.json();
        assert_eq!(mine["own"]["target_reduction_households"], 20.0, "{engine}: {mine}");
        let theirs = w.api("xa.own", "GET", &format!("/api/v1/targets/2026/{}", w.sibling), None).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{engine}");
        // The province's own targets cannot be set by a commune; its own can, checked.
        let body = serde_json::json!({"figures": {"households": 1000, "poor_households": 20, "target_reduction_households": 2}});
        let r = w.api("xa.own", "PUT", "/api/v1/targets/2026/14", Some(body)).await;
        assert!([StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&r.status), "{engine}: {}", r.status);
        let over = serde_json::json!({"figures": {"households": 1000, "poor_households": 20, "poor_rate_pct": 120, "target_reduction_households": 2}});
        let r = w.api("xa.own", "PUT", &format!("/api/v1/targets/2026/{}", w.own), Some(over)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("between 0 and 100"), "{engine}: {}", r.body);
        // The table through the API, refused at its row's index.
        let api_table = serde_json::json!({"check_only": true, "rows": [
            {"unit_code": w.own, "figures": {"households": 1000, "poor_households": -1, "target_reduction_households": 1}},
            {"unit_name": "Không Có", "figures": {"households": 5, "poor_households": 1, "target_reduction_households": 1}}]});
        let r = w.api("tinh.14", "POST", "/api/v1/targets/2026/14/table", Some(api_table)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        let refused = r.json()["refused"].as_array().cloned().unwrap_or_default();
        assert!(
            refused.iter().any(|x| x["index"] == 0 && x["message_en"].as_str().is_some_and(|m| m.contains("-1"))),
            "{engine}: {refused:?}"
        );
        assert!(
            refused
                .iter()
                .any(|x| x["index"] == 1 && x["message_en"].as_str().is_some_and(|m| m.contains("not a unit of"))),
            "{engine}: {refused:?}"
        );
        // The download is the table with its total row.
        let xlsx = w.page(&session, "/chi-tieu/tai?year=2026&unit=14&format=csv").await;
        assert_eq!(xlsx.status, OK, "{engine}");
        assert!(xlsx.body.contains("Tổng cộng") && xlsx.body.contains("1800"), "{engine}: {}", xlsx.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_marks_the_units_off_track_and_forecasts_before_the_review() {
    use vuonlen_core::targets::{Figures, col};
    use vuonlen_store::targets::{NewTarget, TargetUnit};
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let national = w.db.unscoped();
        let province = vuonlen_store::Selection::parse("14").expect("Sơn La");
        let poor_in = |year: i64| {
            let (national, province) = (national.clone(), province.clone());
            async move {
                let per = national.period(year).await.expect("period").expect("exists");
                national
                    .tally(&per, &per.standard_id, &province)
                    .await
                    .expect("tally")
                    .into_iter()
                    .map(|(k, t)| (k, t.households_in(vuonlen_core::Class::Poor)))
                    .collect::<std::collections::HashMap<_, _>>()
            }
        };
        let (p2024, p2025) = (poor_in(2024).await, poor_in(2025).await);
        // The commune with the most poor households ends one above its target; another under it.
        let (late, late25) = p2025
            .iter()
            .max_by_key(|(k, v)| (**v, std::cmp::Reverse((*k).clone())))
            .map(|(k, v)| (k.clone(), *v))
            .expect("a commune");
        assert!(late25 > 0, "{engine}: the test province has poor households");
        let late24 = p2024.get(&late).copied().unwrap_or(0);
        let fine = if late == w.own { w.sibling.clone() } else { w.own.clone() };
        let fine25 = p2025.get(&fine).copied().unwrap_or(0);
        let target = |code: &str, poor: u64, end: u64| {
            let mut f = Figures::default();
            f.0[col::HOUSEHOLDS] = Some(100_000.0);
            f.0[col::POOR] = Some(poor as f64);
            f.0[col::REDUCTION] = Some(poor.saturating_sub(end) as f64);
            f.0[col::POOR_END] = Some(end as f64);
            NewTarget { unit: TargetUnit::parse(code).expect("unit"), figures: f }
        };
        // 2025: the late commune ends one household above its target; the other under it.
        let rows = [target(&late, late24.max(late25), late25 - 1), target(&fine, fine25 + 5, fine25 + 5)];
        let parent = TargetUnit::parse("14").expect("province");
        national.record_targets(2025, Some(&parent), &rows, None, "test", "test").await.expect("targets");
        let got = w.api("tinh.14", "GET", "/api/v1/targets/2025/14/progress", None).await;
        assert_eq!(got.status, OK, "{engine}: {}", got.body);
        let j = got.json();
        assert_eq!(j["latest_period"], 2025, "{engine}");
        let unit = |code: &str| j["units"].as_array().and_then(|u| u.iter().find(|x| x["unit_code"] == code).cloned());
        let off = unit(&late).expect("the late commune");
        assert_eq!(
            (off["status"].as_str(), off["actual_end"].as_u64()),
            (Some("off_track"), Some(late25)),
            "{engine}: {off}"
        );
        assert_eq!(unit(&fine).expect("the other commune")["status"], "on_track", "{engine}");
        assert_eq!(off["indicators"]["poor_households"].as_f64(), Some(late25 as f64), "{engine}: {off}");
        assert!(off["indicators"].as_object().is_some_and(|m| m.contains_key("deprived_shares:health_insurance")));
        // Indicator targets: checked, recorded, compared with the registry's values.
        let put = |body: Value| {
            let uri = format!("/api/v1/targets/2025/{late}");
            let w = &w;
            async move { w.api("tinh.14", "PUT", &uri, Some(body)).await }
        };
        let bad = put(serde_json::json!({"indicators": {"health_insurance": 150, "deprived_shares": 1}})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", bad.body);
        assert!(bad.body.contains("0–100") && bad.body.contains("indicator code"), "{engine}: {}", bad.body);
        let ok = put(
            serde_json::json!({"indicators": {"poor_households": late25 - 1, "poor_near_poor_households": 1_000_000}}),
        )
        .await;
        assert_eq!(ok.status, OK, "{engine}: {}", ok.body);
        let j2 = w.api("tinh.14", "GET", "/api/v1/targets/2025/14/progress", None).await.json();
        let row = j2["units"]
            .as_array()
            .and_then(|u| u.iter().find(|x| x["unit_code"] == late.as_str()).cloned())
            .expect("late");
        let indicator = |id: &str| {
            row["indicator_targets"].as_array().and_then(|t| t.iter().find(|x| x["id"] == id).cloned()).expect("target")
        };
        let poor = indicator("poor_households");
        assert_eq!(
            (poor["met"].as_bool(), poor["actual"].as_f64()),
            (Some(false), Some(late25 as f64)),
            "{engine}: {row}"
        );
        assert_eq!(indicator("poor_near_poor_households")["met"], true, "{engine}: {row}");
        assert_eq!(
            w.api("tinh.14", "GET", &format!("/api/v1/targets/2025/{late}"), None).await.json()["indicators"]["poor_households"],
            (late25 - 1) as f64
        );
        // The page highlights it; a commune officer does not see the province's progress.
        let (session, _) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/chi-tieu?year=2025&unit=14").await;
        assert_eq!(page.status, OK, "{engine}");
        assert!(page.body.contains(&format!("<tr class=\"late\"><td>{late}</td>")), "{engine}: {}", page.body);
        assert!(page.body.contains("data-testid=\"off-track-count\">1<"), "{engine}");
        assert!(page.body.contains("data-testid=\"targets-trend\""), "{engine}");
        let refused = w.api("xa.own", "GET", "/api/v1/targets/2025/14/progress", None).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{engine}");
        // 2026 has no review yet: the forecast goes at 2024→2025's pace from the start.
        national
            .record_targets(2026, Some(&parent), &[target(&late, late25, late25)], None, "test", "test")
            .await
            .expect("targets");
        let j = w.api("tinh.14", "GET", "/api/v1/targets/2026/14/progress", None).await.json();
        let off = j["units"]
            .as_array()
            .and_then(|u| u.iter().find(|x| x["unit_code"] == late.as_str()).cloned())
            .expect("late");
        let pace = late24 as f64 - late25 as f64;
        assert_eq!(off["forecast_end"].as_f64(), Some((late25 as f64 - pace).max(0.0)), "{engine}: {off}");
        assert!(off["actual_end"].is_null(), "{engine}");
        let want = if late25 as f64 - pace <= late25 as f64 { "on_track" } else { "off_track" };
        assert_eq!(off["status"], want, "{engine}: {off}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_report_is_drafted_submitted_returned_approved_locked_and_rolled_up() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let own = format!("/api/v1/monitoring/six_monthly/2026/{}", w.own);
        let act = |who: &'static str, action: &str, extra: Value| {
            let mut body = serde_json::json!({ "action": action });
            if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
                b.extend(e.clone());
            }
            let uri = own.clone();
            let w = &w;
            async move { w.api(who, "POST", &uri, Some(body)).await }
        };
        // Drafted from the registry: the computed indicators are there, the reported ones empty.
        let r = act("xa.own", "draft", serde_json::json!({})).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let got = w.api("xa.own", "GET", &own, None).await.json();
        assert_eq!(got["report"]["state"], "draft", "{engine}: {got}");
        assert!(got["report"]["figures"]["poor_households"].as_f64().is_some(), "{engine}: {got}");
        assert!(got["report"]["figures"]["workers_trained"].is_null(), "{engine}: {got}");
        // Figures the registry computes, negative ones and unknown ones are refused together.
        let bad =
            act("xa.own", "enter", serde_json::json!({"values": {"poor_rate": 1.0, "models": -2, "magic": 1}})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", bad.body);
        assert_eq!(bad.json()["refused"].as_array().map(Vec::len), Some(3), "{engine}: {}", bad.body);
        let ok =
            act("xa.own", "enter", serde_json::json!({"values": {"workers_trained": 12, "policy_loans": 30}})).await;
        assert_eq!(ok.status, OK, "{engine}: {}", ok.body);
        assert_eq!(act("xa.own", "submit", serde_json::json!({})).await.status, OK, "{engine}");
        // Submitted: no change until returned; the commune cannot approve its own report.
        let changed = act("xa.own", "enter", serde_json::json!({"values": {"models": 1}})).await;
        assert_eq!(changed.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert_eq!(act("xa.own", "approve", serde_json::json!({})).await.status, StatusCode::FORBIDDEN, "{engine}");
        // The province returns it — a comment is required — then approves the corrected one.
        let no_comment = act("tinh.14", "return", serde_json::json!({})).await;
        assert_eq!(no_comment.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        let back = act("tinh.14", "return", serde_json::json!({"comment": "Thiếu số mô hình"})).await;
        assert_eq!(back.json()["state"], "returned", "{engine}");
        assert_eq!(w.api("xa.own", "GET", &own, None).await.json()["report"]["comment"], "Thiếu số mô hình");
        assert_eq!(act("xa.own", "enter", serde_json::json!({"values": {"models": 1}})).await.status, OK);
        assert_eq!(act("xa.own", "submit", serde_json::json!({})).await.status, OK, "{engine}");
        // Two approvals at once: one wins, the other is refused; nothing is approved twice.
        let (a, b) = tokio::join!(
            act("tinh.14", "approve", serde_json::json!({})),
            act("tinh.14", "approve", serde_json::json!({}))
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [OK, StatusCode::UNPROCESSABLE_ENTITY], "{engine}: {} / {}", a.body, b.body);
        // Approved and locked: submitting again is refused.
        let again = act("xa.own", "submit", serde_json::json!({})).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(again.body.contains("approved and locked"), "{engine}: {}", again.body);
        // The province's roll-up: the approved figures added up, the sibling commune late (its
        // report was due by 1 June).
        let province = w.api("tinh.14", "GET", "/api/v1/monitoring/six_monthly/2026/14", None).await.json();
        assert_eq!(province["approved"], 1, "{engine}: {province}");
        assert_eq!(province["approved_sums"]["workers_trained"], 12.0, "{engine}: {province}");
        let units = province["units"].as_array().cloned().unwrap_or_default();
        let of = |code: &str| units.iter().find(|u| u["unit_code"] == code).cloned().expect("unit");
        assert_eq!(of(&w.own)["state"], "approved", "{engine}");
        assert_eq!(
            of(&w.sibling)["late"],
            chrono::Utc::now().date_naive() > chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("day")
        );
        // Its own report takes the approved communes' figures.
        let p = w
            .api(
                "tinh.14",
                "POST",
                "/api/v1/monitoring/six_monthly/2026/14",
                Some(serde_json::json!({"action": "draft"})),
            )
            .await;
        assert_eq!(p.status, OK, "{engine}: {}", p.body);
        let mine = w.api("tinh.14", "GET", "/api/v1/monitoring/six_monthly/2026/14", None).await.json();
        assert_eq!(mine["report"]["figures"]["workers_trained"], 12.0, "{engine}: {mine}");
        // The commune reads only its own; the page lists the late communes highlighted.
        assert_eq!(
            w.api("xa.own", "GET", "/api/v1/monitoring/six_monthly/2026/14", None).await.status,
            StatusCode::NOT_FOUND
        );
        let (session, _) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/giam-sat?kind=six_monthly&year=2026&unit=14").await;
        assert_eq!(page.status, OK, "{engine}");
        assert!(page.body.contains("data-testid=\"layout-unverified\""), "{engine}");
        let download = w.page(&session, "/giam-sat/tai?kind=six_monthly&year=2026&unit=14").await;
        assert_eq!(download.status, OK, "{engine}");
        // The commune's approved report as PDF and XLSX; the province's own (drafted above) too.
        for unit in [w.own.as_str(), "14"] {
            let pdf = w
                .page(&session, &format!("/giam-sat/tai?kind=six_monthly&year=2026&unit={unit}&what=report&format=pdf"))
                .await;
            assert_eq!(pdf.status, OK, "{engine}: {unit}");
            assert_eq!(pdf.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("application/pdf"));
            assert!(pdf.body.starts_with("%PDF-"), "{engine}: {unit}");
        }
        let xlsx =
            w.page(&session, &format!("/giam-sat/tai?kind=six_monthly&year=2026&unit={}&what=report", w.own)).await;
        assert_eq!(xlsx.status, OK, "{engine}");
        let none = w.page(&session, &format!("/giam-sat/tai?kind=annual&year=2026&unit={}&what=report", w.own)).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND, "{engine}: no annual report drafted");
        // The country's report (drafted by the national administration) prints under the
        // national office's heading.
        let standards = vuonlen_core::Standards::embedded().expect("standards");
        let vn = vuonlen_store::targets::TargetUnit::parse("VN").expect("VN");
        vuonlen_app::monitoring::draft_report(&w.db.unscoped(), &standards, "six_monthly", 2026, &vn, "test")
            .await
            .expect("draft")
            .expect("drafted");
        let (national, _) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let pdf = w.page(&national, "/giam-sat/tai?kind=six_monthly&year=2026&unit=VN&what=report&format=pdf").await;
        assert_eq!(pdf.status, OK, "{engine}");
        assert!(pdf.body.starts_with("%PDF-"), "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_country_s_targets_page_draws_its_provinces_coloured_by_their_poor_rate() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        // Sơn La's residents give it a rate; the country reads its provinces' progress.
        let national = w.db.unscoped();
        let per = national.period(2025).await.expect("period").expect("2025");
        let communes: Vec<String> = vuonlen_store::browse::largest_communes(&w.db, "14", 200).await.expect("communes");
        let totals: Vec<vuonlen_store::coverage::ResidentTotal> = communes
            .iter()
            .map(|c| vuonlen_store::coverage::ResidentTotal {
                commune_code: c.clone(),
                households: 100_000,
                persons: 400_000,
                source: None,
            })
            .collect();
        national.record_resident_totals(&per, &totals, "test", "test").await.expect("totals").expect("recorded");
        let (session, _) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/chi-tieu?year=2025&unit=VN").await;
        assert_eq!(page.status, OK, "{engine}");
        assert!(page.body.contains("data-testid=\"targets-map\""), "{engine}");
        assert_eq!(page.body.matches("<path ").count(), 65, "{engine}: 63 provinces and the two archipelagos");
        assert!(page.body.contains("CC BY 4.0"), "{engine}: the outlines' licence asks for attribution");
        // Sơn La is coloured (its rate is known), a province without figures is not.
        let son_la = page.body.split("<path ").find(|p| p.contains("<title>Tỉnh Sơn La")).expect("Sơn La's outline");
        assert!(!son_la.contains("class=\"nodata"), "{engine}: {}", &son_la[son_la.len().saturating_sub(200)..]);
        assert!(page.body.contains("class=\"nodata\""), "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_records_its_five_year_plan_and_targets_for_its_villages() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
            let (ct, body) = multipart(&parts);
            Request::post(format!("/chi-tieu?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request")
        };
        // The plan from the page's form: five years, none of them with targets yet.
        let plan = |to: &str| {
            vec![
                ("action", None, b"plan".to_vec()),
                ("year", None, b"2026".to_vec()),
                ("unit", None, w.own.clone().into_bytes()),
                ("plan_from", None, b"2026".to_vec()),
                ("plan_to", None, to.as_bytes().to_vec()),
                ("plan_title", None, "Kế hoạch giảm nghèo bền vững giai đoạn 2026–2030".as_bytes().to_vec()),
                ("plan_decision", None, "12/QĐ-UBND".as_bytes().to_vec()),
                ("plan_decided_on", None, b"2026-01-10".to_vec()),
            ]
        };
        let r = send(&w.app, post(plan("2025"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("năm cuối 2025 trước năm đầu 2026"), "{engine}: {}", r.body);
        let r = send(&w.app, post(plan("2030"))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi kế hoạch 2026–2030"), "{engine}: {}", r.body);
        assert!(r.body.contains("data-testid=\"plan\"") && r.body.contains("12/QĐ-UBND ngày 2026-01-10"), "{engine}");
        assert!(r.body.contains("Năm 2030 của kế hoạch chưa có chỉ tiêu."), "{engine}");

        // Its villages are units of its table; a village's own targets through the API.
        let reg = w.db.unscoped();
        let own = vuonlen_store::targets::TargetUnit::parse(&w.own).expect("commune");
        let villages = reg.target_children(&own).await.expect("villages");
        assert!(!villages.is_empty(), "{engine}: the synthetic commune has villages");
        let village = &villages[0];
        let put = w
            .api(
                "xa.own",
                "PUT",
                &format!("/api/v1/targets/2026/{}", village.code),
                Some(serde_json::json!({"figures": {"households": 50, "poor_households": 4, "target_reduction_households": 1}})),
            )
            .await;
        assert_eq!(put.status, OK, "{engine}: {}", put.body);
        assert_eq!(put.json()["unit_name"], village.name.as_str(), "{engine}");
        // The commune's progress lists its villages, the first with its target and the 2025
        // review's poor households as the pace.
        let p = w.api("xa.own", "GET", &format!("/api/v1/targets/2026/{}/progress", w.own), None).await;
        assert_eq!(p.status, OK, "{engine}: {}", p.body);
        let units = p.json()["units"].as_array().cloned().unwrap_or_default();
        assert_eq!(units.len(), villages.len(), "{engine}");
        let first = units.iter().find(|u| u["unit_code"] == village.code.as_str()).expect("the village");
        assert_eq!((first["start_poor"].as_u64(), first["target_end"].as_u64()), (Some(4), Some(3)), "{engine}");
        // A village without targets starts from the poor households the 2025 review recognised.
        if let Some(other) = villages.get(1) {
            let per = reg.period(2025).await.expect("period").expect("2025");
            let poor_2025 = vuonlen_app::plans::poor_households(&reg, &per, other).await.expect("poor");
            let row = units.iter().find(|u| u["unit_code"] == other.code.as_str()).expect("the other village");
            assert_eq!(row["start_poor"].as_u64(), Some(poor_2025), "{engine}: {row}");
            assert_eq!(row["status"], "no_target", "{engine}");
        }
        let village_page = w.page(&session, &format!("/chi-tieu?year=2026&unit={}", village.code)).await;
        assert_eq!(village_page.status, OK, "{engine}");
        assert!(village_page.body.contains(&village.name), "{engine}");

        // The plan through the API: read by the commune and its province, not by another
        // commune's officer; a span of more than ten years refused.
        let got = w.api("xa.own", "GET", &format!("/api/v1/plans/{}", w.own), None).await;
        assert_eq!(got.status, OK, "{engine}: {}", got.body);
        let j = got.json();
        assert_eq!(j["plans"][0]["years"].as_array().map(Vec::len), Some(5), "{engine}: {j}");
        assert_eq!(j["plans"][0]["decision"], "12/QĐ-UBND", "{engine}");
        assert_eq!(j["plans"][0]["years"][0]["status"], "no_target", "{engine}");
        assert_eq!(w.api("tinh.14", "GET", &format!("/api/v1/plans/{}", w.own), None).await.status, OK);
        assert_eq!(
            w.api("xa.own", "GET", &format!("/api/v1/plans/{}", w.sibling), None).await.status,
            StatusCode::NOT_FOUND,
            "{engine}"
        );
        let long = w
            .api(
                "xa.own",
                "PUT",
                &format!("/api/v1/plans/{}/2026/2040", w.own),
                Some(serde_json::json!({"title": "Quá dài"})),
            )
            .await;
        assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", long.body);
        assert!(long.body.contains("spans more than 10 years"), "{engine}: {}", long.body);
        // A village's plan is the commune's to record; no monitoring report for a village.
        let vp = w
            .api(
                "xa.own",
                "PUT",
                &format!("/api/v1/plans/{}/2026/2026", village.code),
                Some(serde_json::json!({"title": "Kế hoạch năm 2026 của thôn"})),
            )
            .await;
        assert_eq!(vp.status, OK, "{engine}: {}", vp.body);
        let m = w.api("xa.own", "GET", &format!("/api/v1/monitoring/six_monthly/2026/{}", village.code), None).await;
        assert_eq!(m.status, StatusCode::NOT_FOUND, "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_enters_a_sub_project_s_four_year_budget_and_follows_its_communes_disbursement() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
            let (ct, body) = multipart(&parts);
            Request::post(format!("/ngan-sach?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .expect("request")
        };
        // 100 million for 2022–2025, 10 / 30 / 30 / 30 million, from the page's form.
        let budget = |third: &str| {
            vec![
                ("action", None, b"set".to_vec()),
                ("unit", None, b"14".to_vec()),
                ("project", None, b"DA3.TDA1".to_vec()),
                ("source", None, b"central".to_vec()),
                ("from", None, b"2022".to_vec()),
                ("amount_0", None, b"10.000.000".to_vec()),
                ("amount_1", None, b"30.000.000".to_vec()),
                ("amount_2", None, third.as_bytes().to_vec()),
                ("amount_3", None, b"30.000.000".to_vec()),
            ]
        };
        let r = send(&w.app, post(budget("ba mươi triệu"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("2024: &#39;ba mươi triệu&#39; không phải số tiền"), "{engine}: {}", r.body);
        let r = send(&w.app, post(budget("30.000.000"))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi 4 dòng kinh phí cho DA3.TDA1"), "{engine}: {}", r.body);
        assert!(r.body.contains("100.000.000"), "{engine}: the total");

        // The commune's share through the API: above the province's 2023 line, refused with both
        // amounts; within it, recorded; the commune officer cannot touch the province's line.
        let put = |who: &'static str, unit: String, amount: u64, disbursed: Option<u64>| {
            let w = &w;
            async move {
                w.api(
                    who,
                    "PUT",
                    &format!("/api/v1/budgets/{unit}"),
                    Some(serde_json::json!({"project_code": "DA3.TDA1", "source": "central", "first_year": 2023,
                        "allocated": [amount], "disbursed": [disbursed]})),
                )
                .await
            }
        };
        let over = put("tinh.14", w.own.clone(), 40_000_000, None).await;
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", over.body);
        assert!(over.body.contains("40.000.000") && over.body.contains("30.000.000"), "{engine}: {}", over.body);
        assert_eq!(put("tinh.14", w.own.clone(), 12_000_000, Some(3_000_000)).await.status, OK, "{engine}");
        let theirs = put("xa.own", "14".into(), 1, None).await;
        assert!([StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&theirs.status), "{engine}: {}", theirs.status);
        // The commune records a disbursement above its allocation: refused; within it: recorded.
        let too_much = put("xa.own", w.own.clone(), 12_000_000, Some(13_000_000)).await;
        assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(
            too_much.body.contains("13.000.000 đồng lớn hơn số được giao 12.000.000"),
            "{engine}: {}",
            too_much.body
        );

        // A house repaired in 2023 under the sub-project from the central budget: the commune's
        // line and the province's both show it; another source's record does not count.
        let house = id_in(&w.db, &w.own).await;
        for (source, amount) in [("central", 4_000_000), ("local", 9_000_000)] {
            let r = w
                .api(
                    "xa.own",
                    "POST",
                    &format!("/api/v1/households/{house}/support"),
                    Some(serde_json::json!({"kind": "house_repaired", "delivered_on": "2023-11-02",
                        "amount": amount, "project_code": "DA3.TDA1", "source": source})),
                )
                .await;
            assert_eq!(r.status, OK, "{engine}: {}", r.body);
        }
        let mine = w.api("xa.own", "GET", &format!("/api/v1/budgets/{}?year=2023", w.own), None).await.json();
        assert_eq!(mine["lines"][0]["support_records"], 1, "{engine}: {mine}");
        assert_eq!(mine["lines"][0]["support_amount"], 4_000_000, "{engine}: {mine}");

        // The province's page follows its communes' disbursement; the table downloads.
        let page = w.page(&session, "/ngan-sach?unit=14&year=2023").await;
        assert!(
            page.body.contains("Hỗ trợ đã trao (lượt)") && page.body.contains("class=\"num\">4.000.000</td>"),
            "{engine}: {}",
            page.body
        );
        assert_eq!(page.status, OK, "{engine}");
        assert!(page.body.contains("data-testid=\"budget-units\""), "{engine}");
        assert!(page.body.contains("12.000.000") && page.body.contains("25,0 %"), "{engine}: {}", page.body);
        let got = w.api("tinh.14", "GET", "/api/v1/budgets/14?year=2023", None).await.json();
        assert_eq!(got["lines"][0]["allocated"], 30_000_000, "{engine}: {got}");
        assert_eq!(got["units"][0]["disbursed"], 3_000_000, "{engine}: {got}");
        // The commune reads its own budget, not its sibling's nor the province's.
        assert_eq!(w.api("xa.own", "GET", &format!("/api/v1/budgets/{}", w.own), None).await.status, OK);
        assert_eq!(
            w.api("xa.own", "GET", &format!("/api/v1/budgets/{}", w.sibling), None).await.status,
            StatusCode::NOT_FOUND
        );
        let xlsx = w.page(&session, "/ngan-sach/tai?unit=14").await;
        assert_eq!(xlsx.status, OK, "{engine}");
        assert_eq!(
            xlsx.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "{engine}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_officer_records_support_on_the_household_page() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let id = id_in(&w.db, &w.own).await;
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |pairs: &[(&str, &str)]| {
            Request::post(format!("/ho/{id}/ho-tro?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(pairs).expect("form")))
                .expect("request")
        };
        // A card for a member the household does not have: refused, said, nothing listed.
        let r = send(
            &w.app,
            post(&[
                ("kind", "health_insurance_card"),
                ("member_no", "99"),
                ("delivered_on", "2025-05-02"),
                ("period", "2025"),
            ]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("Hộ không có thành viên số 99"), "{engine}: {}", r.body);
        assert!(r.body.contains("Chưa ghi hỗ trợ nào."), "{engine}");
        // A policy loan with its amount, paid by DA3.TDA1's central budget: listed.
        let r = send(
            &w.app,
            post(&[
                ("kind", "policy_loan"),
                ("member_no", ""),
                ("delivered_on", "2025-05-02"),
                ("amount", "50.000.000"),
                ("project_code", "DA3.TDA1"),
                ("source", "policy_credit"),
                ("period", "2025"),
            ]),
        )
        .await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi hỗ trợ."), "{engine}");
        let page = w.page(&session, &format!("/ho/{id}")).await;
        assert!(
            page.body.contains("Vay vốn tín dụng chính sách") && page.body.contains("50.000.000"),
            "{engine}: {}",
            page.body
        );
        assert!(page.body.contains("data-testid=\"support-form\""), "{engine}");
        // The coverage of the commune: the page, its download and the API give the registry's
        // figures (the loan counts if the household is on the poor or near-poor list).
        let expected = vuonlen_app::support_coverage::coverage(&w.db.unscoped(), 2025, &w.own).await.expect("coverage");
        let loan = vuonlen_core::support::SupportCoverage::kind_index("policy_loan").expect("kind");
        let on_list = expected.total.reach_of(loan).households;
        let cov = w.page(&session, &format!("/bao-phu?unit={}&year=2025", w.own)).await;
        assert_eq!(cov.status, OK, "{engine}");
        let list = expected.list_period.expect("a review before 2025 or of 2025");
        assert!(cov.body.contains(&format!("kỳ rà soát {list}")), "{engine}: {}", cov.body);
        assert!(cov.body.contains("data-testid=\"coverage-rows\""), "{engine}");
        let got = w.api("xa.own", "GET", &format!("/api/v1/support-coverage/2025/{}", w.own), None).await;
        assert_eq!(got.status, OK, "{engine}: {}", got.body);
        let got = got.json();
        assert_eq!(got["list_period"], list, "{engine}");
        assert_eq!(got["total"]["poor_households"].as_u64(), Some(expected.total.households[0]), "{engine}");
        let loans =
            got["total"]["support"].as_array().and_then(|a| a.iter().find(|k| k["kind"] == "policy_loan").cloned());
        assert_eq!(
            loans.map(|l| (l["households"].as_u64(), l["amount"].as_u64())),
            Some((Some(on_list), Some(on_list * 50_000_000))),
            "{engine}"
        );
        let rows: u64 =
            got["rows"].as_array().map(|r| r.iter().filter_map(|x| x["poor_households"].as_u64()).sum()).unwrap_or(0);
        assert_eq!(rows, expected.total.households[0], "{engine}: the villages add up");
        let xlsx = w.page(&session, &format!("/bao-phu/tai?unit={}&year=2025", w.own)).await;
        assert_eq!(xlsx.status, OK, "{engine}");
        assert_eq!(
            w.api("xa.own", "GET", &format!("/api/v1/support-coverage/2025/{}", w.sibling), None).await.status,
            StatusCode::NOT_FOUND,
            "{engine}: another commune's coverage"
        );
        // The province's viewer-only national office sees it without the form; a sibling
        // commune's household is not found for this officer.
        let (national, _) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let seen = w.page(&national, &format!("/ho/{id}")).await;
        assert!(
            seen.body.contains("Vay vốn tín dụng chính sách") && !seen.body.contains("data-testid=\"support-form\""),
            "{engine}"
        );
        let sibling = id_in(&w.db, &w.sibling).await;
        let r = send(
            &w.app,
            Request::post(format!("/ho/{sibling}/ho-tro?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("kind=legal_aid&delivered_on=2025-05-02"))
                .expect("request"),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{engine}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_and_beneficiary_lists_through_the_api() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        // A list of the commune's households of every class (the test commune's mix varies),
        // built by its officer.
        let body = serde_json::json!({"commune": w.own, "period": 2025, "title": "Thẻ BHYT", "support_kind": "health_insurance_card",
            "project_code": "DA3.TDA2", "source": "Ngân sách trung ương", "classes": ["poor", "near_poor", "middle", "not_poor"]});
        let made = w.api("xa.own", "POST", "/api/v1/beneficiary-lists", Some(body.clone())).await;
        assert_eq!(made.status, OK, "{engine}: {}", made.body);
        assert_eq!(made.json()["source"], "central", "{engine}: the source by its key");
        let id = made.json()["id"].as_i64().expect("id");
        let bad =
            serde_json::json!({"commune": w.own, "period": 2025, "title": "", "support_kind": "magic", "classes": []});
        let refused = w.api("xa.own", "POST", "/api/v1/beneficiary-lists", Some(bad)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert_eq!(refused.json()["refused"].as_array().map(Vec::len), Some(3), "{engine}: {}", refused.body);
        let other = serde_json::json!({"commune": w.sibling, "period": 2025, "title": "x", "support_kind": "legal_aid", "classes": ["poor"]});
        let r = w.api("xa.own", "POST", "/api/v1/beneficiary-lists", Some(other)).await;
        assert!([StatusCode::FORBIDDEN, StatusCode::NOT_FOUND].contains(&r.status), "{engine}: {}", r.status);
        let list = w.api("xa.own", "GET", &format!("/api/v1/beneficiary-lists/{id}"), None).await.json();
        let households = list["households"].as_array().cloned().unwrap_or_default();
        assert!(!households.is_empty(), "{engine}: {list}");
        assert!(households.iter().all(|h| h["reason"].as_str().is_some_and(|r| r.starts_with("Hộ"))), "{engine}");
        // A card for the first household's head, against the list.
        let on = households[0]["household_id"].as_i64().expect("id");
        let card = serde_json::json!({"kind": "Thẻ BHYT", "member_no": 1, "delivered_on": "2025-10-01", "project_code": "DA3.TDA2", "list_id": id});
        let r = w.api("xa.own", "POST", &format!("/api/v1/households/{on}/support"), Some(card.clone())).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let got = w.api("xa.own", "GET", &format!("/api/v1/households/{on}/support"), None).await.json();
        assert_eq!(got[0]["group"], "health", "{engine}: {got}");
        assert_eq!(got[0]["list_id"], id, "{engine}");
        // The province reads the commune's lists; the sibling's officer (none here) — a commune
        // officer reading another commune's list — is not found.
        let lists = w.api("tinh.14", "GET", "/api/v1/beneficiary-lists?unit=14", None).await.json();
        assert!(lists.as_array().is_some_and(|l| l.iter().any(|x| x["id"] == id)), "{engine}: {lists}");
        assert_eq!(
            w.api("xa.own", "GET", &format!("/api/v1/beneficiary-lists?unit={}", w.sibling), None).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_records_activities_and_reads_its_responsibility_matrix() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |pairs: &[(&str, &str)]| {
            Request::post(format!("/hoat-dong?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(pairs).expect("form")))
                .expect("request")
        };
        let activity = |project: &'static str, lead: &'static str, ends: &'static str| {
            vec![
                ("unit", "14"),
                ("year", "2025"),
                ("project", project),
                ("title", "Cấp thẻ BHYT cho người nghèo"),
                ("lead", lead),
                ("partners", "Bảo hiểm xã hội tỉnh\nUBND các xã"),
                ("starts_on", "2025-03-01"),
                ("ends_on", ends),
                ("status", "under_way"),
            ]
        };
        // An end before its start is refused, said; nothing recorded.
        let r = send(&w.app, post(&activity("DA3.TDA2", "Sở Y tế", "2025-01-01"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("trước ngày bắt đầu"), "{engine}: {}", r.body);
        let r = send(&w.app, post(&activity("DA3.TDA2", "Sở Y tế", "2025-12-31"))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi hoạt động."), "{engine}");
        let page = w.page(&session, "/hoat-dong?unit=14&year=2025").await;
        assert!(page.body.contains("data-testid=\"responsibility-matrix\""), "{engine}");
        assert!(page.body.contains("<td>Sở Y tế</td><td>C (1)</td>"), "{engine}: {}", page.body);
        assert!(page.body.contains("<td>UBND các xã</td><td>P (1)</td>"), "{engine}");
        let xlsx = w.page(&session, "/hoat-dong/tai?unit=14&year=2025").await;
        assert_eq!(xlsx.status, OK, "{engine}");
        // A commune officer reads its own commune's activities, not the province's.
        let (commune, _) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        assert_eq!(w.page(&commune, "/hoat-dong?unit=14&year=2025").await.status, StatusCode::NOT_FOUND, "{engine}");
        assert_eq!(w.page(&commune, "/hoat-dong?year=2025").await.status, OK, "{engine}");
    }
}

/// Issue 14 (jobs): a commune officer registers a member who wants work (a refused form says
/// every reason and keeps what was typed), the province's job centre enters a vacancy, the
/// commune reads its matching list and records the placement — support received —; an auditor
/// of another province sees the vacancy but none of the people.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_wants_work_is_matched_to_the_job_centre_s_vacancy_and_placed() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let national = w.db.unscoped();
        // A member of the officer's commune aged 20 to 50 on 1 October 2025.
        let f = vuonlen_store::browse::HouseholdFilter { unit: Some(w.own.clone()), ..Default::default() };
        let day = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("day");
        let mut found = None;
        for h in national.households(2025, "2022-2025", &f, 0, 50).await.expect("list").items {
            let d = national.survey_detail(h.household_id, 2025).await.expect("survey");
            let adult = d.members.iter().find(|m| {
                chrono::NaiveDate::parse_from_str(&m.birth_date, "%Y-%m-%d")
                    .is_ok_and(|b| (20..=50).contains(&day.years_since(b).map_or(0, i64::from)))
            });
            if let Some(m) = adult {
                found =
                    Some((h.household_id, d.survey.commune_code.clone(), d.survey.household_code.clone(), m.member_no));
                break;
            }
        }
        let (id, commune, code, member) = found.expect("an adult in the commune");
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |path: &str, pairs: &[(&str, &str)], session: &str, csrf: &str| {
            Request::post(format!("{path}?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(pairs).expect("form")))
                .expect("request")
        };
        let member_text = member.to_string();
        let seeker = |household: &'static str, member: &str| {
            vec![
                ("action", "seeker".to_string()),
                ("unit", w.own.clone()),
                ("commune", commune.clone()),
                ("household", if household.is_empty() { code.clone() } else { household.to_string() }),
                ("member_no", member.to_string()),
                ("skills", "may công nghiệp".to_string()),
                ("job_wanted", "công nhân".to_string()),
                ("registered_on", "2025-09-15".to_string()),
            ]
        };
        // An unknown household and a member number that is not one: both said; the typed skills kept.
        let bad = seeker("KHONG-CO", "x");
        let r = send(&w.app, post("/viec-lam", &pairs(&bad), &session, &csrf)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(
            r.body.contains("Không có hộ KHONG-CO") && r.body.contains("&#39;x&#39; không phải số"),
            "{engine}: {}",
            r.body
        );
        assert!(r.body.contains("value=\"may công nghiệp\""), "{engine}: the form keeps what was typed");
        let good = seeker("", &member_text);
        let r = send(&w.app, post("/viec-lam", &pairs(&good), &session, &csrf)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi người có nhu cầu việc làm."), "{engine}");
        assert!(r.body.contains("may công nghiệp"), "{engine}: listed");
        // The province's job centre enters a vacancy.
        let (province, pcsrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let vacancy = [
            ("action", "vacancy"),
            ("unit", "14"),
            ("employer", "Công ty May Sơn La"),
            ("title", "Công nhân may"),
            ("vacancy_skills", "may"),
            ("positions", "3"),
            ("min_age", "18"),
            ("max_age", "55"),
            ("opens_on", "2025-09-20"),
        ];
        let r = send(&w.app, post("/viec-lam", &vacancy, &province, &pcsrf)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let list = w.api("tinh.14", "GET", "/api/v1/vacancies?province=14", None).await.json();
        let vid = list[0]["id"].as_i64().expect("a vacancy");
        // The commune reads its matching list, with a placement form on the member's row.
        let page = w.page(&session, &format!("/viec-lam/{vid}?on=2025-10-01")).await;
        assert_eq!(page.status, OK, "{engine}");
        assert!(page.body.contains(&format!("action=\"/ho/{id}/viec-lam")), "{engine}: {}", page.body);
        let r = send(
            &w.app,
            post(
                &format!("/ho/{id}/viec-lam"),
                &[("vacancy", &vid.to_string()), ("member_no", &member_text), ("placed_on", "2025-10-01")],
                &session,
                &csrf,
            ),
        )
        .await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi giới thiệu việc làm"), "{engine}");
        let support = w.api("xa.own", "GET", &format!("/api/v1/households/{id}/support"), None).await.json();
        assert!(
            support
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s["kind"] == "job_placement" && s["member_no"] == member)),
            "{engine}: {support}"
        );
        let matches =
            w.api("tinh.14", "GET", &format!("/api/v1/vacancies/{vid}/matches?on=2025-10-01"), None).await.json();
        assert_eq!(matches["vacancy"]["placed"], 1, "{engine}: {matches}");
        assert!(
            matches["matches"]
                .as_array()
                .is_some_and(|a| a.iter().any(|m| m["seeker"]["household_id"] == id && m["seeker"]["placements"] == 1)),
            "{engine}: {matches}"
        );
        // A reader of another province reads the vacancy, not the people.
        let far = w.db.scoped(vuonlen_store::Scope::units(["01"]).expect("scope"));
        let standards = vuonlen_core::Standards::embedded().expect("standards");
        let (seen, people) =
            vuonlen_app::jobs::matches(&far, &standards, vid, day).await.expect("read").expect("a vacancy");
        assert_eq!((seen.id, people.len()), (vid, 0), "{engine}");
        // A seeker through the API: a member who is not of the household is refused.
        let r = w
            .api(
                "xa.own",
                "POST",
                &format!("/api/v1/households/{id}/job-seekers"),
                Some(serde_json::json!({"member_no": 99, "skills": "may", "registered_on": "2025-09-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("no member 99"), "{engine}: {}", r.body);
    }
}

/// A form's fields as pairs to encode.
fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, x)| (*k, x.as_str())).collect()
}

/// Issue 14: a province officer assigns a helper to a poor household on its page, records visits,
/// the escape registration and the commitment — a refused form says why (422) and keeps what was
/// typed — and reads the progress per helper and per agency; the API does the same; a viewer
/// cannot write and another commune's household is not found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helpers_and_commitments_on_the_household_page_the_progress_page_and_the_api() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let reg = w.db.unscoped();
        let f = vuonlen_store::browse::HouseholdFilter { unit: Some("14".into()), ..Default::default() };
        let listed = reg.households(2025, "2022-2025", &f, 0, 500).await.expect("list").items;
        let class = |h: &&vuonlen_store::browse::HouseholdRow| h.class.map(|c| c.key());
        let poor: Vec<i64> =
            listed.iter().filter(|h| matches!(class(h), Some("poor" | "near_poor"))).map(|h| h.household_id).collect();
        let other = listed.iter().find(|h| matches!(class(h), Some("middle" | "not_poor"))).map(|h| h.household_id);
        assert!(poor.len() >= 2, "{engine}: the province has poor or near-poor households");
        let (id, second) = (poor[0], poor[1]);
        let commune = |hh: i64| listed.iter().find(|h| h.household_id == hh).map(|h| h.current_commune.clone());
        let home = commune(id).expect("commune");
        // Both households in the progress of the first one's commune, or of the province.
        let unit = if commune(second).as_deref() == Some(home.as_str()) { home.clone() } else { "14".into() };
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |hh: i64, pairs: &[(&str, &str)]| {
            Request::post(format!("/ho/{hh}/giup-do?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(pairs).expect("form")))
                .expect("request")
        };
        let assign = [
            ("action", "assign"),
            ("cadre_name", "Nguyễn Văn An"),
            ("cadre_position", "Phó Chủ tịch"),
            ("agency", "Hội Nông dân xã"),
            ("starts_on", "2025-02-01"),
            ("period", "2025"),
        ];
        let r = send(&w.app, post(id, &assign)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Nguyễn Văn An (Phó Chủ tịch) — Hội Nông dân xã, từ 2025-02-01"), "{engine}");
        // A visit before the assignment: refused, said, the note kept as typed.
        let r = send(
            &w.app,
            post(
                id,
                &[("action", "visit"), ("visited_on", "2025-01-20"), ("note", "Hỏi thăm sức khỏe"), ("period", "2025")],
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("trước ngày bắt đầu phân công cán bộ giúp đỡ (2025-02-01)"), "{engine}: {}", r.body);
        assert!(r.body.contains("value=\"Hỏi thăm sức khỏe\""), "{engine}: the note is kept");
        let r = send(
            &w.app,
            post(
                id,
                &[
                    ("action", "visit"),
                    ("visited_on", "2025-03-05"),
                    ("note", "Hỏi thăm sức khỏe"),
                    ("needs", "Giống lúa"),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("<td>Hỏi thăm sức khỏe</td><td>Giống lúa</td>"), "{engine}");
        // A registration outside 2021–2035 without measures: both reasons, the year kept.
        let r = send(&w.app, post(id, &[("action", "register"), ("year", "2040"), ("planned_measures", " ")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert!(
            r.body.contains("ngoài giai đoạn 2021–2035") && r.body.contains("Thiếu biện pháp"),
            "{engine}: {}",
            r.body
        );
        assert!(r.body.contains("name=\"year\" value=\"2040\""), "{engine}");
        let r = send(
            &w.app,
            post(id, &[("action", "register"), ("year", "2025"), ("planned_measures", "Nuôi bò sinh sản")]),
        )
        .await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let r = send(
            &w.app,
            post(
                id,
                &[
                    ("action", "commit"),
                    ("year", "2025"),
                    ("signed_on", "2025-02-10"),
                    ("content", "Cam kết thoát nghèo"),
                ],
            ),
        )
        .await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Bản cam kết năm 2025 (ký ngày 2025-02-10): Cam kết thoát nghèo"), "{engine}");
        // A household that is neither poor nor near-poor gets no helper.
        if let Some(other) = other {
            let r = send(&w.app, post(other, &assign)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
            assert!(r.body.contains("Chỉ phân công cán bộ giúp đỡ hộ nghèo, hộ cận nghèo"), "{engine}: {}", r.body);
        }
        // Another province's household: not found; the national viewer reads, without the
        // forms, and cannot write.
        let sibling = w.far_id;
        assert_eq!(send(&w.app, post(sibling, &assign)).await.status, NOT_FOUND, "{engine}");
        let (national, national_csrf) =
            w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let seen = w.page(&national, &format!("/ho/{id}")).await;
        assert!(seen.body.contains("Nguyễn Văn An") && !seen.body.contains("data-testid=\"visit-form\""), "{engine}");
        let pairs: Vec<(String, String)> = assign.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let r = w.post_form(&national, &format!("/ho/{second}/giup-do?_csrf={national_csrf}"), &pairs, None).await;
        assert_eq!(r.status, FORBIDDEN, "{engine}");
        // The API: a second household's helper, a visit in the future refused with its reason.
        let api_assign = serde_json::json!({"action": "assign", "cadre_name": "Lò Thị Bình", "agency": "Đoàn Thanh niên xã",
            "starts_on": "2025-03-01"});
        let r =
            w.api("tinh.14", "POST", &format!("/api/v1/households/{second}/helpers"), Some(api_assign.clone())).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert_eq!(r.json()["assignments"][0]["active"], true, "{engine}");
        let future = serde_json::json!({"action": "visit", "visited_on": "2099-01-01", "note": ""});
        let r = w.api("tinh.14", "POST", &format!("/api/v1/households/{second}/helpers"), Some(future)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        assert_eq!(r.json()["refused"].as_array().map(Vec::len), Some(2), "{engine}: {}", r.body);
        let r =
            w.api("trunguong", "POST", &format!("/api/v1/households/{second}/helpers"), Some(api_assign.clone())).await;
        assert_eq!(r.status, FORBIDDEN, "{engine}");
        let r = w.api("tinh.14", "POST", &format!("/api/v1/households/{sibling}/helpers"), Some(api_assign)).await;
        assert_eq!(r.status, NOT_FOUND, "{engine}");
        let got = w.api("tinh.14", "GET", &format!("/api/v1/households/{id}/helpers"), None).await.json();
        assert_eq!(got["visits"][0]["needs"], "Giống lúa", "{engine}: {got}");
        assert_eq!(got["registrations"][0]["year"], 2025, "{engine}");
        // Progress: two helpers of two agencies, one visit, one registration, one commitment.
        let p = w.api("trunguong", "GET", &format!("/api/v1/helpers/progress/2025/{unit}"), None).await.json();
        let total = &p["total"];
        let counts: Vec<i64> = ["households", "visits", "registered", "committed"]
            .iter()
            .map(|k| total[*k].as_i64().unwrap_or(-1))
            .collect();
        assert_eq!(counts, [2, 1, 1, 1], "{engine}: {p}");
        assert_eq!(p["agencies"].as_array().map(Vec::len), Some(2), "{engine}");
        assert_eq!(p["agencies"][0]["agency"], "Đoàn Thanh niên xã", "{engine}: Vietnamese order");
        let province = w.api("tinh.14", "GET", "/api/v1/helpers/progress/2025/14", None).await.json();
        assert_eq!(province["total"]["households"], 2, "{engine}: {province}");
        assert_eq!(w.api("xa.own", "GET", "/api/v1/helpers/progress/2025/14", None).await.status, NOT_FOUND);
        let page = w.page(&session, &format!("/giup-do?unit={unit}&year=2025")).await;
        assert_eq!(page.status, OK, "{engine}");
        assert!(page.body.contains("<td>Lò Thị Bình</td>"), "{engine}: {}", page.body);
        assert!(page.body.contains("<tr class=\"late\"><td>Đoàn Thanh niên xã</td>"), "{engine}: no visit yet");
        let xlsx = w.page(&session, &format!("/giup-do/tai?unit={unit}&year=2025")).await;
        assert_eq!(xlsx.status, OK, "{engine}");
        assert!(
            xlsx.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.contains("spreadsheet")),
            "{engine}"
        );
    }
}

/// Issue 14: a commune officer records a poverty-reduction model with its households — every bad
/// field refused at once, the form keeping what was typed —, its replication and an exemplary
/// case; the page shows the count the "models" indicator asks for; the API refuses a household
/// of another commune and an absurd budget; another commune's officer does not see the model.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_records_a_poverty_reduction_model_its_households_replications_and_cases() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let national = w.db.unscoped();
        let code_of = |id: i64| {
            let national = national.clone();
            async move { national.survey_detail(id, 2025).await.expect("survey").survey.household_code }
        };
        let (own_code, sibling_code) = (code_of(w.own_id).await, code_of(w.sibling_id).await);
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let post = |uri: String, pairs: Vec<(&str, String)>| {
            Request::post(format!("{uri}?_csrf={csrf}"))
                .header(header::COOKIE, format!("vuonlen_session={session}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(pairs).expect("form")))
                .expect("request")
        };
        let model = |project: &str, budget: &str, households: String| {
            vec![
                ("unit", w.own.clone()),
                ("year", "2025".into()),
                ("name", "Nuôi bò sinh sản".into()),
                ("host", "Hợp tác xã Nông nghiệp Tiến Thành".into()),
                ("host_kind", "cooperative".into()),
                ("place", "Bản Ta".into()),
                ("project", project.into()),
                ("start_year", "2024".into()),
                ("end_year", "2026".into()),
                ("budget_central", budget.into()),
                ("budget_counterpart", "50.000.000".into()),
                ("status", "under_way".into()),
                ("households", households),
            ]
        };
        // A project of no catalogue, a negative budget, a household of another commune: all said
        // at once, nothing recorded, the form keeps what was typed.
        let r = send(&w.app, post("/mo-hinh".into(), model("DA9", "-5.000.000", sibling_code.clone()))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        for said in
            ["không phải dự án", "âm: số tiền phải từ 0 đồng", &format!("Không có hộ mã &#39;{sibling_code}&#39;")]
        {
            assert!(r.body.contains(said), "{engine}: {said} not in {}", r.body);
        }
        assert!(r.body.contains("value=\"Hợp tác xã Nông nghiệp Tiến Thành\""), "{engine}: the form keeps the host");
        assert!(r.body.contains("value=\"-5.000.000\""), "{engine}: the form keeps the amount");
        assert!(r.body.contains("data-testid=\"models-count\">0<"), "{engine}");
        let r = send(&w.app, post("/mo-hinh".into(), model("DA2", "450.000.000", own_code.clone()))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi mô hình."), "{engine}");
        // The registry's count for the unit and year, shown for the monitoring report's figure.
        assert!(r.body.contains("data-testid=\"models-count\">1<"), "{engine}: {}", r.body);
        let listed = w.api("xa.own", "GET", &format!("/api/v1/models?unit={}&year=2025", w.own), None).await.json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{engine}: {listed}");
        assert_eq!(listed[0]["budget_total"], 500_000_000, "{engine}: {listed}");
        assert_eq!(listed[0]["budget"]["counterpart"], 50_000_000, "{engine}");
        assert_eq!(listed[0]["households"], 1, "{engine}");
        let id = listed[0]["id"].as_i64().expect("id");
        // Not under way in 2027 (it ends in 2026).
        let later = w.api("xa.own", "GET", &format!("/api/v1/models?unit={}&year=2027", w.own), None).await.json();
        assert_eq!(later.as_array().map(Vec::len), Some(0), "{engine}: {later}");
        // A replication in an unknown commune, negative households: refused; in the sibling: recorded.
        let rep = |commune: &str, n: &str| {
            vec![
                ("action", "replicate".to_string()),
                ("commune", commune.to_string()),
                ("year", "2025".into()),
                ("replicated_households", n.to_string()),
            ]
        };
        let r = send(&w.app, post(format!("/mo-hinh/{id}"), rep("99999", "-3"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("&#39;99999&#39; không phải mã xã"), "{engine}: {}", r.body);
        assert!(r.body.contains("Số hộ -3 không hợp lệ"), "{engine}: {}", r.body);
        let r = send(&w.app, post(format!("/mo-hinh/{id}"), rep(&w.sibling, "12"))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        // Joining a household of another commune: refused.
        let r = send(
            &w.app,
            post(format!("/mo-hinh/{id}"), vec![("action", "join".into()), ("households", sibling_code.clone())]),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        let case = vec![
            ("action", "case".to_string()),
            ("title", "Gia đình anh A thoát nghèo nhờ nuôi bò".into()),
            ("case_year", "2025".into()),
            ("household", own_code.clone()),
            ("escaped", "1".into()),
        ];
        let r = send(&w.app, post(format!("/mo-hinh/{id}"), case)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let page = w.page(&session, &format!("/mo-hinh/{id}")).await;
        assert_eq!(page.status, OK, "{engine}");
        let class = national
            .households(
                2025,
                "2022-2025",
                &vuonlen_store::browse::HouseholdFilter { unit: Some(w.own.clone()), ..Default::default() },
                0,
                1000,
            )
            .await
            .expect("list")
            .items
            .into_iter()
            .find(|h| h.household_id == w.own_id)
            .and_then(|h| h.class)
            .expect("classified");
        assert!(page.body.contains(&format!("{} (2025)", class.label_vi())), "{engine}: {}", page.body);
        assert!(page.body.contains("Gia đình anh A thoát nghèo nhờ nuôi bò"), "{engine}");
        let detail = w.api("xa.own", "GET", &format!("/api/v1/models/{id}"), None).await.json();
        assert_eq!(detail["households"][0]["household_id"], w.own_id, "{engine}: {detail}");
        assert_eq!(detail["households"][0]["class"], class.key(), "{engine}");
        assert_eq!(detail["replications"][0]["commune"], w.sibling.as_str(), "{engine}");
        assert_eq!(detail["replications"][0]["households"], 12, "{engine}");
        assert_eq!(detail["cases"][0]["escaped"], true, "{engine}");
        let xlsx = w.page(&session, &format!("/mo-hinh/tai?unit={}&year=2025", w.own)).await;
        assert_eq!(xlsx.status, OK, "{engine}");
        // The API: a household of another province, an absurd budget — refused, both said.
        let bad = serde_json::json!({"commune": w.own, "name": "Trồng chè", "host": "Tổ hợp tác chè",
            "project_code": "DA2", "start_year": 2025, "budget": {"central": 200_000_000_000_i64},
            "household_ids": [w.far_id]});
        let r = w.api("xa.own", "POST", "/api/v1/models", Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("is more than a model can have"), "{engine}: {}", r.body);
        assert!(
            r.body.contains(&format!("Household {} is not a household of commune", w.far_id)),
            "{engine}: {}",
            r.body
        );
        // The province records a model of the sibling commune; the own commune's officer does not see it.
        let other = serde_json::json!({"commune": w.sibling, "name": "Trồng chè", "host": "UBND xã", "host_kind": "agency",
            "project_code": "DA2", "start_year": 2025, "household_ids": [w.sibling_id]});
        let r = w.api("tinh.14", "POST", "/api/v1/models", Some(other)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let sid = r.json()["id"].as_i64().expect("id");
        assert_eq!(w.page(&session, &format!("/mo-hinh/{sid}")).await.status, StatusCode::NOT_FOUND, "{engine}");
        assert_eq!(w.api("xa.own", "GET", &format!("/api/v1/models/{sid}"), None).await.status, StatusCode::NOT_FOUND);
        let r = send(&w.app, post(format!("/mo-hinh/{sid}"), rep(&w.own, "3"))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{engine}");
        let province = w.api("tinh.14", "GET", "/api/v1/models?unit=14&year=2025", None).await.json();
        assert_eq!(province.as_array().map(Vec::len), Some(2), "{engine}: {province}");
    }
}

/// Issue 14 item 8, API parity: through the API a commune officer adds households of its commune
/// to a model (by id and by code), records a replication and an exemplary case — the page's use
/// cases, every reason of a refusal given in Vietnamese and English (a household of another
/// commune, a replication in the model's own commune, a case without a title); a read-only user
/// is refused (403), another commune's officer does not find the model (404), the province
/// changes it; the routes are in the OpenAPI document.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_adds_a_models_households_replications_and_cases() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let national = w.db.unscoped();
        let f = vuonlen_store::browse::HouseholdFilter { unit: Some(w.own.clone()), ..Default::default() };
        let own = national.households(2025, "2022-2025", &f, 0, 2).await.expect("list").items;
        assert_eq!(own.len(), 2, "{engine}: two households of the own commune");
        let (first, second) = (own[0].household_id, own[1].household_id);
        let (first_code, second_code) = (own[0].household_code.clone(), own[1].household_code.clone());
        let sibling_code = national.survey_detail(w.sibling_id, 2025).await.expect("survey").survey.household_code;
        let model = |commune: &str| {
            serde_json::json!({"commune": commune, "name": "Nuôi dê sinh sản", "host": "Tổ hợp tác chăn nuôi",
                "host_kind": "cooperative_group", "project_code": "DA2", "start_year": 2024})
        };
        let r = w.api("xa.own", "POST", "/api/v1/models", Some(model(&w.own))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let id = r.json()["id"].as_i64().expect("id");
        let uri = |what: &str| format!("/api/v1/models/{id}/{what}");
        let reasons = |r: &Reply, lang: &str| -> Vec<String> {
            r.json()["refused"]
                .as_array()
                .expect("refused")
                .iter()
                .map(|x| x[lang].as_str().expect("message").to_string())
                .collect()
        };

        // Households: by id and by code, both of the commune — added, the detail returned.
        let join = serde_json::json!({"household_ids": [first], "household_codes": [second_code]});
        let r = w.api("xa.own", "POST", &uri("households"), Some(join.clone())).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let joined = r.json();
        assert_eq!(joined["added"], 2, "{engine}: {joined}");
        assert_eq!(joined["model"]["model"]["households"], 2, "{engine}: {joined}");
        let mut ids: Vec<i64> = joined["model"]["households"]
            .as_array()
            .expect("households")
            .iter()
            .filter_map(|h| h["household_id"].as_i64())
            .collect();
        ids.sort_unstable();
        let mut want = vec![first, second];
        want.sort_unstable();
        assert_eq!(ids, want, "{engine}: {joined}");
        // Already taking part: nothing added again.
        let again = w.api("xa.own", "POST", &uri("households"), Some(join)).await;
        assert_eq!((again.status, again.json()["added"].as_u64()), (OK, Some(0)), "{engine}: {}", again.body);
        // A household of another commune, by id and by code; none at all: refused, every reason.
        let bad = serde_json::json!({"household_ids": [w.sibling_id], "household_codes": [sibling_code]});
        let r = w.api("xa.own", "POST", &uri("households"), Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        let (vi, en) = (reasons(&r, "message_vi"), reasons(&r, "message_en"));
        assert_eq!((vi.len(), en.len()), (2, 2), "{engine}: {}", r.body);
        assert!(en.iter().any(|m| m.starts_with(&format!("Household {} is not a household of commune", w.sibling_id))));
        assert!(vi.iter().any(|m| m.starts_with(&format!("Hộ số {} không phải hộ của xã {}", w.sibling_id, w.own))));
        assert!(en.iter().any(|m| m.starts_with(&format!("There is no household '{sibling_code}'"))), "{engine}");
        assert!(vi.iter().any(|m| m.starts_with(&format!("Không có hộ mã '{sibling_code}'"))), "{engine}");
        let r = w.api("xa.own", "POST", &uri("households"), Some(serde_json::json!({}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert_eq!(reasons(&r, "message_en"), ["No household given."], "{engine}");
        // A body that is not the call's: refused as such, nothing recorded.
        let r = w.api("xa.own", "POST", &uri("households"), Some(serde_json::json!({"household_ids": ["một"]}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);

        // A replication in the model's own commune, before its first year, of negative households:
        // refused with the three reasons; in the sibling commune: recorded.
        let bad = serde_json::json!({"commune": w.own, "year": 2023, "households": -3});
        let r = w.api("xa.own", "POST", &uri("replications"), Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        let en = reasons(&r, "message_en");
        assert_eq!(en.len(), 3, "{engine}: {}", r.body);
        assert!(en.contains(&"A replication is in another commune, not the model's own.".to_string()), "{engine}");
        assert!(reasons(&r, "message_vi").iter().any(|m| m.starts_with("Số hộ -3 không hợp lệ")), "{engine}");
        let rep =
            serde_json::json!({"commune": w.sibling, "year": 2025, "households": 12, "note": "Theo kế hoạch tỉnh"});
        let r = w.api("xa.own", "POST", &uri("replications"), Some(rep)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let rec = r.json();
        assert!(rec["id"].as_i64().is_some(), "{engine}: {rec}");
        assert_eq!(rec["model"]["replications"][0]["commune"], w.sibling.as_str(), "{engine}: {rec}");
        assert_eq!(rec["model"]["replications"][0]["households"], 12, "{engine}");
        assert_eq!(rec["model"]["replications"][0]["note"], "Theo kế hoạch tỉnh", "{engine}");

        // An exemplary case without a title, of a household of another commune: refused; of a
        // household of the commune, by code: recorded.
        let bad = serde_json::json!({"title": " ", "year": 2025, "household_code": sibling_code});
        let r = w.api("xa.own", "POST", &uri("cases"), Some(bad)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        let en = reasons(&r, "message_en");
        assert_eq!(en.len(), 2, "{engine}: {}", r.body);
        assert!(en.contains(&"The case's title is missing.".to_string()), "{engine}: {}", r.body);
        assert!(reasons(&r, "message_vi").contains(&"Thiếu tiêu đề gương điển hình.".to_string()), "{engine}");
        let case = serde_json::json!({"title": "Gia đình chị B thoát nghèo nhờ nuôi dê", "year": 2025,
            "household_code": first_code, "escaped": true, "story": "Từ 5 con dê giống"});
        let r = w.api("xa.own", "POST", &uri("cases"), Some(case)).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let rec = r.json();
        let cases = rec["model"]["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 1, "{engine}: {rec}");
        assert_eq!(cases[0]["household_id"], first, "{engine}: {rec}");
        assert_eq!(cases[0]["escaped"], true, "{engine}");
        assert_eq!(cases[0]["title"], "Gia đình chị B thoát nghèo nhờ nuôi dê", "{engine}");
        // The same model as the GET gives it.
        let detail = w.api("xa.own", "GET", &format!("/api/v1/models/{id}"), None).await.json();
        assert_eq!(detail, rec["model"], "{engine}");
        assert_eq!(
            (&detail["model"]["households"], &detail["model"]["replications"], &detail["model"]["cases"]),
            (&serde_json::json!(2), &serde_json::json!(1), &serde_json::json!(1)),
            "{engine}: {detail}"
        );

        // Read-only users: refused (403), nothing recorded.
        let case = serde_json::json!({"title": "Gương thoát nghèo", "year": 2025});
        for who in ["trunguong", "kiemtra"] {
            let r = w.api(who, "POST", &uri("households"), Some(serde_json::json!({"household_ids": [first]}))).await;
            assert_eq!(r.status, FORBIDDEN, "{engine}: {who}: {}", r.body);
            let rep = serde_json::json!({"commune": w.sibling, "year": 2025, "households": 1});
            assert_eq!(w.api(who, "POST", &uri("replications"), Some(rep)).await.status, FORBIDDEN, "{engine}: {who}");
            assert_eq!(
                w.api(who, "POST", &uri("cases"), Some(case.clone())).await.status,
                FORBIDDEN,
                "{engine}: {who}"
            );
        }
        let detail = w.api("xa.own", "GET", &format!("/api/v1/models/{id}"), None).await.json();
        assert_eq!((&detail["model"]["replications"], &detail["model"]["cases"]), (&1.into(), &1.into()), "{engine}");

        // The province changes its communes' models; the sibling commune's model is not found by
        // the own commune's officer, whatever it sends.
        let r = w.api("tinh.14", "POST", &uri("cases"), Some(case.clone())).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let r = w.api("tinh.14", "POST", "/api/v1/models", Some(model(&w.sibling))).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        let sid = r.json()["id"].as_i64().expect("id");
        let rep = serde_json::json!({"commune": w.own, "year": 2025, "households": 1});
        for (what, body) in [
            ("households", serde_json::json!({"household_ids": [first]})),
            ("replications", rep),
            ("cases", case.clone()),
        ] {
            let r = w.api("xa.own", "POST", &format!("/api/v1/models/{sid}/{what}"), Some(body)).await;
            assert_eq!(r.status, NOT_FOUND, "{engine}: {what}: {}", r.body);
        }
        let r = w
            .api(
                "tinh.14",
                "POST",
                &format!("/api/v1/models/{sid}/households"),
                Some(serde_json::json!({"household_ids": [w.sibling_id]})),
            )
            .await;
        assert_eq!((r.status, r.json()["added"].as_u64()), (OK, Some(1)), "{engine}");

        // The document of the API names the calls and their bodies.
        let doc = w.api("trunguong", "GET", "/api/openapi.json", None).await.json();
        for path in ["/api/v1/models/{id}/households", "/api/v1/models/{id}/replications", "/api/v1/models/{id}/cases"]
        {
            assert!(doc["paths"][path]["post"].is_object(), "{engine}: {path} missing from the OpenAPI document");
        }
        for schema in ["HouseholdsIn", "HouseholdsJoined", "ReplicationIn", "CaseIn", "ModelRecorded"] {
            assert!(doc["components"]["schemas"][schema].is_object(), "{engine}: {schema} missing");
        }
        // A model's case and a review's case are two schemas, each with its own fields.
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["ModelCaseOut"]["properties"]["story"].is_object(), "{engine}: {}", schemas["ModelCaseOut"]);
        assert!(schemas["CaseOut"]["properties"]["household_code"].is_object(), "{engine}: {}", schemas["CaseOut"]);
    }
}

/// A download as its bytes (a workbook is not text).
async fn download(w: &World, session: &str, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri)
        .header(header::COOKIE, format!("vuonlen_session={session}"))
        .body(Body::empty())
        .expect("request");
    req.extensions_mut().insert(addr());
    let res = w.app.clone().oneshot(req).await.expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.expect("body").to_bytes().to_vec())
}

/// A page's multipart upload of `file` (named `name`) with `action` and other fields.
async fn upload_table(
    w: &World,
    (session, csrf): (&str, &str),
    path: &str,
    fields: &[(&str, &str)],
    name: &str,
    file: Vec<u8>,
) -> Reply {
    let mut parts: Vec<(&str, Option<&str>, Vec<u8>)> =
        fields.iter().map(|(k, v)| (*k, None, v.as_bytes().to_vec())).collect();
    parts.push(("file", Some(name), file));
    let (ct, body) = multipart(&parts);
    let req = Request::post(format!("{path}?_csrf={csrf}"))
        .header(header::COOKIE, format!("vuonlen_session={session}"))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .expect("request");
    send(&w.app, req).await
}

/// A commune officer checks an agency's support table on `/ho-tro` (every problem located: an
/// unknown kind, a household of another commune), records a good one, downloads the commune's
/// support of the year and uploads it back clean; a read-only user may not post it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_officer_uploads_a_support_table_and_downloads_it_back() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let national = w.db.unscoped();
        let own = national.survey_detail(w.own_id, 2025).await.expect("survey").survey;
        let sibling = national.survey_detail(w.sibling_id, 2025).await.expect("survey").survey;
        let (session, csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/ho-tro").await;
        assert!(page.body.contains("data-testid=\"support-table-form\""), "{engine}");
        assert!(page.body.contains("data-testid=\"support-export-form\""), "{engine}");
        let header = "Mã xã,Mã hộ,Số thứ tự thành viên,Loại hỗ trợ,Ngày hỗ trợ,Số tiền (đồng),Mã dự án,Nguồn vốn\n";
        let (oc, oh) = (own.commune_code.as_str(), own.household_code.as_str());
        let (sc, sh) = (sibling.commune_code.as_str(), sibling.household_code.as_str());
        let bad = format!(
            "{header}{oc},{oh},,phép màu,2025-03-01,,,\n{sc},{sh},,Sửa chữa nhà ở,2025-04-01,20.000.000,DA5,local\n"
        );
        let before = national.support_of(w.own_id).await.expect("support").len();
        let up = |action: &'static str, file: String| {
            let (session, csrf) = (session.clone(), csrf.clone());
            let w = &w;
            async move {
                upload_table(
                    w,
                    (&session, &csrf),
                    "/ho-tro",
                    &[("action", action), ("unit", "")],
                    "ho-tro.csv",
                    file.into_bytes(),
                )
                .await
            }
        };
        for action in ["check", "import"] {
            let r = up(action, bad.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine} {action}: {}", r.body);
            assert!(r.body.contains("data-testid=\"support-errors\""), "{engine}");
            assert!(r.body.contains("Bảng có 2 lỗi: không ghi gì."), "{engine}: {}", r.body);
            // Each problem with its row, column and value; the other commune's household is not
            // found within the officer's area.
            assert!(r.body.contains("<td>2</td><td>Loại hỗ trợ</td><td>phép màu</td>"), "{engine}: {}", r.body);
            assert!(
                r.body.contains(&format!("<td>3</td><td>Mã hộ</td><td>{sh}</td><td>Không có hộ {sh} của xã {sc}")),
                "{engine}: {}",
                r.body
            );
        }
        assert_eq!(national.support_of(w.own_id).await.expect("support").len(), before, "{engine}: nothing written");
        let good = format!(
            "{header}{oc},{oh},,Sửa chữa nhà ở,2025-04-01,20.000.000,DA5,local\n{oc},{oh},,Vay vốn tín dụng chính sách,2025-05-02,50.000.000,DA3.TDA1,policy_credit\n"
        );
        let r = up("check", good.clone()).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Bảng hợp lệ: 2 bản ghi; chưa ghi."), "{engine}: {}", r.body);
        assert_eq!(
            national.support_of(w.own_id).await.expect("support").len(),
            before,
            "{engine}: a check writes nothing"
        );
        let r = up("import", good).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi 2 bản ghi hỗ trợ."), "{engine}: {}", r.body);
        assert_eq!(national.support_of(w.own_id).await.expect("support").len(), before + 2, "{engine}");
        // The commune's support of 2025 as a workbook with the support table's columns, which
        // uploads back clean.
        let (status, headers, xlsx) = download(&w, &session, &format!("/ho-tro/tai?unit={}&year=2025", w.own)).await;
        assert_eq!(status, OK, "{engine}: {}", String::from_utf8_lossy(&xlsx));
        assert!(
            headers
                .get(header::CONTENT_DISPOSITION)
                .and_then(|h| h.to_str().ok())
                .is_some_and(|h| h.contains(&format!("ho-tro-{}-2025.xlsx", w.own))),
            "{engine}: {headers:?}"
        );
        let r = upload_table(&w, (&session, &csrf), "/ho-tro", &[("action", "check")], "ho-tro.xlsx", xlsx).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Bảng hợp lệ: 2 bản ghi; chưa ghi."), "{engine}: {}", r.body);
        let csv = w.page(&session, &format!("/ho-tro/tai?unit={}&year=2025&format=csv", w.own)).await;
        assert_eq!(csv.status, OK, "{engine}");
        let first = csv.body.trim_start_matches('\u{feff}').lines().next().unwrap_or_default().to_string();
        let labels: Vec<&str> = vuonlen_io::support_table::SUPPORT_COLUMNS.iter().map(|c| c.label_vi).collect();
        assert_eq!(first, labels.join(","), "{engine}");
        assert!(
            csv.body.contains(&format!("{oc},{oh},,Sửa chữa nhà ở,2025-04-01,20000000,DA5,")),
            "{engine}: {}",
            csv.body
        );
        // Another year has none; another commune is not found; the country is not a table.
        let none = w.page(&session, &format!("/ho-tro/tai?unit={}&year=2024&format=csv", w.own)).await;
        assert_eq!(none.body.trim().lines().count(), 1, "{engine}: {}", none.body);
        let other = w.page(&session, &format!("/ho-tro/tai?unit={}&year=2025", w.sibling)).await;
        assert_eq!(other.status, NOT_FOUND, "{engine}");
        // The province reads the commune's records in its own table; a national viewer may
        // download but has no upload form and may not post one.
        let (province, _) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let p = w.page(&province, "/ho-tro/tai?unit=14&year=2025&format=csv").await;
        assert!(p.body.contains(&format!("{oc},{oh},")), "{engine}");
        let (viewer, viewer_csrf) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        assert!(!w.page(&viewer, "/ho-tro?unit=14").await.body.contains("support-table-form"), "{engine}");
        let r = upload_table(
            &w,
            (&viewer, &viewer_csrf),
            "/ho-tro",
            &[("action", "check")],
            "ho-tro.csv",
            Vec::from(bad.as_bytes()),
        )
        .await;
        assert_eq!(r.status, FORBIDDEN, "{engine}");
        assert_eq!(
            w.page(&viewer, "/ho-tro/tai?unit=VN&year=2025").await.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine}"
        );
    }
}

/// A province checks an activities table on `/hoat-dong` (every problem located), records a
/// good one, downloads the table and uploads it back clean; the activities API reads the year's
/// activities and adds one, every reason given when refused, 403 for a read-only user and 404
/// outside the caller's area.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_uploads_its_activities_table_and_the_api_reads_and_adds_activities() {
    let dir = tempfile::tempdir().expect("tmp");
    for (engine, db) in engines(dir.path()).await {
        let w = world(db).await;
        let (session, csrf) = w.sign_in("tinh.14", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let page = w.page(&session, "/hoat-dong?unit=14&year=2025").await;
        assert!(page.body.contains("data-testid=\"activities-table-form\""), "{engine}");
        let header =
            "Năm,Mã đơn vị,Mã dự án,Tên hoạt động,Cơ quan chủ trì,Cơ quan phối hợp,Từ ngày,Đến ngày,Tình trạng\n";
        let own = w.own.clone();
        let bad = format!(
            "{header}2025,14,DA99,Tập huấn,Sở Nông nghiệp,,,,\n2025,01,DA5,Sửa nhà,UBND thành phố,,,,\n\
             2025,{own},DA5,Sửa nhà,UBND xã,,2025-05-01,2025-04-01,Đang thực hiện\n2025,{own},DA5,,UBND xã,,,,\n"
        );
        let fields = [("unit", "14"), ("year", "2025")];
        let up = |action: &'static str, name: &'static str, file: Vec<u8>| {
            let (session, csrf) = (session.clone(), csrf.clone());
            let w = &w;
            async move {
                let mut f = fields.to_vec();
                f.push(("action", action));
                upload_table(w, (&session, &csrf), "/hoat-dong/bang", &f, name, file).await
            }
        };
        let r = up("import", "hoat-dong.csv", bad.clone().into_bytes()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        assert!(r.body.contains("data-testid=\"activities-errors\""), "{engine}");
        assert!(r.body.contains("<td>2</td><td>Mã dự án</td><td>DA99</td>"), "{engine}: {}", r.body);
        assert!(r.body.contains("<td>3</td><td>Mã đơn vị</td><td>01</td>"), "{engine}: {}", r.body);
        assert!(r.body.contains("trước ngày bắt đầu"), "{engine}: {}", r.body);
        assert!(r.body.contains("<td>5</td><td>Tên hoạt động</td><td></td>"), "{engine}: {}", r.body);
        assert!(
            w.db.unscoped()
                .activities_of(&vuonlen_store::targets::TargetUnit::parse("14").expect("14"), None)
                .await
                .expect("read")
                .is_empty(),
            "{engine}: nothing written"
        );
        let good = format!(
            "{header}2025,14,DA3.TDA2,Cấp thẻ BHYT cho người nghèo,Sở Y tế,Bảo hiểm xã hội tỉnh; UBND các xã,2025-03-01,2025-12-31,Đang thực hiện\n\
             2025,{own},DA5,Sửa nhà cho hộ nghèo,UBND xã,Hội Phụ nữ xã,,,\n"
        );
        let r = up("check", "hoat-dong.csv", good.clone().into_bytes()).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Bảng hợp lệ: 2 hoạt động; chưa ghi."), "{engine}: {}", r.body);
        let r = up("import", "hoat-dong.csv", good.into_bytes()).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Đã ghi 2 hoạt động."), "{engine}: {}", r.body);
        assert!(r.body.contains("<td>Sở Y tế</td><td>C (1)</td>"), "{engine}: {}", r.body);
        assert!(r.body.contains("data-testid=\"activities-xlsx\""), "{engine}");
        // The province's table downloads and reads back clean.
        let (status, _, xlsx) = download(&w, &session, "/hoat-dong/bang?unit=14&year=2025").await;
        assert_eq!(status, OK, "{engine}");
        let r = up("check", "hoat-dong.xlsx", xlsx).await;
        assert_eq!(r.status, OK, "{engine}: {}", r.body);
        assert!(r.body.contains("Bảng hợp lệ: 1 hoạt động; chưa ghi."), "{engine}: {}", r.body);
        // Only whoever may change the unit posts a table.
        let (viewer, viewer_csrf) = w.sign_in("trunguong", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let r = upload_table(
            &w,
            (&viewer, &viewer_csrf),
            "/hoat-dong/bang",
            &[("action", "check"), ("unit", "14")],
            "a.csv",
            Vec::from(bad.as_bytes()),
        )
        .await;
        assert_eq!(r.status, FORBIDDEN, "{engine}");
        let (commune, commune_csrf) = w.sign_in("xa.own", PASSWORD).await.unwrap_or_else(|r| panic!("{}", r.status));
        let r = upload_table(
            &w,
            (&commune, &commune_csrf),
            "/hoat-dong/bang",
            &[("action", "check"), ("unit", "14")],
            "a.csv",
            Vec::from(bad.as_bytes()),
        )
        .await;
        assert_eq!(r.status, NOT_FOUND, "{engine}");
        // The API: the year's activities of a unit; one added; refused with every reason.
        let got = w.api("tinh.14", "GET", "/api/v1/activities/2025/14", None).await;
        assert_eq!(got.status, OK, "{engine}: {}", got.body);
        let got = got.json();
        assert_eq!(got.as_array().map(Vec::len), Some(1), "{engine}: {got}");
        assert_eq!(got[0]["lead_agency"], "Sở Y tế", "{engine}");
        assert_eq!(got[0]["partners"], serde_json::json!(["Bảo hiểm xã hội tỉnh", "UBND các xã"]), "{engine}");
        assert_eq!(got[0]["status"], "under_way", "{engine}");
        let mine = w.api("xa.own", "GET", &format!("/api/v1/activities/2025/{own}"), None).await.json();
        assert_eq!(mine[0]["title"], "Sửa nhà cho hộ nghèo", "{engine}: {mine}");
        let body = serde_json::json!({"project_code": "DA4", "title": "Dạy nghề cho lao động nông thôn", "lead_agency": "Sở Nội vụ",
            "partners": ["Trung tâm dịch vụ việc làm"], "starts_on": "2025-06-01", "ends_on": "2025-09-30"});
        let made = w.api("tinh.14", "POST", "/api/v1/activities/2025/14", Some(body.clone())).await;
        assert_eq!(made.status, OK, "{engine}: {}", made.body);
        let id = made.json()["id"].as_i64().expect("id");
        let got = w.api("tinh.14", "GET", "/api/v1/activities/2025/14", None).await.json();
        assert!(
            got.as_array().is_some_and(|a| a.iter().any(|x| x["id"] == id && x["status"] == "planned")),
            "{engine}: {got}"
        );
        let wrong = serde_json::json!({"project_code": "DA99", "title": " ", "lead_agency": "Sở Y tế",
            "starts_on": "2025-06-01", "ends_on": "2025-01-01"});
        let r = w.api("tinh.14", "POST", "/api/v1/activities/2025/14", Some(wrong)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}: {}", r.body);
        let why = r.json()["refused"].as_array().cloned().unwrap_or_default();
        assert_eq!(why.len(), 3, "{engine}: {}", r.body);
        assert!(why.iter().all(|x| x["message_vi"].is_string() && x["message_en"].is_string()), "{engine}");
        assert!(
            why.iter().any(|x| x["message_en"].as_str().is_some_and(|m| m.contains("before the start"))),
            "{engine}"
        );
        assert_eq!(
            w.api("trunguong", "POST", "/api/v1/activities/2025/14", Some(body.clone())).await.status,
            FORBIDDEN,
            "{engine}"
        );
        assert_eq!(
            w.api("xa.own", "POST", "/api/v1/activities/2025/14", Some(body.clone())).await.status,
            NOT_FOUND,
            "{engine}"
        );
        assert_eq!(
            w.api("xa.own", "GET", &format!("/api/v1/activities/2025/{}", w.sibling), None).await.status,
            NOT_FOUND,
            "{engine}"
        );
        let doc = w.api("trunguong", "GET", "/api/openapi.json", None).await.json();
        assert!(doc["paths"]["/api/v1/activities/{year}/{unit}"]["post"].is_object(), "{engine}");
    }
}
