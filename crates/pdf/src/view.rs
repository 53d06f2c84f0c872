//! What the templates receive: the public structs turned into plain JSON values, every string in
//! NFC, dates already written out, counts already computed. The field names here are the ones
//! documented at the top of each template.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use vuonlen_core::text::nfc;

use crate::{
    ApplicationForm, Authority, Certificate, CertificateKind, Certificates, Decision, ListedHousehold, Replies, Signer,
};

/// A date as an administrative document writes it (Decree 30/2020/NĐ-CP, Phụ lục I, mục 5):
/// "ngày 05 tháng 12 năm 2026". Days below 10 and the months January and February take a
/// leading zero ("ngày 27 tháng 01 năm 2021"); the other months do not ("ngày 15 tháng 3 năm 2026").
pub fn vietnamese_date(date: NaiveDate) -> String {
    let month = date.month();
    let month = if month <= 2 { format!("{month:02}") } else { month.to_string() };
    format!("ngày {:02} tháng {month} năm {}", date.day(), date.year())
}

fn text(s: &str) -> String {
    nfc(s.trim()).into_owned()
}

/// `s` as a sentence: trimmed, NFC, with a full stop added when it ends without a final mark
/// ("." "!" "?" "…").
fn sentence(s: &str) -> String {
    let mut out = text(s);
    if !out.is_empty() && !out.ends_with(['.', '!', '?', '…']) {
        out.push('.');
    }
    out
}

fn upper(s: &str) -> String {
    nfc(&nfc(s.trim()).to_uppercase()).into_owned()
}

fn lower(s: &str) -> String {
    nfc(&nfc(s.trim()).to_lowercase()).into_owned()
}

#[derive(Debug, Serialize)]
pub(crate) struct AuthorityView {
    province: String,
    /// "XÃ", "PHƯỜNG", "ĐẶC KHU".
    kind_upper: String,
    /// "xã", "phường", "đặc khu".
    kind_lower: String,
    /// "Phù Yên".
    name: String,
    /// "PHÙ YÊN".
    name_upper: String,
    place: String,
}

