//! The import page (*nhập dữ liệu*): upload a workbook or two CSV files for a period, see every
//! problem by file, row and column (and download them as an error file), then confirm. The
//! check runs the whole import — reader and registry checks — and rolls it back; the
//! confirmation imports the same files for real. Only households of the user's area pass.

use crate::auth::Viewer;
use crate::error::{AppError, PageError};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vuonlen_app::import::{Finish, Imported, import_period};
use vuonlen_core::Standard;
use vuonlen_io::{OutputFormat, ReadOptions, ReadReport, Source};
use vuonlen_store::import::{ImportSpec, ImportSummary};
use vuonlen_store::period;

/// Uploads waiting for their confirmation: kept for an hour, for the user who sent them.
#[derive(Default)]
pub struct Staging {
    uploads: Mutex<HashMap<String, Arc<Staged>>>,
}

pub struct Staged {
    dir: tempfile::TempDir,
    source: Source,
    user_id: i64,
    period: i64,
    files: String,
    hash: String,
    at: Instant,
    /// The error file, when the check found problems.
    errors: Option<std::path::PathBuf>,
}

const KEEP: Duration = Duration::from_secs(3600);

impl Staging {
    fn put(&self, s: Staged) -> String {
        let token = crate::password::token();
        let mut m = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|_, v| v.at.elapsed() < KEEP);
        m.insert(token.clone(), Arc::new(s));
        token
    }

    fn get(&self, token: &str, user_id: i64) -> Option<Arc<Staged>> {
        let m = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        m.get(token).filter(|s| s.user_id == user_id && s.at.elapsed() < KEEP).cloned()
    }

    fn remove(&self, token: &str) {
        self.uploads.lock().unwrap_or_else(|e| e.into_inner()).remove(token);
    }
}

#[derive(Template, Default)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    period: i64,
    message: Option<String>,
    failed: bool,
    problems: Vec<Vec<String>>,
    problem_count: usize,
    token: Option<String>,
    summary: Option<Vec<String>>,
    confirm_token: Option<String>,
}

fn page(c: Chrome, period: i64) -> ImportPage {
    ImportPage { c, period, ..Default::default() }
}

fn may_import(v: &Viewer) -> Result<(), AppError> {
    if v.access.may_edit() {
        Ok(())
    } else {
        Err(AppError::Forbidden(v.lang.s("nhập dữ liệu", "importing").into()))
    }
}

async fn latest_year(state: &AppState) -> Result<i64, AppError> {
    Ok(period::list(&state.db).await?.iter().map(|p| p.year).max().unwrap_or(2025))
}

pub async fn show(State(state): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    may_import(&v)?;
    Ok(render(&page(Chrome::of(&v, &uri), latest_year(&state).await?))?.into_response())
}

/// Keeps only a file name's last part, with characters safe for a path.
pub(crate) fn safe_name(name: &str, fallback: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let clean: String = base.chars().map(|c| if c.is_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    if clean.trim_matches(['.', ' ']).is_empty() { fallback.to_string() } else { clean }
}

/// The period's reference date and standard: the period's own, or for a new period the end of
/// the year and the standard of the lists the review establishes (the next year's).
async fn period_terms(state: &AppState, year: i64) -> Result<(chrono::NaiveDate, Arc<Standard>), AppError> {
    match period::get(&state.db, year).await? {
        Some(p) => {
            Ok((p.reference_date, state.standards.get(&p.standard_id).map_err(|e| AppError::Invalid(e.to_string()))?))
        }
        None => {
            let as_of = period::default_reference_date(year)
                .filter(|_| (2000..=2100).contains(&year))
                .ok_or_else(|| AppError::Invalid(format!("kỳ / period {year}")))?;
            Ok((as_of, state.standards.for_review(year).map_err(|e| AppError::Invalid(e.to_string()))?))
        }
    }
}

/// How the files of a period are read.
fn read_options(as_of: chrono::NaiveDate, std: &Standard) -> ReadOptions {
    ReadOptions {
        as_of,
        keep_personal: true,
        skip_invalid: false,
        require_waste_treatment: std.reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment),
    }
}

