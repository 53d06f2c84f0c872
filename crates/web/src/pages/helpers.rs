//! Helpers and commitments (*cán bộ giúp đỡ, đăng ký thoát nghèo, cam kết*): the household
//! page's section (the current helper, visits, registrations, commitments and the forms that
//! record them, `POST /ho/{id}/giup-do`), and the progress per helper and per agency of a unit in
//! a year (`/giup-do`), downloaded as a workbook (`/giup-do/tai`).

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::households::app_error;
use crate::i18n::Lang;
use crate::pages::{Chrome, XLSX_TYPE, render, written_attachment};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use vuonlen_app::helpers::{HelpEntry, HelperProgress, helper_progress, progress_table};

/// The household page's helpers form as typed: kept when a form is refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct HelpForm {
    /// `assign`, `visit`, `register`, `commit`.
    pub action: String,
    pub period: Option<i64>,
    pub cadre_name: String,
    pub cadre_position: String,
    pub agency: String,
    pub starts_on: String,
    pub ends_on: String,
    pub visited_on: String,
    pub note: String,
    pub needs: String,
    pub year: String,
    pub planned_measures: String,
    pub signed_on: String,
    pub content: String,
}

impl HelpForm {
    /// An empty form: today's day and this year filled in.
    pub fn fresh() -> HelpForm {
        let today = vuonlen_store::helpers::today().format("%Y-%m-%d").to_string();
        HelpForm {
            starts_on: today.clone(),
            visited_on: today.clone(),
            signed_on: today,
            year: crate::pages::this_year().to_string(),
            ..Default::default()
        }
    }

    /// The entry the form asks for, or every reason it cannot be read.
    pub fn entry(&self, l: Lang) -> Result<HelpEntry, Vec<String>> {
        let bad = std::cell::RefCell::new(Vec::new());
        let date = |s: &str, what_vi: &str, what_en: &str| -> Option<chrono::NaiveDate> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            if d.is_none() {
                let must = l.s("phải có dạng YYYY-MM-DD.", "must be YYYY-MM-DD.");
                bad.borrow_mut().push(format!("'{s}': {} {must}", l.s(what_vi, what_en)));
            }
            d
        };
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let entry = match self.action.as_str() {
            "assign" => HelpEntry::Assign {
                cadre_name: self.cadre_name.clone(),
                cadre_position: opt(&self.cadre_position),
                agency: self.agency.clone(),
                starts_on: date(&self.starts_on, "ngày bắt đầu", "the start"),
                ends_on: date(&self.ends_on, "ngày kết thúc", "the end"),
            },
            "visit" => HelpEntry::Visit {
                visited_on: date(&self.visited_on, "ngày thăm", "the visit's day"),
                note: self.note.clone(),
                needs: opt(&self.needs),
            },
            "register" | "commit" => {
                let year = self.year.trim().parse::<i64>().ok();
                if year.is_none() {
                    bad.borrow_mut().push(format!(
                        "'{}' {}",
                        self.year.trim(),
                        l.s("không phải năm.", "is not a year.")
                    ));
                }
                let year = year.unwrap_or_default();
                if self.action == "register" {
                    HelpEntry::Register { year, planned_measures: self.planned_measures.clone() }
                } else {
                    HelpEntry::Commit {
                        year,
                        signed_on: date(&self.signed_on, "ngày ký", "the signing day"),
                        content: self.content.clone(),
                    }
                }
            }
            other => {
                return Err(vec![format!(
                    "'{other}' {}",
                    l.s("không phải việc cần ghi.", "is not something to record.")
                )]);
            }
        };
        let bad = bad.into_inner();
        if bad.is_empty() { Ok(entry) } else { Err(bad) }
    }
}

/// The household page's section.
#[derive(Debug, Clone, Default)]
pub struct HelpSection {
    /// The current helper in one line.
    pub current: Option<String>,
    /// From, to, agency, cadre (position).
    pub assignments: Vec<[String; 4]>,
    /// Day, helper, what was discussed, what is needed.
    pub visits: Vec<[String; 4]>,
    pub registrations: Vec<(i64, String)>,
    /// Year, signed on, content.
    pub commitments: Vec<[String; 3]>,
    pub message: Option<String>,
    pub failed: bool,
    pub typed: HelpForm,
}

