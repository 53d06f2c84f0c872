//! Poverty-reduction models (*mô hình giảm nghèo*, Decision 90/2022 project DA2): a commune's
//! model — host, place, project, years, budget by source of funds, results, status — with the
//! households of the commune taking part, its replications in other communes (provincial plans
//! set one or two typical models per commune, replicated elsewhere) and its exemplary cases for
//! communication (*điển hình tiên tiến, gương thoát nghèo*). Every invalid field is refused at
//! once, each reason in Vietnamese and English.

use crate::AppError;
use crate::budgets::project_in;
use vuonlen_core::Standards;
use vuonlen_core::budget::FundSource;
use vuonlen_core::text::format_vnd;
use vuonlen_store::Registry;
use vuonlen_store::models::{Case, Model, NewModel, Participant, Replication};

pub use crate::activities::STATUSES;

/// Reasons a write was refused, Vietnamese then English.
pub type Refusals = Vec<(String, String)>;

/// The kinds of host (*đơn vị chủ trì*): key, Vietnamese, English.
pub const HOST_KINDS: [(&str, &str, &str); 6] = [
    ("cooperative", "Hợp tác xã", "Cooperative"),
    ("cooperative_group", "Tổ hợp tác", "Cooperative group"),
    ("community_group", "Nhóm hộ, cộng đồng", "Group of households, community"),
    ("agency", "Cơ quan, đơn vị", "Agency"),
    ("enterprise", "Doanh nghiệp", "Enterprise"),
    ("other", "Khác", "Other"),
];

/// A model's budget above this (100 billion đồng, from all sources) is taken for a typing error:
/// the models of project DA2 are a commune's, of hundreds of millions to a few billion đồng.
pub const MAX_BUDGET: u64 = 100_000_000_000;

/// A replication of more households than this is taken for a typing error.
pub const MAX_REPLICATION_HOUSEHOLDS: i64 = 100_000;

/// Years a model, a replication or a case can be of.
const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

/// A model to record, as typed: the caller's text, checked here.
#[derive(Debug, Clone, Default)]
pub struct ModelRequest {
    pub commune: String,
    pub name: String,
    pub host: String,
    pub host_kind: String,
    pub place: Option<String>,
    pub project_code: String,
    pub start_year: i64,
    pub end_year: Option<i64>,
    /// (source: a key, a Vietnamese name or a short form; amount of đồng as typed).
    pub budget: Vec<(String, String)>,
    pub result: Option<String>,
    pub status: String,
    /// Households of the commune taking part, by code.
    pub household_codes: Vec<String>,
    /// … and by registry id (the API).
    pub household_ids: Vec<i64>,
}

fn nfc(s: &str) -> String {
    vuonlen_core::text::nfc(s.trim()).into_owned()
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref().map(nfc).filter(|t| !t.is_empty())
}

fn commune_name(code: &str) -> Option<&'static str> {
    vuonlen_core::units::AdminUnits::get().y2025.communes.get(code).map(|c| c.name)
}

fn year_in_range(why: &mut Refusals, what_vi: &str, what_en: &str, year: i64) {
    if !YEARS.contains(&year) {
        why.push((
            format!("{what_vi} {year} không hợp lệ (từ {} đến {}).", YEARS.start(), YEARS.end()),
            format!("{what_en} {year} is not valid ({} to {}).", YEARS.start(), YEARS.end()),
        ));
    }
}

/// The budget's lines: each source known and once, each amount a non-negative number of đồng,
/// the whole not absurd.
fn budget_lines(lines: &[(String, String)], why: &mut Refusals) -> Vec<(FundSource, u64)> {
    let mut out: Vec<(FundSource, u64)> = Vec::new();
    for (source, amount) in lines {
        let (source, amount) = (source.trim(), amount.trim());
        if source.is_empty() && amount.is_empty() {
            continue;
        }
        let s = FundSource::parse(source);
        if s.is_none() {
            why.push((
                format!("'{source}' không phải nguồn vốn (central, local, counterpart, mobilised, policy_credit)."),
                format!("'{source}' is not a source of funds (central, local, counterpart, mobilised, policy_credit)."),
            ));
        }
        let a = if amount.starts_with('-') {
            why.push((
                format!("Kinh phí '{amount}' âm: số tiền phải từ 0 đồng trở lên."),
                format!("The budget '{amount}' is negative: amounts are 0 đồng or more."),
            ));
            None
        } else {
            let a = vuonlen_io::review_tables::parse_money(amount);
            if a.is_none() {
                why.push((
                    format!("Kinh phí '{amount}' không phải số tiền (đồng)."),
                    format!("The budget '{amount}' is not an amount of đồng."),
                ));
            }
            a
        };
        if let (Some(s), Some(a)) = (s, a) {
            if out.iter().any(|(x, _)| *x == s) {
                why.push((
                    format!("Nguồn vốn {} ghi hai lần.", s.label_vi()),
                    format!("The source {} is given twice.", s.label_en()),
                ));
            } else {
                out.push((s, a));
            }
        }
    }
    let total = out.iter().fold(0u64, |t, (_, a)| t.saturating_add(*a));
    if total > MAX_BUDGET {
        why.push((
            format!(
                "Tổng kinh phí {} đồng vượt mức hợp lý của một mô hình ({} đồng): kiểm tra lại số đã nhập.",
                format_vnd(i64::try_from(total).unwrap_or(i64::MAX)),
                format_vnd(MAX_BUDGET as i64)
            ),
            format!(
                "A budget of {total} đồng is more than a model can have ({MAX_BUDGET} đồng): check what was typed."
            ),
        ));
    }
    out
}