/// Runs the import of the staged files ([`vuonlen_app::import::import_period`], streamed):
/// `finish` decides whether it is kept or only checked.
async fn run(
    state: &AppState,
    v: &Viewer,
    s: &Staged,
    as_of: chrono::NaiveDate,
    std: Arc<Standard>,
    finish: Finish,
) -> Result<Imported, AppError> {
    let spec = ImportSpec {
        period: s.period,
        reference_date: as_of,
        standard: std.clone(),
        actor: v.user.username.clone(),
        command: "web: nhập dữ liệu".into(),
        files: s.files.clone(),
        file_hash: s.hash.clone(),
        scope: vuonlen_store::Scope::none(),
        expected_households: None,
    };
    let opts = read_options(as_of, &std);
    import_period(&v.registry(state), s.source.clone(), opts, spec, finish, |_| {})
        .await
        .map_err(crate::households::app_error)
}

/// Streams an uploaded file to `path`, hashing it; refuses it (and removes what was written)
/// when it brings the upload's files, `used` bytes so far, above `limit` bytes (the state's, at
/// most [`crate::UPLOAD_LIMIT`]).
pub(crate) async fn save_upload(
    limit: u64,
    used: u64,
    field: &mut axum::extract::multipart::Field<'_>,
    path: &std::path::Path,
    hasher: &mut Sha256,
) -> Result<u64, AppError> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(path).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let mut size: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|e| AppError::Invalid(e.to_string()))? {
        size += chunk.len() as u64;
        if used + size > limit {
            drop(file);
            let _ = tokio::fs::remove_file(path).await;
            return Err(AppError::TooLarge(limit));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(|e| AppError::Internal(e.to_string()))?;
    }
    file.flush().await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(size)
}

pub(crate) fn problem_rows(v: &Viewer, r: &ReadReport) -> Vec<Vec<String>> {
    let l = v.lang;
    r.errors
        .iter()
        .map(|p| (l.s("Lỗi", "Error"), p))
        .chain(r.warnings.iter().map(|p| (l.s("Cảnh báo", "Warning"), p)))
        .take(1000)
        .map(|(sev, p)| {
            vec![
                sev.to_string(),
                match &p.sheet {
                    Some(sh) => format!("{} [{sh}]", p.file),
                    None => p.file.clone(),
                },
                if p.row > 0 { p.row.to_string() } else { String::new() },
                p.column.clone(),
                p.value.clone(),
                p.household_code.clone().unwrap_or_default(),
                l.s(&p.message_vi, &p.message_en).to_string(),
            ]
        })
        .collect()
}

fn summary_lines(v: &Viewer, s: &ImportSummary, done: bool) -> Vec<String> {
    let l = v.lang;
    let verb = if done { l.s("đã", "") } else { l.s("sẽ", "would be") };
    let mut out = vec![
        format!("{} {} {}", l.int(s.households), l.s("hộ,", "households,"), l.int(s.members))
            + l.s(" nhân khẩu", " members"),
        format!("{} {verb} {}", l.int(s.inserted), l.s("hộ được thêm", "added")),
        format!("{} {verb} {}", l.int(s.updated), l.s("hộ được cập nhật", "updated")),
        format!("{} {}", l.int(s.unchanged), l.s("hộ không thay đổi", "unchanged")),
    ];
    if s.unclassified > 0 {
        out.push(format!(
            "{} {}",
            l.int(s.unclassified),
            l.s("hộ chưa phân loại được", "households the standard cannot classify")
        ));
    }
    out
}

