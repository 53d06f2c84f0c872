//! Official documents of the poverty review, typeset as PDF with typst used as a library.
//!
//! Two forms of Decision 24/2021/QĐ-TTg and one letter it requires, laid out as administrative
//! documents under Decree 30/2020/NĐ-CP (A4, Times-metric serif, national heading, dated place
//! line, signature block):
//!
//! - [`decision_pdf`]: **Mẫu 02**, the commune chair's decision recognising the lists of poor
//!   and near-poor households (and of households that escaped), with the lists annexed;
//! - [`certificates_pdf`]: **Mẫu 03**, one certificate of poor / near-poor household per page;
//! - [`monitoring_report_pdf`]: a unit's **monitoring report** of the programme (Circular
//!   10/2022/TT-BLĐTBXH), its result indicators in a table (the circular's form was not
//!   retrieved: the layout is the project's and says so);
//! - [`replies_pdf`]: the chair's **written reply** to each household whose application
//!   (Mẫu 01 or Mẫu 04) is not granted, stating the reason (art. 5 of the decision), one letter
//!   (công văn) per page. The decision prescribes no form for this letter and none is in the
//!   project's sources: its wording is a draft, to be checked against the form the province
//!   uses before it is relied on.
//!
//! The layout lives in `templates/*.typ`, compiled into the binary. The data never becomes typst
//! source: it is serialised to JSON, handed to the template as `sys.inputs.data` and decoded
//! there with `json(bytes(..))`, so a name such as `Nguyễn *Hoa* #x [$\]` prints as written.
//! Every string is put in Unicode NFC on the way in. The fonts (Liberation Serif, SIL OFL) are
//! compiled in as well: no system font is looked up and no typst package is fetched.

mod engine;
mod view;

use chrono::NaiveDate;

pub use view::vietnamese_date;

/// The People's Committee that issues the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// Province the commune belongs to, e.g. "Sơn La" (given to the templates; not printed by
    /// the two forms, whose heading names the commune only).
    pub province_name: String,
    /// Commune name without its kind, e.g. "Phù Yên".
    pub commune_name: String,
    /// "XÃ", "PHƯỜNG" or "ĐẶC KHU" (any case: printed upper-case in headings, lower-case in text).
    pub commune_kind: String,
    /// Place written before the date, e.g. "Phù Yên" in "Phù Yên, ngày 05 tháng 12 năm 2026".
    pub place_name: String,
}

/// Who signs: the chair ("CHỦ TỊCH"), or a vice-chair signing for the chair
/// (`on_behalf: Some("KT. CHỦ TỊCH")`, `title: "PHÓ CHỦ TỊCH"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub title: String,
    pub on_behalf: Option<String>,
    pub name: String,
}

/// One household on an annexed list of the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedHousehold {
    pub household_code: String,
    pub head_name: String,
    /// Village or residential group (thôn / tổ dân phố).
    pub village: String,
    /// Number of persons (nhân khẩu).
    pub persons: u32,
    pub note: String,
}

/// Mẫu 02: decision of the commune chair recognising the lists of the year.
///
/// The counts in Điều 1 and Điều 2 are computed from the lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub authority: Authority,
    /// Document number, e.g. "125/QĐ-UBND" (printed after "Số: ").
    pub number: String,
    pub signed_on: NaiveDate,
    /// Year the lists apply to.
    pub list_year: i32,
    /// "Căn cứ …" lines, each printed as its own paragraph as given (with its final ';').
    pub legal_bases: Vec<String>,
    pub poor: Vec<ListedHousehold>,
    pub near_poor: Vec<ListedHousehold>,
    pub escaped_poor: Vec<ListedHousehold>,
    pub escaped_near_poor: Vec<ListedHousehold>,
    /// "Nơi nhận" entries, printed one a line after "- ", e.g. "Như Điều 3;", "Lưu: VT.".
    pub recipients: Vec<String>,
    pub signer: Signer,
}

/// Which certificate (Mẫu 03) a household receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateKind {
    /// Giấy chứng nhận hộ nghèo (number …/GCN-HN).
    Poor,
    /// Giấy chứng nhận hộ cận nghèo (number …/GCN-HCN).
    NearPoor,
}

/// A member listed on a certificate; the year of birth goes in the "Nam" or "Nữ" column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateMember {
    pub full_name: String,
    pub ethnicity: String,
    /// Relation to the head of household, e.g. "Chủ hộ", "Vợ", "Con".
    pub relation: String,
    pub birth_year: i32,
    pub female: bool,
    pub note: String,
}

/// One household's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Certificate number, e.g. "12/GCN-HN".
    pub number: String,
    pub kind: CertificateKind,
    pub head_name: String,
    /// Personal identification / citizen ID number; a dotted line is printed when absent.
    pub id_number: Option<String>,
    /// Permanent residence.
    pub address: String,
    pub members: Vec<CertificateMember>,
}

/// Mẫu 03: the certificates issued under one decision, one page per household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificates {
    pub authority: Authority,
    pub list_year: i32,
    /// Number of the recognising decision, e.g. "125/QĐ-UBND".
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub signed_on: NaiveDate,
    pub signer: Signer,
    pub households: Vec<Certificate>,
}

/// The application a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationForm {
    /// Mẫu 01: to be recognised poor or near-poor (also a village's proposal).
    Mau01,
    /// Mẫu 04: to be recognised as having escaped poverty or near-poverty.
    Mau04,
}

