//! One household: its page (*thông tin hộ*), its edit form (*sửa phiếu*) and the form for a new
//! household (*thêm hộ*). Saving goes through the registry's import with the answers' version,
//! so two people editing the same household cannot overwrite each other.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::fields::{self, FieldView};
use crate::form::{Checked, FieldProblem, HouseholdFields};
use crate::households::{Saved, class_label, save, verdict};
use crate::i18n::Lang;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vuonlen_core::Standard;
use vuonlen_core::units::AdminUnits;
use vuonlen_io::header::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use vuonlen_store::period::Period;

#[derive(Deserialize)]
pub struct PeriodQuery {
    period: Option<i64>,
    saved: Option<String>,
    commune: Option<String>,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    c: Chrome,
    id: i64,
    period: i64,
    code: String,
    head: String,
    commune: String,
    village: String,
    address: String,
    flash: Option<String>,
    class_key: &'static str,
    class_label: String,
    explanation: String,
    deprived: Vec<String>,
    members: Vec<Vec<String>>,
    answers: Vec<(String, String)>,
    /// Score A as computed by the registry from the Phiếu B answers: (summary, each variable's
    /// category and points), when scored.
    score: Option<(String, Vec<String>)>,
    /// Phiếu C as recorded: one line.
    income_survey: Option<String>,
    history: Vec<(i64, String, u32, u32)>,
    status: String,
    lineage: Vec<String>,
    audit: Vec<Vec<String>>,
    may_edit: bool,
    /// The provisions of the period's standard not verified against the official text.
    unverified: Vec<(String, String)>,
    /// Support received: day, kind, group, member, amount, project, source.
    support: Vec<[String; 7]>,
    support_kinds: Vec<(&'static str, String)>,
    member_options: Vec<(i64, String)>,
    sources: Vec<(&'static str, &'static str)>,
    today: String,
    support_message: Option<String>,
    support_failed: bool,
    /// Helpers and commitments: the current helper, visits, registrations, commitments.
    help: crate::pages::helpers::HelpSection,
}

async fn period_of(state: &AppState, year: i64) -> Result<(Period, Arc<Standard>), AppError> {
    let p = vuonlen_store::period::get(&state.db, year).await?.ok_or(AppError::NotFound)?;
    let std = state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?;
    Ok((p, std))
}

fn commune_name(code: &str) -> String {
    let u = AdminUnits::get();
    u.y2025
        .communes
        .get(code)
        .or_else(|| u.y2024.communes.get(code))
        .map(|c| c.name.to_string())
        .unwrap_or_else(|| code.to_string())
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    Ok(render(&page(&state, &v, &uri, id, &q).await?)?.into_response())
}

async fn page(state: &AppState, v: &Viewer, uri: &Uri, id: i64, q: &PeriodQuery) -> Result<HouseholdPage, AppError> {
    let state = state.clone();
    let l = v.lang;
    let reg = v.registry(&state);
    let view = reg.household_by_id(id).await?;
    let year =
        q.period.filter(|y| view.periods.iter().any(|p| p.year == *y)).or_else(|| view.periods.last().map(|p| p.year));
    let year = year.ok_or(AppError::NotFound)?;
    let (period, std) = period_of(&state, year).await?;
    let d = reg.survey_detail(id, year).await?;
    let h = d.survey.to_household(&d.members)?;
    let (class_key, class_label_s, explanation, deprived) = verdict(l, &std, &h, period.reference_date);
    let yes_no = |v: i64| l.s(if v != 0 { "Có" } else { "Không" }, if v != 0 { "Yes" } else { "No" }).to_string();
    let members = d
        .members
        .iter()
        .map(|m| {
            vec![
                m.member_no.to_string(),
                m.full_name.clone(),
                vuonlen_core::codes::Relation::parse(&m.relation)
                    .map_or(m.relation.clone(), |r| r.label_vi().to_string()),
                vuonlen_core::codes::Sex::parse(&m.sex).map_or(m.sex.clone(), |s| s.label_vi().to_string()),
                m.birth_text(),
                m.ethnicity.clone(),
                m.id_number.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let fv = HouseholdFields::from_detail(&d);
    let answers = HOUSEHOLD_COLUMNS
        .iter()
        .filter(|c| !matches!(c.key, "household_id" | "commune_code" | "head_name" | "address" | "village"))
        .map(|c| {
            let raw = fv.household.get(c.key).cloned().unwrap_or_default();
            let shown = match fields::household_input(c.key) {
                fields::Input::Choice(ch) => {
                    ch.iter().find(|(k, _)| *k == raw).map_or(raw.clone(), |(_, vi)| vi.to_string())
                }
                fields::Input::YesNo { .. } if !raw.is_empty() => yes_no(raw.parse().unwrap_or(0)),
                _ => raw,
            };
            (fields::label(l, c.key, false), shown)
        })
        .collect();
    let score = reg.score_of(year, id).await?.map(|sc| {
        let mut summary = format!(
            "{} — {} {}, {} {}",
            sc.score_a,
            l.s("bảng", "table"),
            sc.table_id,
            l.s("vùng", "region"),
            sc.region
        );
        if sc.test_table {
            summary.push_str(l.s(" [BẢNG THỬ NGHIỆM — không phải số liệu chính thức]", " [TEST TABLE — not official]"));
        }
        // Each part is `variable=category:points`.
        let parts = sc
            .parts
            .split(';')
            .filter_map(|p| {
                let (var, rest) = p.split_once('=')?;
                let (cat, pts) = rest.rsplit_once(':')?;
                Some(format!("{var} = {cat} ({pts} {})", l.s("điểm", "points")))
            })
            .collect();
        (summary, parts)
    });
    let income_survey = reg.income_survey_of(year, id).await?.map(|c| {
        use vuonlen_core::text::format_vnd;
        format!(
            "{}: {} đ, {}: {} đ, {} {} → {} đ/{}; NLNDN: {} ({} {})",
            l.s("Thu nhập 12 tháng", "Income over 12 months"),
            format_vnd(c.income_12m),
            l.s("trừ trợ cấp xã hội", "less social allowances"),
            format_vnd(c.allowances_12m),
            c.persons,
            l.s("nhân khẩu", "persons"),
            format_vnd(c.income_per_capita),
            l.s("người/tháng", "person/month"),
            l.s(if c.nlndn { "có" } else { "không" }, if c.nlndn { "yes" } else { "no" }),
            l.s("khảo sát ngày", "surveyed on"),
            c.surveyed_on.format("%d/%m/%Y")
        )
    });
    let history = view.periods.iter().map(|p| (p.year, class_label(l, p.class), p.persons, p.deprivations)).collect();
    let mut status = Vec::new();
    if let Some(y) = view.status.poor_since {
        status.push(format!("{} {y}", l.s("Hộ nghèo từ kỳ", "Poor since")));
    }
    if let Some(y) = view.status.near_poor_since {
        status.push(format!("{} {y}", l.s("Hộ cận nghèo từ kỳ", "Near-poor since")));
    }
    if view.status.newly_escaped {
        status.push(l.s("Hộ mới thoát nghèo (trong 36 tháng)", "Newly escaped (within 36 months)").to_string());
    }
    let lineage = view
        .lineage
        .iter()
        .map(|x| {
            let other = x
                .other
                .as_ref()
                .map(|o| o.to_string())
                .unwrap_or_else(|| l.s("(ngoài địa bàn)", "(outside your area)").into());
            format!("{} {other} — {} {}", l.s(x.role.label_vi(), x.role.label_en()), l.s("kỳ", "period"), x.period)
        })
        .collect();
    let audit = reg
        .household_audit(id)
        .await?
        .into_iter()
        .rev()
        .take(200)
        .map(|a| {
            let field = match a.member_no {
                Some(n) => format!("{} (STT {n}) {}", a.entity, a.field),
                None => format!("{} {}", a.entity, a.field),
            };
            vec![
                a.at.replace('T', " ").trim_end_matches('Z').to_string(),
                a.actor,
                a.period.map(|p| p.to_string()).unwrap_or_default(),
                field,
                a.old_value.unwrap_or_default(),
                a.new_value.unwrap_or_default(),
            ]
        })
        .collect();
    let page = HouseholdPage {
        c: Chrome::of(v, uri),
        id,
        period: year,
        code: d.survey.household_code.clone(),
        head: d.survey.head_name.clone(),
        commune: commune_name(&d.survey.commune_code),
        village: d.survey.village.clone(),
        address: d.survey.address.clone(),
        flash: q.saved.as_ref().map(|_| l.s("Đã lưu.", "Saved.").to_string()),
        class_key,
        class_label: class_label_s,
        explanation,
        deprived,
        members,
        answers,
        score,
        income_survey,
        history,
        status: status.join(" · "),
        lineage,
        audit,
        may_edit: v.access.may_edit() && reg.may_change(&d.current_province, &d.current_commune),
        unverified: std.unverified_provisions().into_iter().map(|(what, citation, _)| (what, citation)).collect(),
        support: reg
            .support_of(id)
            .await?
            .into_iter()
            .map(|r| {
                let kind = vuonlen_core::support::support_kind(&r.kind);
                let group = vuonlen_core::support::SupportGroup::ALL.into_iter().find(|g| g.key() == r.group);
                [
                    r.delivered_on.clone(),
                    kind.map_or(r.kind.clone(), |k| l.s(k.label_vi, k.label_en).to_string()),
                    group.map_or(r.group.clone(), |g| l.s(g.label_vi(), g.key()).to_string()),
                    r.member_no.map(|m| m.to_string()).unwrap_or_default(),
                    r.amount.map(|a| l.int(a)).unwrap_or_default(),
                    r.project_code.clone().unwrap_or_default(),
                    r.source
                        .as_deref()
                        .and_then(|s| vuonlen_core::budget::FundSource::ALL.into_iter().find(|f| f.key() == s))
                        .map(|f| l.s(f.label_vi(), f.label_en()).to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
        support_kinds: vuonlen_core::support::SUPPORT_KINDS
            .iter()
            .map(|k| (k.key, format!("{} ({})", l.s(k.label_vi, k.label_en), l.s(k.group.label_vi(), k.group.key()))))
            .collect(),
        member_options: d.members.iter().map(|m| (m.member_no, m.full_name.clone())).collect(),
        sources: vuonlen_core::budget::FundSource::ALL
            .iter()
            .map(|f| (f.key(), l.s(f.label_vi(), f.label_en())))
            .collect(),
        today: chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string(),
        support_message: None,
        support_failed: false,
        help: crate::pages::helpers::section(&reg, l, id).await?,
    };
    Ok(page)
}

/// A support entry from the household page's form.
#[derive(Deserialize)]
pub struct SupportForm {
    kind: String,
    member_no: Option<String>,
    delivered_on: String,
    amount: Option<String>,
    project_code: Option<String>,
    source: Option<String>,
    /// The plan activity that delivered it (its number on `/hoat-dong`).
    activity_id: Option<String>,
    note: Option<String>,
    period: Option<i64>,
}

/// Records support the household received (`POST /ho/{id}/ho-tro`): the page again with the
/// entry listed, or with every reason it was refused.
pub async fn support_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<SupportForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(l.s("ghi hỗ trợ", "recording support").into()).into());
    }
    let reg = v.registry(&state);
    let q = PeriodQuery { period: f.period, saved: None, commune: None };
    // Readable (404 otherwise, as for any household), and changeable by the user.
    if !page(&state, &v, &uri, id, &q).await?.may_edit {
        return Err(AppError::Forbidden(l.s("ghi hỗ trợ", "recording support").into()).into());
    }
    let mut bad = Vec::new();
    let delivered_on = chrono::NaiveDate::parse_from_str(f.delivered_on.trim(), "%Y-%m-%d").ok();
    if delivered_on.is_none() {
        bad.push(l.s("Ngày hỗ trợ phải có dạng YYYY-MM-DD.", "The day must be YYYY-MM-DD.").to_string());
    }
    let member_no = match f.member_no.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => match m.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                bad.push(format!("'{m}' {}", l.s("không phải số thứ tự thành viên.", "is not a member number.")));
                None
            }
        },
        None => None,
    };
    let amount = match f.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => match vuonlen_io::review_tables::parse_money(a) {
            Some(n) => Some(n),
            None => {
                bad.push(format!("'{a}' {}", l.s("không phải số tiền (đồng).", "is not an amount of đồng.")));
                None
            }
        },
        None => None,
    };
    let activity_id = match f.activity_id.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => match a.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                bad.push(format!("'{a}' {}", l.s("không phải số hoạt động.", "is not an activity number.")));
                None
            }
        },
        None => None,
    };
    let refuse = |mut p: HouseholdPage, m: String| -> Result<Response, PageError> {
        p.support_message = Some(m);
        p.support_failed = true;
        Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
    };
    if !bad.is_empty() {
        return refuse(page(&state, &v, &uri, id, &q).await?, bad.join(" "));
    }
    let entry = vuonlen_app::support::SupportEntry {
        kind: f.kind,
        member_no,
        delivered_on,
        amount,
        project_code: f.project_code,
        source: f.source,
        list_id: None,
        activity_id,
        note: f.note,
    };
    let done = vuonlen_app::support::record_support_entry(&reg, &state.standards, id, &entry, &v.user.username, "web")
        .await
        .map_err(crate::households::app_error)?;
    let mut p = page(&state, &v, &uri, id, &q).await?;
    match done {
        Ok(_) => {
            p.support_message = Some(l.s("Đã ghi hỗ trợ.", "Support recorded.").to_string());
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            refuse(p, why.0.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>().join(" "))
        }
    }
}