impl From<&Authority> for AuthorityView {
    fn from(a: &Authority) -> Self {
        Self {
            province: text(&a.province_name),
            kind_upper: upper(&a.commune_kind),
            kind_lower: lower(&a.commune_kind),
            name: text(&a.commune_name),
            name_upper: upper(&a.commune_name),
            place: text(&a.place_name),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct SignerView {
    title: String,
    on_behalf: Option<String>,
    name: String,
}

impl From<&Signer> for SignerView {
    fn from(s: &Signer) -> Self {
        Self {
            title: upper(&s.title),
            on_behalf: s.on_behalf.as_deref().map(upper).filter(|t| !t.is_empty()),
            name: text(&s.name),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Row {
    code: String,
    head: String,
    village: String,
    persons: u32,
    note: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct List {
    households: usize,
    persons: u64,
    rows: Vec<Row>,
}

impl List {
    fn new(list: &[ListedHousehold]) -> Self {
        Self {
            households: list.len(),
            persons: list.iter().map(|h| u64::from(h.persons)).sum(),
            rows: list
                .iter()
                .map(|h| Row {
                    code: text(&h.household_code),
                    head: text(&h.head_name),
                    village: text(&h.village),
                    persons: h.persons,
                    note: text(&h.note),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct DecisionView {
    authority: AuthorityView,
    number: String,
    /// "ngày 05 tháng 12 năm 2026".
    date: String,
    list_year: i32,
    legal_bases: Vec<String>,
    poor: List,
    near_poor: List,
    escaped_poor: List,
    escaped_near_poor: List,
    recipients: Vec<String>,
    signer: SignerView,
}

pub(crate) fn decision(d: &Decision) -> DecisionView {
    DecisionView {
        authority: (&d.authority).into(),
        number: text(&d.number),
        date: vietnamese_date(d.signed_on),
        list_year: d.list_year,
        legal_bases: d.legal_bases.iter().map(|s| text(s)).filter(|s| !s.is_empty()).collect(),
        poor: List::new(&d.poor),
        near_poor: List::new(&d.near_poor),
        escaped_poor: List::new(&d.escaped_poor),
        escaped_near_poor: List::new(&d.escaped_near_poor),
        recipients: d.recipients.iter().map(|s| text(s)).filter(|s| !s.is_empty()).collect(),
        signer: (&d.signer).into(),
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct MemberView {
    name: String,
    ethnicity: String,
    relation: String,
    birth_year: i32,
    female: bool,
    note: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct CertificateView {
    number: String,
    /// `true`: hộ nghèo; `false`: hộ cận nghèo.
    poor: bool,
    head: String,
    /// `null` when the household has no ID number on record (a dotted line is printed).
    id_number: Option<String>,
    address: String,
    members: Vec<MemberView>,
}

impl From<&Certificate> for CertificateView {
    fn from(c: &Certificate) -> Self {
        Self {
            number: text(&c.number),
            poor: c.kind == CertificateKind::Poor,
            head: text(&c.head_name),
            id_number: c.id_number.as_deref().map(text).filter(|s| !s.is_empty()),
            address: text(&c.address),
            members: c
                .members
                .iter()
                .map(|m| MemberView {
                    name: text(&m.full_name),
                    ethnicity: text(&m.ethnicity),
                    relation: text(&m.relation),
                    birth_year: m.birth_year,
                    female: m.female,
                    note: text(&m.note),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct CertificatesView {
    authority: AuthorityView,
    list_year: i32,
    decision_number: String,
    /// "ngày 05 tháng 12 năm 2026".
    decision_date: String,
    /// "ngày 10 tháng 12 năm 2026".
    date: String,
    signer: SignerView,
    households: Vec<CertificateView>,
}

pub(crate) fn certificates(c: &Certificates) -> CertificatesView {
    CertificatesView {
        authority: (&c.authority).into(),
        list_year: c.list_year,
        decision_number: text(&c.decision_number),
        decision_date: vietnamese_date(c.decision_date),
        date: vietnamese_date(c.signed_on),
        signer: (&c.signer).into(),
        households: c.households.iter().map(Into::into).collect(),
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct ReplyView {
    number: String,
    /// After "V/v trả lời đề nghị ": "công nhận hộ nghèo, hộ cận nghèo" (Mẫu 01) or
    /// "công nhận hộ thoát nghèo, thoát cận nghèo" (Mẫu 04).
    subject: &'static str,
    /// "01" or "04", after "Mẫu số ".
    form: &'static str,
    head: String,
    address: String,
    /// Date of the application, "ngày 03 tháng 11 năm 2026".
    applied: String,
    /// After "không đủ điều kiện ": what the household asked for.
    asked: &'static str,
    /// Ends with a full stop.
    reason: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct RepliesView {
    authority: AuthorityView,
    /// "ngày 05 tháng 12 năm 2026".
    date: String,
    signer: SignerView,
    recipients: Vec<String>,
    replies: Vec<ReplyView>,
}

pub(crate) fn replies(r: &Replies) -> RepliesView {
    RepliesView {
        authority: (&r.authority).into(),
        date: vietnamese_date(r.signed_on),
        signer: (&r.signer).into(),
        recipients: r.recipients.iter().map(|s| text(s)).filter(|s| !s.is_empty()).collect(),
        replies: r
            .replies
            .iter()
            .map(|x| {
                let (subject, form, asked) = match x.form {
                    ApplicationForm::Mau01 => {
                        ("công nhận hộ nghèo, hộ cận nghèo", "01", "được công nhận là hộ nghèo, hộ cận nghèo")
                    }
                    ApplicationForm::Mau04 => (
                        "công nhận hộ thoát nghèo, thoát cận nghèo",
                        "04",
                        "được công nhận thoát nghèo, thoát cận nghèo",
                    ),
                };
                ReplyView {
                    number: text(&x.number),
                    subject,
                    form,
                    head: text(&x.head_name),
                    address: text(&x.address),
                    applied: vietnamese_date(x.applied_on),
                    asked,
                    reason: sentence(&x.reason),
                }
            })
            .collect(),
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct LineView {
    name: String,
    value: String,
    source: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct MonitoringView {
    authority: AuthorityView,
    number: String,
    date: String,
    title: String,
    year: i64,
    unit: String,
    state: String,
    lines: Vec<LineView>,
    note: String,
    signer: SignerView,
    issuer: Option<IssuerView>,
}

#[derive(Debug, Serialize)]
pub(crate) struct IssuerView {
    parent: String,
    name: String,
    place: String,
}

pub(crate) fn monitoring(r: &crate::MonitoringReport) -> MonitoringView {
    MonitoringView {
        authority: (&r.authority).into(),
        number: text(&r.number),
        date: vietnamese_date(r.date),
        title: text(&r.title),
        year: r.year,
        unit: text(&r.unit),
        state: text(&r.state),
        lines: r
            .lines
            .iter()
            .map(|l| LineView { name: text(&l.name), value: text(&l.value), source: text(&l.source) })
            .collect(),
        note: text(&r.note),
        signer: (&r.signer).into(),
        issuer: r.issuer.as_ref().map(|i| IssuerView {
            parent: text(&i.parent),
            name: text(&i.name),
            place: text(&i.place),
        }),
    }
}