/// The households of `codes` in `commune` the reader may read, or why not.
async fn household_ids(
    reg: &Registry,
    commune: &str,
    codes: &[String],
    why: &mut Refusals,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let found = match reg.commune_household(commune, code).await? {
            Some(id) => Some(id),
            None => reg.household_id_of(commune, code).await?,
        };
        match found {
            Some(id) => ids.push(id),
            None => why.push((
                format!("Không có hộ mã '{code}' của xã {commune} trong sổ hộ (trong phạm vi được giao)."),
                format!("There is no household '{code}' of commune {commune} in the registry (within your area)."),
            )),
        }
    }
    Ok(ids)
}

fn store_refusal(e: vuonlen_store::StoreError) -> Result<Refusals, AppError> {
    match e {
        vuonlen_store::StoreError::Forbidden(m) => Ok(vec![(m.clone(), m)]),
        e => Err(e.into()),
    }
}

/// Records a model with its households: `Ok(Err(reasons))` with every reason when refused (a
/// commune not of the 2025 list, no name or host, an unknown kind of host or status, a project
/// not of the catalogue of its first year, an end before the start, a source or amount not
/// understood, a negative or absurd budget, a household not of the commune, the commune outside
/// the writer's area).
pub async fn add_model(
    reg: &Registry,
    standards: &Standards,
    r: &ModelRequest,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Refusals>, AppError> {
    let mut why = Vec::new();
    let commune = r.commune.trim().to_string();
    if commune_name(&commune).is_none() {
        why.push((
            format!("'{commune}' không phải mã xã (danh mục 2025)."),
            format!("'{commune}' is not a commune code (2025 list)."),
        ));
    }
    let (name, host) = (nfc(&r.name), nfc(&r.host));
    if name.is_empty() {
        why.push(("Thiếu tên mô hình.".into(), "The model's name is missing.".into()));
    }
    if host.is_empty() {
        why.push(("Thiếu đơn vị chủ trì.".into(), "The host (lead unit) is missing.".into()));
    }
    let host_kind = r.host_kind.trim().to_string();
    if !HOST_KINDS.iter().any(|(k, _, _)| *k == host_kind) {
        let keys: Vec<&str> = HOST_KINDS.iter().map(|(k, _, _)| *k).collect();
        why.push((
            format!("'{host_kind}' không phải loại đơn vị chủ trì ({}).", keys.join(", ")),
            format!("'{host_kind}' is not a kind of host ({}).", keys.join(", ")),
        ));
    }
    year_in_range(&mut why, "Năm bắt đầu", "The first year", r.start_year);
    let mut project_code = String::new();
    if YEARS.contains(&r.start_year) {
        match project_in(standards, r.start_year, r.project_code.trim()) {
            Ok(code) => project_code = code,
            Err(w) => why.push(w),
        }
    }
    if let Some(end) = r.end_year {
        year_in_range(&mut why, "Năm kết thúc", "The last year", end);
        if end < r.start_year {
            why.push((
                format!("Năm kết thúc {end} trước năm bắt đầu {}.", r.start_year),
                format!("The last year {end} is before the first year {}.", r.start_year),
            ));
        }
    }
    let status = r.status.trim().to_string();
    if !STATUSES.iter().any(|(k, _)| *k == status) {
        why.push((
            format!("'{status}' không phải tình trạng (planned, under_way, done, cancelled)."),
            format!("'{status}' is not a status (planned, under_way, done, cancelled)."),
        ));
    }
    let budget = budget_lines(&r.budget, &mut why);
    let writable = vuonlen_store::targets::TargetUnit::parse(&commune).is_some_and(|u| reg.may_set_unit(&u));
    if commune_name(&commune).is_some() && !writable {
        why.push((
            format!("Xã {commune} ngoài phạm vi được giao cho tài khoản này."),
            format!("Commune {commune} is outside your area."),
        ));
    }
    let codes: &[String] = if writable { &r.household_codes } else { &[] };
    let mut households = household_ids(reg, &commune, codes, &mut why).await?;
    if writable {
        for h in reg.not_of_commune(&commune, &r.household_ids).await? {
            why.push(vuonlen_store::models::not_in_commune(h, &commune));
        }
    }
    households.extend(r.household_ids.iter().copied());
    households.sort_unstable();
    households.dedup();
    if !why.is_empty() {
        return Ok(Err(why));
    }
    let m = NewModel {
        commune,
        name,
        host,
        host_kind,
        place: opt(&r.place),
        project_code,
        start_year: r.start_year,
        end_year: r.end_year,
        budget,
        result: opt(&r.result),
        status,
    };
    match reg.record_model(&m, &households, actor, command).await {
        Ok(done) => Ok(done),
        Err(e) => Ok(Err(store_refusal(e)?)),
    }
}

/// Adds households of the model's commune (by code, or by id) to `model`: how many were added,
/// or every reason.
pub async fn join_households(
    reg: &Registry,
    model: &Model,
    codes: &[String],
    ids: &[i64],
    actor: &str,
    command: &str,
) -> Result<Result<u64, Refusals>, AppError> {
    let mut why = Vec::new();
    let mut households = household_ids(reg, &model.model.commune, codes, &mut why).await?;
    for h in reg.not_of_commune(&model.model.commune, ids).await? {
        why.push(vuonlen_store::models::not_in_commune(h, &model.model.commune));
    }
    households.extend(ids.iter().copied());
    households.sort_unstable();
    households.dedup();
    if households.is_empty() && why.is_empty() {
        why.push(("Chưa nêu hộ nào.".into(), "No household given.".into()));
    }
    if !why.is_empty() {
        return Ok(Err(why));
    }
    match reg.join_model(model.id, &households, actor, command).await {
        Ok(done) => Ok(done),
        Err(e) => Ok(Err(store_refusal(e)?)),
    }
}

/// A replication to record, as typed.
#[derive(Debug, Clone, Default)]
pub struct ReplicationRequest {
    pub commune: String,
    pub year: i64,
    pub households: i64,
    pub note: Option<String>,
}

/// Records `model`'s replication in another commune (of the 2025 list), by the province or the
/// model's own commune: its id, or every reason.
pub async fn replicate(
    reg: &Registry,
    model: &Model,
    r: &ReplicationRequest,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Refusals>, AppError> {
    let mut why = Vec::new();
    let commune = r.commune.trim();
    if commune_name(commune).is_none() {
        why.push((
            format!("'{commune}' không phải mã xã (danh mục 2025): không ghi được nơi nhân rộng."),
            format!("'{commune}' is not a commune code (2025 list): the replication has no place."),
        ));
    } else if commune == model.model.commune {
        why.push((
            "Nhân rộng là ở xã khác, không phải xã của mô hình.".into(),
            "A replication is in another commune, not the model's own.".into(),
        ));
    }
    year_in_range(&mut why, "Năm nhân rộng", "The replication's year", r.year);
    if r.year < model.model.start_year {
        why.push((
            format!("Năm nhân rộng {} trước năm bắt đầu mô hình {}.", r.year, model.model.start_year),
            format!("The replication's year {} is before the model's first year {}.", r.year, model.model.start_year),
        ));
    }
    if !(0..=MAX_REPLICATION_HOUSEHOLDS).contains(&r.households) {
        why.push((
            format!("Số hộ {} không hợp lệ (từ 0 đến {MAX_REPLICATION_HOUSEHOLDS}).", r.households),
            format!("{} households is not valid (0 to {MAX_REPLICATION_HOUSEHOLDS}).", r.households),
        ));
    }
    if !why.is_empty() {
        return Ok(Err(why));
    }
    match reg.record_replication(model.id, commune, r.year, r.households, opt(&r.note).as_deref(), actor, command).await
    {
        Ok(id) => Ok(Ok(id)),
        Err(e) => Ok(Err(store_refusal(e)?)),
    }
}

/// An exemplary case to record, as typed.
#[derive(Debug, Clone, Default)]
pub struct CaseRequest {
    /// A household of the model's commune, by code (optional).
    pub household_code: Option<String>,
    pub title: String,
    pub story: Option<String>,
    pub year: i64,
    pub escaped: bool,
}

/// Records an exemplary case of `model`: its id, or every reason.
pub async fn add_case(
    reg: &Registry,
    model: &Model,
    r: &CaseRequest,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Refusals>, AppError> {
    let mut why = Vec::new();
    let title = nfc(&r.title);
    if title.is_empty() {
        why.push(("Thiếu tiêu đề gương điển hình.".into(), "The case's title is missing.".into()));
    }
    year_in_range(&mut why, "Năm", "The year", r.year);
    let codes: Vec<String> = opt(&r.household_code).into_iter().collect();
    let household = household_ids(reg, &model.model.commune, &codes, &mut why).await?.first().copied();
    if !why.is_empty() {
        return Ok(Err(why));
    }
    let case = Case {
        household_id: household,
        title,
        story: opt(&r.story),
        year: r.year,
        escaped: r.escaped,
        ..Case::default()
    };
    match reg.record_case(model.id, &case, actor, command).await {
        Ok(done) => Ok(done),
        Err(e) => Ok(Err(store_refusal(e)?)),
    }
}

/// A model with its households, replications and cases.
#[derive(Debug, Clone)]
pub struct ModelView {
    pub model: Model,
    pub households: Vec<Participant>,
    pub replications: Vec<Replication>,
    pub cases: Vec<Case>,
}

/// Model `id` as the reader may see it (`None`: not found in the reader's area).
pub async fn model_view(reg: &Registry, id: i64) -> Result<Option<ModelView>, AppError> {
    let Some(model) = reg.model(id).await? else { return Ok(None) };
    Ok(Some(ModelView {
        households: reg.model_households(id).await?,
        replications: reg.model_replications(id).await?,
        cases: reg.model_cases(id).await?,
        model,
    }))
}

/// The Vietnamese of a host kind's key (the key when unknown).
pub fn host_kind_vi(key: &str) -> &str {
    HOST_KINDS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, vi, _)| vi)
}

/// The Vietnamese of a status key (the key when unknown).
pub fn status_vi(key: &str) -> &str {
    STATUSES.iter().find(|(k, _)| *k == key).map_or(key, |(_, vi)| vi)
}

/// The Vietnamese of a class key (`poor`: Hộ nghèo), the key when unknown.
pub fn class_vi(key: &str) -> String {
    vuonlen_core::Class::parse(key).map_or(key.to_string(), |c| c.label_vi().to_string())
}

/// The list of models as a table (Vietnamese headers): one row per model with its budget by
/// source and in all, households, replications and cases.
pub fn models_table(models: &[Model]) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let mut header: Vec<String> = [
        "STT",
        "Mã xã",
        "Tên xã",
        "Tên mô hình",
        "Đơn vị chủ trì",
        "Loại đơn vị",
        "Địa điểm",
        "Mã dự án",
        "Từ năm",
        "Đến năm",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(FundSource::ALL.iter().map(|s| format!("{} (đồng)", s.label_vi())));
    header.extend(
        ["Tổng kinh phí (đồng)", "Số hộ tham gia", "Số xã nhân rộng", "Gương điển hình", "Kết quả", "Tình trạng"]
            .iter()
            .map(|s| s.to_string()),
    );
    let int = |v: u64| PlainCell::Int(Some(i64::try_from(v).unwrap_or(i64::MAX)));
    let rows = models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = &m.model;
            let mut cells = vec![
                PlainCell::Int(Some(i as i64 + 1)),
                PlainCell::Text(x.commune.clone()),
                PlainCell::Text(commune_name(&x.commune).unwrap_or_default().to_string()),
                PlainCell::Text(x.name.clone()),
                PlainCell::Text(x.host.clone()),
                PlainCell::Text(host_kind_vi(&x.host_kind).to_string()),
                PlainCell::Text(x.place.clone().unwrap_or_default()),
                PlainCell::Text(x.project_code.clone()),
                PlainCell::Int(Some(x.start_year)),
                PlainCell::Int(x.end_year),
            ];
            cells.extend(FundSource::ALL.iter().map(|s| {
                PlainCell::Int(
                    x.budget.iter().find(|(b, _)| b == s).map(|(_, a)| i64::try_from(*a).unwrap_or(i64::MAX)),
                )
            }));
            cells.extend([
                int(m.budget_total()),
                PlainCell::Int(Some(m.households)),
                PlainCell::Int(Some(m.replications)),
                PlainCell::Int(Some(m.cases)),
                PlainCell::Text(x.result.clone().unwrap_or_default()),
                PlainCell::Text(status_vi(&x.status).to_string()),
            ]);
            PlainRow { cells, highlight: false }
        })
        .collect();
    (header, rows)
}