/// Records a helper's assignment, a visit, the household's registration or its commitment
/// (`POST /ho/{id}/giup-do`): the page again with it listed, or — 422 — with every reason it was
/// refused and the form as typed.
pub async fn help_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<crate::pages::helpers::HelpForm>,
) -> Result<Response, PageError> {
    let l = v.lang;
    let what = l.s("ghi cán bộ giúp đỡ, cam kết", "recording helpers and commitments");
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(what.into()).into());
    }
    let reg = v.registry(&state);
    let q = PeriodQuery { period: f.period, saved: None, commune: None };
    // Readable (404 otherwise, as for any household), and changeable by the user.
    if !page(&state, &v, &uri, id, &q).await?.may_edit {
        return Err(AppError::Forbidden(what.into()).into());
    }
    let done = match f.entry(l) {
        Ok(entry) => vuonlen_app::helpers::record_help(&reg, id, &entry, &v.user.username, "web")
            .await
            .map_err(crate::households::app_error)?
            .map_err(|why| why.into_iter().map(|(vi, en)| l.s(&vi, &en).to_string()).collect::<Vec<_>>()),
        Err(bad) => Err(bad),
    };
    let mut p = page(&state, &v, &uri, id, &q).await?;
    match done {
        Ok(()) => {
            p.help.message = Some(l.s("Đã ghi.", "Recorded.").to_string());
            Ok(render(&p)?.into_response())
        }
        Err(why) => {
            p.help.message = Some(why.join(" "));
            p.help.failed = true;
            p.help.typed = f;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    c: Chrome,
    title: String,
    action: String,
    back: String,
    period: i64,
    version: String,
    household: Vec<FieldView>,
    members: Vec<Vec<FieldView>>,
    problems: Vec<String>,
    preview_key: &'static str,
    preview_label: String,
    preview_text: String,
    cause_hint: String,
}

fn problem_text(l: Lang, p: &FieldProblem) -> String {
    let msg = l.s(&p.message_vi, &p.message_en);
    let member = p.member;
    let field = fields::label(l, &p.field, member.is_some());
    match member {
        Some(i) => format!("{} {} — {field}: {msg}", l.s("Thành viên", "Member"), i + 1),
        None => format!("{field}: {msg}"),
    }
}

/// The form's fields with their values and problems; `fixed` fields cannot be changed.
fn field_views(
    l: Lang,
    f: &HouseholdFields,
    problems: &[FieldProblem],
    fixed: bool,
) -> (Vec<FieldView>, Vec<Vec<FieldView>>) {
    let err = |member: Option<usize>, key: &str| {
        problems
            .iter()
            .find(|p| p.member == member && p.field == key && !p.warning)
            .map(|p| l.s(&p.message_vi, &p.message_en).to_string())
    };
    let household = HOUSEHOLD_COLUMNS
        .iter()
        .map(|c| FieldView {
            name: format!("h.{}", c.key),
            key: c.key,
            label: fields::label(l, c.key, false),
            input: fields::household_input(c.key),
            value: f.household.get(c.key).cloned().unwrap_or_default(),
            error: err(None, c.key),
            readonly: fixed && matches!(c.key, "household_id" | "commune_code"),
        })
        .collect();
    // One empty row more, to add a member.
    let rows = f.members.len() + 1;
    let members = (0..rows)
        .map(|i| {
            let m = f.members.get(i);
            MEMBER_COLUMNS
                .iter()
                .filter(|c| c.key != "household_id")
                .map(|c| FieldView {
                    name: format!("m.{i}.{}", c.key),
                    key: c.key,
                    label: fields::label(l, c.key, true),
                    input: fields::member_input(c.key),
                    value: m
                        .and_then(|m| m.get(c.key).cloned())
                        .unwrap_or_else(|| if c.key == "member_no" { (i + 1).to_string() } else { String::new() }),
                    error: err(Some(i), c.key),
                    readonly: c.key == "member_no",
                })
                .collect()
        })
        .collect();
    (household, members)
}

struct EditCtx {
    title: String,
    action: String,
    back: String,
    period: Period,
    std: Arc<Standard>,
    version: String,
    fixed: bool,
}

fn edit_page(c: Chrome, e: &EditCtx, f: &HouseholdFields, checked: Option<&Checked>, extra: Vec<String>) -> EditPage {
    let l = c.lang;
    let problems: Vec<FieldProblem> = checked.map(|k| k.problems.clone()).unwrap_or_default();
    let (household, members) = field_views(l, f, &problems, e.fixed);
    let (preview_key, preview_label, preview_text) = match checked.and_then(|k| k.record.as_ref()) {
        Some(r) => {
            let (k, label, text, _) = verdict(l, &e.std, &r.household, e.period.reference_date);
            (k, label, text)
        }
        None => ("none", String::new(), String::new()),
    };
    let mut texts: Vec<String> = problems.iter().filter(|p| !p.warning).map(|p| problem_text(l, p)).collect();
    texts.extend(extra);
    EditPage {
        c,
        title: e.title.clone(),
        action: e.action.clone(),
        back: e.back.clone(),
        period: e.period.year,
        version: e.version.clone(),
        household,
        members,
        problems: texts,
        preview_key,
        preview_label,
        preview_text,
        cause_hint: fields::cause_hint(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let view = reg.household_by_id(id).await?;
    let year = q.period.or_else(|| view.periods.last().map(|p| p.year)).ok_or(AppError::NotFound)?;
    let d = reg.survey_detail(id, year).await?;
    if !reg.may_change(&d.current_province, &d.current_commune) {
        return Err(AppError::Forbidden(v.lang.s("sửa hộ này", "editing this household").into()).into());
    }
    let (period, std) = period_of(&state, year).await?;
    let f = HouseholdFields::from_detail(&d);
    let checked = f
        .check(
            period.reference_date,
            std.reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment),
        )
        .await?;
    let e = EditCtx {
        title: format!(
            "{} {} — {} {}",
            v.lang.s("Sửa phiếu hộ", "Edit household"),
            d.survey.household_code,
            v.lang.s("kỳ", "period"),
            year
        ),
        action: format!("/ho/{id}/sua?period={year}"),
        back: format!("/ho/{id}?period={year}"),
        period,
        std,
        version: d.content_hash.to_string(),
        fixed: true,
    };
    Ok(render(&edit_page(Chrome::of(&v, &uri), &e, &f, Some(&checked), Vec::new()))?.into_response())
}

#[allow(clippy::too_many_arguments)] // one call per form kind; the arguments are what differs
async fn handle_post(
    state: &AppState,
    v: &Viewer,
    uri: &Uri,
    e: EditCtx,
    pairs: Vec<(String, String)>,
    fixed_ids: Option<(String, String)>,
    expected: Option<i64>,
    command: &str,
) -> Result<Response, PageError> {
    let mut f = HouseholdFields::from_form(&pairs);
    if let Some((commune, code)) = fixed_ids {
        // An edit keeps its household: the identifying fields come from the registry.
        f.household.insert("commune_code".into(), commune);
        f.household.insert("household_id".into(), code);
    }
    let action = pairs.iter().find(|(k, _)| k == "action").map(|(_, v)| v.as_str()).unwrap_or("save");
    let checked = f
        .check(
            e.period.reference_date,
            e.std.reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment),
        )
        .await?;
    if action != "save" || checked.record.is_none() {
        let status = if checked.record.is_none() && action == "save" {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        } else {
            axum::http::StatusCode::OK
        };
        return Ok(
            (status, render(&edit_page(Chrome::of(v, uri), &e, &f, Some(&checked), Vec::new()))?).into_response()
        );
    }
    let record = checked.record.clone().ok_or(AppError::NotFound)?;
    match save(state, v, &e.period, e.std.clone(), record, expected, command).await? {
        Saved::Done(id) | Saved::Unchanged(id) => {
            Ok(Redirect::to(&format!("/ho/{id}?period={}&saved=1", e.period.year)).into_response())
        }
        Saved::Refused(msgs) => Ok((
            axum::http::StatusCode::CONFLICT,
            render(&edit_page(Chrome::of(v, uri), &e, &f, Some(&checked), msgs))?,
        )
            .into_response()),
    }
}

pub async fn edit_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let reg = v.registry(&state);
    let year = q.period.ok_or_else(|| AppError::Invalid("thiếu kỳ / period missing".into()))?;
    let d = reg.survey_detail(id, year).await?;
    if !reg.may_change(&d.current_province, &d.current_commune) {
        return Err(AppError::Forbidden(v.lang.s("sửa hộ này", "editing this household").into()).into());
    }
    let (period, std) = period_of(&state, year).await?;
    let version =
        pairs.iter().find(|(k, _)| k == "version").and_then(|(_, v)| v.parse::<i64>().ok()).unwrap_or(d.content_hash);
    let e = EditCtx {
        title: format!(
            "{} {} — {} {}",
            v.lang.s("Sửa phiếu hộ", "Edit household"),
            d.survey.household_code,
            v.lang.s("kỳ", "period"),
            year
        ),
        action: format!("/ho/{id}/sua?period={year}"),
        back: format!("/ho/{id}?period={year}"),
        period,
        std,
        version: version.to_string(),
        fixed: true,
    };
    let ids = (d.survey.commune_code.clone(), d.survey.household_code.clone());
    handle_post(&state, &v, &uri, e, pairs, Some(ids), Some(version), "web: sửa phiếu").await
}