/// The section of household `id` as `reg` reads it.
pub async fn section(reg: &vuonlen_store::Registry, l: Lang, id: i64) -> Result<HelpSection, AppError> {
    let help = reg.help_of(id).await?;
    let cadre = |name: &str, position: &Option<String>| match position {
        Some(p) => format!("{name} ({p})"),
        None => name.to_string(),
    };
    Ok(HelpSection {
        current: help.assignments.iter().find(|a| a.active).map(|a| {
            let mut s = format!(
                "{} — {}, {} {}",
                cadre(&a.cadre_name, &a.cadre_position),
                a.agency,
                l.s("từ", "from"),
                a.starts_on
            );
            if let Some(e) = &a.ends_on {
                s.push_str(&format!(" {} {e}", l.s("đến", "to")));
            }
            s
        }),
        assignments: help
            .assignments
            .iter()
            .map(|a| {
                [
                    a.starts_on.clone(),
                    a.ends_on.clone().unwrap_or_default(),
                    a.agency.clone(),
                    cadre(&a.cadre_name, &a.cadre_position),
                ]
            })
            .collect(),
        visits: help
            .visits
            .iter()
            .map(|v| {
                [
                    v.visited_on.clone(),
                    format!("{} — {}", v.cadre_name, v.agency),
                    v.note.clone(),
                    v.needs.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        registrations: help.registrations.iter().map(|r| (r.year, r.planned_measures.clone())).collect(),
        commitments: help
            .commitments
            .iter()
            .map(|k| [k.year.to_string(), k.signed_on.format("%Y-%m-%d").to_string(), k.content.clone()])
            .collect(),
        message: None,
        failed: false,
        typed: HelpForm::fresh(),
    })
}

#[derive(Template, Default)]
#[template(path = "helpers.html")]
struct ProgressPage {
    c: Chrome,
    unit_code: String,
    unit_name: String,
    year: i64,
    header: Vec<String>,
    /// Cells, whether a total row, whether highlighted (a helper with no visit).
    rows: Vec<(Vec<String>, bool, bool)>,
}

#[derive(Deserialize)]
pub struct ProgressQuery {
    pub unit: Option<String>,
    pub year: Option<i64>,
}

/// The progress of the unit asked for (the viewer's own by default) — 404 outside its area.
async fn progress(state: &AppState, v: &Viewer, q: &ProgressQuery) -> Result<HelperProgress, AppError> {
    let reg = v.registry(state);
    let unit = crate::pages::readable_admin_unit(v, &reg, q.unit.as_deref()).await?;
    let year = q.year.unwrap_or_else(crate::pages::this_year);
    helper_progress(&reg, &unit.code, year).await.map_err(app_error)?.ok_or(AppError::NotFound)
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ProgressQuery>,
) -> Result<Response, PageError> {
    let p = progress(&state, &v, &q).await?;
    let (header, rows) = progress_table(&p);
    let rows = rows
        .into_iter()
        .map(|r| {
            let cells: Vec<String> = r
                .cells
                .iter()
                .map(|c| match c {
                    vuonlen_io::PlainCell::Text(t) => t.clone(),
                    vuonlen_io::PlainCell::Int(Some(n)) => n.to_string(),
                    _ => String::new(),
                })
                .collect();
            let total = cells.get(1).is_some_and(|c| c == "Cộng") || cells.first().is_some_and(|c| c == "Tổng cộng");
            (cells, total, r.highlight)
        })
        .collect();
    let page = ProgressPage {
        c: Chrome::of(&v, &uri),
        unit_code: p.unit_code,
        unit_name: p.unit_name,
        year: p.year,
        header,
        rows,
    };
    Ok(render(&page)?.into_response())
}

/// The progress as a workbook.
pub async fn download(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ProgressQuery>,
) -> Result<Response, PageError> {
    let p = progress(&state, &v, &q).await?;
    let (head, rows) = progress_table(&p);
    let name = format!("giup-do-{}-{}.xlsx", p.unit_code, p.year);
    Ok(written_attachment(&name, XLSX_TYPE, |path| vuonlen_io::write_plain_table(path, "giup-do", &head, &rows))?)
}
