//! Beneficiary lists (*danh sách đối tượng thụ hưởng*): a commune's households a support is for,
//! chosen from a review period's classification by a rule kept as data with the list (classes,
//! and deprivations any of which), each with the reason it is there; exported for the
//! implementing agency; the support delivered recorded back against it — only for its
//! households.

use crate::AppError;
use crate::budgets::project_in;
use crate::support::{SupportEntry, SupportRefused, record_support_entry};
use vuonlen_core::eligibility::EligibilityRule;
use vuonlen_core::support::support_kind;
use vuonlen_core::{Class, Standards};
use vuonlen_store::Registry;
use vuonlen_store::beneficiary::{Beneficiary, BeneficiaryList, NewList};

/// A list to build.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub commune: String,
    pub period: i64,
    pub title: String,
    pub project_code: Option<String>,
    /// The source of funds (a key or a Vietnamese name): support delivered against the list names
    /// it, and counts under the budget line of its year, project and source.
    pub source: Option<String>,
    pub support_kind: String,
    pub rule: EligibilityRule,
}

/// Builds the list as `reg` may: `Ok(Err(reasons))` when the request is refused (every reason).
pub async fn build_list(
    reg: &Registry,
    standards: &Standards,
    r: &ListRequest,
    actor: &str,
    command: &str,
) -> Result<Result<i64, Vec<(String, String)>>, AppError> {
    let mut why = Vec::new();
    let Some(period) = reg.period(r.period).await? else {
        return Ok(Err(vec![(
            format!("Chưa có kỳ rà soát {}.", r.period),
            format!("There is no review period {}.", r.period),
        )]));
    };
    let std = standards.get(&period.standard_id).map_err(|e| AppError::Internal(e.to_string()))?;
    why.extend(r.rule.check(&std));
    if r.title.trim().is_empty() {
        why.push(("Tên danh sách trống.".into(), "The list's title is empty.".into()));
    }
    let kind = support_kind(&r.support_kind);
    if kind.is_none() {
        why.push((
            format!("'{}' không phải loại hỗ trợ.", r.support_kind),
            format!("'{}' is not a kind of support.", r.support_kind),
        ));
    }
    let project = match r.project_code.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => match project_in(standards, r.period, p) {
            Ok(code) => Some(code),
            Err(w) => {
                why.push(w);
                None
            }
        },
        None => None,
    };
    let source = match r.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match vuonlen_core::budget::FundSource::parse(s) {
            Some(f) => Some(f.key().to_string()),
            None => {
                why.push((format!("'{s}' không phải nguồn vốn."), format!("'{s}' is not a source of funds.")));
                None
            }
        },
        None => None,
    };
    if !vuonlen_core::units::AdminUnits::get().y2025.communes.contains_key(r.commune.as_str()) {
        why.push((
            format!("'{}' không phải mã xã (danh mục 2025).", r.commune),
            format!("'{}' is not a commune code (2025 list).", r.commune),
        ));
    }
    if !why.is_empty() {
        return Ok(Err(why));
    }
    let rule_json = serde_json::to_string(&r.rule).map_err(|e| AppError::Internal(e.to_string()))?;
    let l = NewList {
        period: r.period,
        standard_id: period.standard_id.clone(),
        commune: r.commune.clone(),
        title: vuonlen_core::text::nfc(r.title.trim()).into_owned(),
        project_code: project,
        source,
        support_kind: kind.map(|k| k.key.to_string()).unwrap_or_default(),
        rule_json,
        classes: r.rule.class_list().iter().map(|c| c.key().to_string()).collect(),
        deprived_mask: r.rule.mask(&std),
    };
    match reg.create_beneficiary_list(&l, actor, command).await {
        Ok(id) => Ok(Ok(id)),
        Err(vuonlen_store::StoreError::Forbidden(m)) => Ok(Err(vec![(m.clone(), m)])),
        Err(e) => Err(e.into()),
    }
}

/// A list with its households and each one's reason.
#[derive(Debug, Clone)]
pub struct ListView {
    pub list: BeneficiaryList,
    pub rule: EligibilityRule,
    /// The rule in words.
    pub rule_vi: String,
    pub households: Vec<(Beneficiary, String)>,
}

/// List `id` as the reader may see it (`None`: not found in the reader's area).
pub async fn list_view(reg: &Registry, standards: &Standards, id: i64) -> Result<Option<ListView>, AppError> {
    let Some(list) = reg.beneficiary_list(id).await? else { return Ok(None) };
    let rule: EligibilityRule = serde_json::from_str(&list.rule_json).map_err(|e| AppError::Internal(e.to_string()))?;
    let std = standards.get(&list.standard_id).map_err(|e| AppError::Internal(e.to_string()))?;
    let households = reg
        .beneficiaries(id)
        .await?
        .into_iter()
        .map(|b| {
            let reason = Class::parse(&b.class)
                .and_then(|c| rule.reason(&std, c, b.deprived))
                .unwrap_or_else(|| b.class.clone());
            (b, reason)
        })
        .collect();
    Ok(Some(ListView { rule_vi: rule.describe_vi(&std), list, rule, households }))
}

/// The list as the implementing agency's table (Vietnamese headers): one row per household with
/// its reason and whether the support was delivered.
pub fn list_table(v: &ListView) -> (Vec<String>, Vec<vuonlen_io::PlainRow>) {
    use vuonlen_io::{PlainCell, PlainRow};
    let header = ["STT", "Mã hộ", "Họ tên chủ hộ", "Thôn/Tổ", "Lý do thụ hưởng", "Đã hỗ trợ (lần)"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows = v
        .households
        .iter()
        .enumerate()
        .map(|(i, (b, reason))| PlainRow {
            cells: vec![
                PlainCell::Int(Some(i as i64 + 1)),
                PlainCell::Text(b.household_code.clone()),
                PlainCell::Text(b.head_name.clone()),
                PlainCell::Text(b.village.clone()),
                PlainCell::Text(reason.clone()),
                PlainCell::Int(Some(b.delivered)),
            ],
            highlight: b.delivered == 0,
        })
        .collect();
    (header, rows)
}

/// Records the list's support delivered to `household_id` (the list's kind and project): refused
/// for a household not on the list.
#[allow(clippy::too_many_arguments)]
pub async fn deliver(
    reg: &Registry,
    standards: &Standards,
    list: &BeneficiaryList,
    household_id: i64,
    member_no: Option<i64>,
    delivered_on: Option<chrono::NaiveDate>,
    amount: Option<u64>,
    actor: &str,
    command: &str,
) -> Result<Result<u64, SupportRefused>, AppError> {
    let e = SupportEntry {
        kind: list.support_kind.clone(),
        member_no,
        delivered_on,
        amount,
        project_code: list.project_code.clone(),
        source: list.source.clone(),
        list_id: Some(list.id),
        activity_id: None,
        note: Some(list.title.clone()),
    };
    record_support_entry(reg, standards, household_id, &e, actor, command).await
}