async fn new_ctx(state: &AppState, v: &Viewer, q: &PeriodQuery) -> Result<EditCtx, AppError> {
    let (latest, _) = crate::dashboard::periods(state, q.period).await?;
    let (period, std) = period_of(state, latest.year).await?;
    if !v.access.may_edit() {
        return Err(AppError::Forbidden(v.lang.s("thêm hộ", "adding households").into()));
    }
    Ok(EditCtx {
        title: format!("{} — {} {}", v.lang.s("Thêm hộ", "Add a household"), v.lang.s("kỳ", "period"), period.year),
        action: format!("/ho/moi?period={}", period.year),
        back: "/ho".into(),
        period,
        std,
        version: String::new(),
        fixed: false,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, PageError> {
    let e = new_ctx(&state, &v, &q).await?;
    let mut f = HouseholdFields::default();
    if let Some(c) = q.commune.filter(|c| c.len() == 5) {
        f.household.insert("commune_code".into(), c);
    }
    Ok(render(&edit_page(Chrome::of(&v, &uri), &e, &f, None, Vec::new()))?.into_response())
}

pub async fn new_submit(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<PeriodQuery>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let e = new_ctx(&state, &v, &q).await?;
    handle_post(&state, &v, &uri, e, pairs, None, None, "web: thêm hộ").await
}