/// One household's written reply: "Số: {number}", "V/v trả lời đề nghị …" by `form`,
/// "Kính gửi: Ông/Bà {head_name}, {address}", the date of the application, the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The letter's number, e.g. "15/UBND-LĐTBXH".
    pub number: String,
    pub head_name: String,
    /// Village and commune, as printed after "Kính gửi", e.g. "Bản Mường Cơi, xã Phù Yên".
    pub address: String,
    pub form: ApplicationForm,
    /// Date of the application (Giấy đề nghị).
    pub applied_on: NaiveDate,
    /// Why the application is not granted, as recorded (the Phiếu A reason, the result).
    /// Printed after "Lý do: " as written; a full stop is added when it ends without one.
    /// Required: a reply without a reason is refused ([`PdfError::Incomplete`]).
    pub reason: String,
}

/// The commune chair's written replies to the households whose application was not granted
/// (Decision 24/2021/QĐ-TTg art. 5), one letter a page, all dated and signed alike.
///
/// The wording is a draft: the decision prescribes no form for this letter and none is in the
/// project's sources (see `templates/replies.typ`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replies {
    pub authority: Authority,
    /// Date of the letters, on the place line.
    pub signed_on: NaiveDate,
    pub signer: Signer,
    /// "Nơi nhận" entries, printed one a line after "- ", e.g. "Như trên;", "Lưu: VT.".
    pub recipients: Vec<String>,
    pub replies: Vec<Reply>,
}

/// Why a document could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The data could not be turned into the template's JSON input.
    #[error("the data of the {document} could not be encoded as JSON: {source}")]
    Data {
        document: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// typst reported errors while compiling the template (diagnostics joined, one a line,
    /// each with its template file, line and column).
    #[error("typst could not typeset the {document}:\n{diagnostics}")]
    Typeset { document: &'static str, diagnostics: String },
    /// typst could not write the laid-out document as PDF.
    #[error("typst could not write the {document} as PDF:\n{diagnostics}")]
    Export { document: &'static str, diagnostics: String },
    /// Nothing to print (e.g. no reply).
    #[error("the {document} has nothing to print")]
    Empty { document: &'static str },
    /// A required piece of the data is missing (`what` says which, e.g. the reason of a reply).
    #[error("the {document} cannot be printed: {what}")]
    Incomplete { document: &'static str, what: String },
    /// Anything else typst-as-lib reports (missing template, file resolution).
    #[error("typst could not set up the {document}: {message}")]
    Setup { document: &'static str, message: String },
}

/// Typesets Mẫu 02, the decision recognising the lists, with one annex per list.
pub fn decision_pdf(d: &Decision) -> Result<Vec<u8>, PdfError> {
    engine::render(engine::Template::Decision, &view::decision(d)).map(engine::Rendered::into_pdf)
}

/// Typesets Mẫu 03, one certificate page per household, in one PDF.
pub fn certificates_pdf(c: &Certificates) -> Result<Vec<u8>, PdfError> {
    engine::render(engine::Template::Certificates, &view::certificates(c)).map(engine::Rendered::into_pdf)
}

/// Typesets the written replies to applications not granted, one letter a page (a draft wording,
/// see [`Replies`]).
///
/// Refused: no reply at all ([`PdfError::Empty`]), a reply without a reason
/// ([`PdfError::Incomplete`]: art. 5 requires the reason to be stated).
pub fn replies_pdf(r: &Replies) -> Result<Vec<u8>, PdfError> {
    const DOCUMENT: &str = "written replies";
    if r.replies.is_empty() {
        return Err(PdfError::Empty { document: DOCUMENT });
    }
    if let Some((i, reply)) = r.replies.iter().enumerate().find(|(_, x)| x.reason.trim().is_empty()) {
        let what = format!("reply {} ({}, to {}) states no reason", i + 1, reply.number.trim(), reply.head_name.trim());
        return Err(PdfError::Incomplete { document: DOCUMENT, what });
    }
    engine::render(engine::Template::Replies, &view::replies(r)).map(engine::Rendered::into_pdf)
}

/// One line of a monitoring report: the indicator, its value as printed, where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub name: String,
    pub value: String,
    pub source: String,
}

/// A unit's monitoring report (Circular 10/2022/TT-BLĐTBXH) as a document: the committee that
/// reports, the report's kind, year and state, and its indicator lines. The circular's form was
/// not retrieved: `note` says so on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitoringReport {
    pub authority: Authority,
    pub number: String,
    pub date: NaiveDate,
    /// "Báo cáo giám sát 6 tháng".
    pub title: String,
    pub year: i64,
    /// "Tỉnh Sơn La", "Phường Tô Hiệu".
    pub unit: String,
    pub state: String,
    pub lines: Vec<ReportLine>,
    pub note: String,
    pub signer: Signer,
    /// Who issues a report no People's Committee issues (the country's), printed in the heading
    /// instead of `authority`.
    pub issuer: Option<Issuer>,
}

/// An issuing body above the People's Committees: its parent (a ministry), its name and the
/// place on its date line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub parent: String,
    pub name: String,
    pub place: String,
}

/// Typesets a monitoring report. Refused when it has no line ([`PdfError::Empty`]).
pub fn monitoring_report_pdf(r: &MonitoringReport) -> Result<Vec<u8>, PdfError> {
    if r.lines.is_empty() {
        return Err(PdfError::Empty { document: "monitoring report" });
    }
    engine::render(engine::Template::Monitoring, &view::monitoring(r)).map(engine::Rendered::into_pdf)
}

#[cfg(test)]
mod tests;