pub async fn upload(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    may_import(&v)?;
    let l = v.lang;
    let dir = tempfile::tempdir().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut year: Option<i64> = None;
    let mut saved: HashMap<String, std::path::PathBuf> = HashMap::new();
    let mut names = Vec::new();
    let mut hasher = Sha256::new();
    // The files of one upload together stay within the limit.
    let mut used: u64 = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|e| AppError::Invalid(e.to_string()))? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        match name.as_str() {
            "period" => {
                let text = field.text().await.map_err(|e| AppError::Invalid(e.to_string()))?;
                year = text.trim().parse().ok();
            }
            "workbook" | "households" | "members" => {
                let fallback = format!("{name}.{}", if name == "workbook" { "xlsx" } else { "csv" });
                let mut fname = safe_name(file_name.as_deref().unwrap_or(""), &fallback);
                if saved.values().any(|p| p.file_name().is_some_and(|f| f.to_string_lossy() == fname)) {
                    fname = format!("{name}-{fname}");
                }
                let path = dir.path().join(&fname);
                // Streamed to disk: an upload is never held whole in memory.
                let size = save_upload(state.upload_limit, used, &mut field, &path, &mut hasher).await?;
                used += size;
                if size > 0 {
                    names.push(fname);
                    saved.insert(name, path);
                }
            }
            _ => {}
        }
    }
    let year =
        year.ok_or_else(|| AppError::Invalid(l.s("Thiếu năm của kỳ rà soát", "The period's year is missing").into()))?;
    let source = match (saved.remove("workbook"), saved.remove("households"), saved.remove("members")) {
        (Some(w), _, _) => Source::Xlsx { workbook: w },
        (None, Some(h), Some(m)) => Source::Csv { households: h, members: m },
        _ => {
            let mut p = page(Chrome::of(&v, &uri), year);
            p.message = Some(
                l.s(
                    "Hãy chọn một tệp Excel, hoặc cả hai tệp CSV (hộ và thành viên).",
                    "Choose a workbook, or both CSV files (households and members).",
                )
                .into(),
            );
            p.failed = true;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
        }
    };
    let (as_of, std) = period_terms(&state, year).await?;
    let mut staged = Staged {
        dir,
        source: source.clone(),
        user_id: v.user.id,
        period: year,
        files: names.join(" + "),
        hash: format!("{:x}", hasher.finalize()),
        at: Instant::now(),
        errors: None,
    };
    let Imported { report, summary } = run(&state, &v, &staged, as_of, std.clone(), Finish::CheckOnly).await?;
    let mut p = page(Chrome::of(&v, &uri), year);
    p.problems = problem_rows(&v, &report);
    p.problem_count = report.errors.len() + report.warnings.len();
    if !report.errors.is_empty() || !report.warnings.is_empty() {
        let path = staged.dir.path().join("loi.csv");
        let (report, out) = (report.clone(), path.clone());
        tokio::task::spawn_blocking(move || vuonlen_io::write_problems(&report, &out, OutputFormat::Csv))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        staged.errors = Some(path);
    }
    let failed = !report.errors.is_empty();
    let token = state.staging.put(staged);
    p.token = Some(token.clone());
    p.failed = failed;
    if failed {
        p.message = Some(format!(
            "{} {} — {}",
            l.int(report.errors.len() as u64),
            l.s("lỗi", "errors"),
            l.s(
                "không có gì được ghi. Hãy sửa tệp và tải lên lại.",
                "nothing was written. Fix the files and upload them again."
            )
        ));
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    }
    let s = summary.unwrap_or_default();
    p.summary = Some(summary_lines(&v, &s, false));
    if s.inserted + s.updated > 0 {
        p.confirm_token = Some(token);
        p.message = Some(
            l.s(
                "Tệp hợp lệ. Kiểm tra kết quả rồi xác nhận để nhập.",
                "The files are valid. Check the result, then confirm.",
            )
            .into(),
        );
    } else {
        p.message =
            Some(l.s("Không có gì thay đổi so với dữ liệu đã có.", "Nothing differs from what is stored.").into());
    }
    Ok(render(&p)?.into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    may_import(&v)?;
    let l = v.lang;
    let staged = state.staging.get(&token, v.user.id).ok_or(AppError::NotFound)?;
    let (as_of, std) = period_terms(&state, staged.period).await?;
    let Imported { report, summary } = run(&state, &v, &staged, as_of, std, Finish::Commit).await?;
    let Some(s) = summary else {
        return Err(AppError::Invalid(l.s("Tệp có lỗi", "The files have errors").into()).into());
    };
    let mut p = page(Chrome::of(&v, &uri), staged.period);
    if s.committed {
        state.staging.remove(&token);
        p.message = Some(format!("{} {}", l.s("Đã nhập vào kỳ", "Imported into period"), staged.period));
        p.summary = Some(summary_lines(&v, &s, true));
        Ok(render(&p)?.into_response())
    } else {
        p.problems = problem_rows(&v, &report);
        p.problem_count = report.errors.len() + report.warnings.len();
        p.failed = true;
        p.message = Some(
            l.s(
                "Không nhập được: dữ liệu đã thay đổi kể từ lúc kiểm tra.",
                "Not imported: the registry changed since the check.",
            )
            .into(),
        );
        Ok((axum::http::StatusCode::CONFLICT, render(&p)?).into_response())
    }
}

pub async fn error_file(
    State(state): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let staged = state.staging.get(&token, v.user.id).ok_or(AppError::NotFound)?;
    let path = staged.errors.as_ref().ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(path).await.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"loi-nhap-{}.csv\"", staged.period)),
        ],
        bytes,
    )
        .into_response())
}
