//! The official report forms (*biểu báo cáo kết quả rà soát hộ nghèo, hộ cận nghèo*) as XLSX, in
//! the layouts of domain reference §3.7: one sheet per form, the unit and its sub-units as rows,
//! Vietnamese headings, A4 landscape one page wide with the heading rows repeated.
//!
//! - Forms 1 and 4–11 ([`write_form`], [`write_forms`]) print the counts of
//!   [`UnitTally`](vuonlen_core::report::UnitTally).
//! - Forms 2 and 3 ([`write_movement_form`]) print the movement columns 1–9 of
//!   [`MovementTally`](vuonlen_core::movement::MovementTally).
//! - Forms 14 and 15 ([`DetailedListWriter`]) list near-poor / poor households with their
//!   members, streamed so a province's list never sits in memory. They hold personal data:
//!   names and ID numbers go into the file and nowhere else.
//!
//! The form numbers and layouts come from provincial templates seen in field use, not from the
//! appendix of Circular 07/2021/TT-BLĐTBXH (domain reference §3.7 [U]); every sheet says so in a
//! note line. A workbook goes to a [`Destination`]: a file, written to a temporary name beside
//! the target and renamed on success (a failure leaves no half-written report), or a stream
//! (the web's response body).

use crate::record::HouseholdRecord;
use crate::writer::XLSX_MAX_ROWS;
use chrono::NaiveDate;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use vuonlen_core::classify::{Classification, Subgroups};
use vuonlen_core::codes::{PovertyCause, Relation, Sex};
use vuonlen_core::ethnicity::Ethnicity;
use vuonlen_core::movement::{MovementTally, column_labels_vi};
use vuonlen_core::report::{Group, GroupTally, Residents, Subgroup, UnitTally, causes_of, percent_2dp};
use vuonlen_core::standard::Standard;
use vuonlen_core::text::nfc;
use vuonlen_core::{BirthDate, Class, IndicatorSet};

/// The subgroups form 8 counts (the others — children, elderly, disabled — are in no source).
const FORM8_SUBGROUPS: [Subgroup; 3] = [Subgroup::NoLabourCapacity, Subgroup::Merit, Subgroup::EthnicMinority];

/// The note printed under every title.
pub const TEMPLATE_NOTE_VI: &str = "Ghi chú: số hiệu và bố cục biểu theo mẫu biểu dùng trong thực tế ở địa phương, \
     chưa được đối chiếu với phụ lục Thông tư 07/2021/TT-BLĐTBXH.";

/// A writer a workbook can be saved to (XLSX is a zip archive: it seeks back to its index).
pub trait WriteSeek: Write + Seek + Send {}
impl<T: Write + Seek + Send> WriteSeek for T {}

/// Where a workbook goes (*nơi ghi*).
pub enum Destination<'a> {
    /// A file: written under a temporary name beside it, then renamed.
    File(&'a Path),
    /// A stream the caller owns (a buffer for a response body, a file it opened).
    Stream(&'a mut dyn WriteSeek),
}

impl Destination<'_> {
    /// The name errors give.
    fn name(&self) -> PathBuf {
        match self {
            Destination::File(p) => p.to_path_buf(),
            Destination::Stream(_) => PathBuf::from("(luồng / stream)"),
        }
    }

    pub(crate) fn save(self, wb: &mut Workbook) -> Result<(), FormError> {
        match self {
            Destination::File(path) => save_atomically(wb, path),
            Destination::Stream(w) => wb
                .save_to_writer(w)
                .map_err(|source| FormError::Xlsx { path: PathBuf::from("(luồng / stream)"), source }),
        }
    }
}

impl<'a> From<&'a Path> for Destination<'a> {
    fn from(p: &'a Path) -> Self {
        Destination::File(p)
    }
}

impl<'a> From<&'a PathBuf> for Destination<'a> {
    fn from(p: &'a PathBuf) -> Self {
        Destination::File(p)
    }
}

/// One official report form (*biểu*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Form {
    /// *Tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo, hộ có mức sống trung bình*.
    F1,
    /// *Tổng hợp diễn biến hộ nghèo*.
    F2,
    /// *Tổng hợp diễn biến hộ cận nghèo*.
    F3,
    /// Deprivation counts of poor households.
    F4,
    /// Deprivation rates of poor households (%).
    F5,
    /// Deprivation counts of near-poor households.
    F6,
    /// Deprivation rates of near-poor households (%).
    F7,
    /// Poor and near-poor households by target group (*nhóm đối tượng*).
    F8,
    /// Poor and near-poor households by ethnicity of the head (*dân tộc*).
    F9,
    /// Poor and near-poor households by cause of poverty (*nguyên nhân nghèo*).
    F10,
    /// Deprivations of children in poor and near-poor households (*trẻ em*).
    F11,
    /// Poor households by the multidimensional standard (*tổng hợp kết quả rà soát hộ nghèo theo
    /// chuẩn nghèo đa chiều*): old, new and re-poor, target groups, support, deprivations.
    F12,
    /// The same for near-poor households (*… hộ cận nghèo …*).
    F13,
    /// Detailed list of near-poor households with their members.
    F14,
    /// Detailed list of poor households with their members.
    F15,
}

/// What a form prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// Counts of a [`UnitTally`] per unit: forms 1, 4–11.
    Tally,
    /// Movement columns of a [`MovementTally`] per unit: forms 2, 3.
    Movement,
    /// One block of rows per household: forms 14, 15.
    List,
    /// One group's profile per unit, from a [`UnitTally`] and (for the old / new / re-entered
    /// columns) a [`MovementTally`]: forms 12, 13.
    Profile,
}

impl Form {
    pub const ALL: [Form; 15] = [
        Form::F1,
        Form::F2,
        Form::F3,
        Form::F4,
        Form::F5,
        Form::F6,
        Form::F7,
        Form::F8,
        Form::F9,
        Form::F10,
        Form::F11,
        Form::F12,
        Form::F13,
        Form::F14,
        Form::F15,
    ];

    /// The forms of [`FormKind::Tally`].
    pub const TALLY: [Form; 9] =
        [Form::F1, Form::F4, Form::F5, Form::F6, Form::F7, Form::F8, Form::F9, Form::F10, Form::F11];

    /// The form number (*biểu số*).
    pub fn number(self) -> u8 {
        match self {
            Form::F1 => 1,
            Form::F2 => 2,
            Form::F3 => 3,
            Form::F4 => 4,
            Form::F5 => 5,
            Form::F6 => 6,
            Form::F7 => 7,
            Form::F8 => 8,
            Form::F9 => 9,
            Form::F10 => 10,
            Form::F11 => 11,
            Form::F12 => 12,
            Form::F13 => 13,
            Form::F14 => 14,
            Form::F15 => 15,
        }
    }

    /// The form of a number.
    pub fn from_number(n: u8) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.number() == n)
    }

    pub fn kind(self) -> FormKind {
        match self {
            Form::F2 | Form::F3 => FormKind::Movement,
            Form::F14 | Form::F15 => FormKind::List,
            Form::F12 | Form::F13 => FormKind::Profile,
            _ => FormKind::Tally,
        }
    }

    /// The title, in capitals as printed (without the year).
    pub fn title_vi(self) -> &'static str {
        match self {
            Form::F1 => "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO, HỘ CÓ MỨC SỐNG TRUNG BÌNH",
            Form::F2 => "TỔNG HỢP DIỄN BIẾN HỘ NGHÈO",
            Form::F3 => "TỔNG HỢP DIỄN BIẾN HỘ CẬN NGHÈO",
            Form::F4 => "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO",
            Form::F5 => "PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ NGHÈO",
            Form::F6 => "PHÂN TÍCH CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ CẬN NGHÈO",
            Form::F7 => "PHÂN TÍCH TỶ LỆ CÁC CHỈ SỐ THIẾU HỤT DỊCH VỤ XÃ HỘI CƠ BẢN CỦA HỘ CẬN NGHÈO",
            Form::F8 => "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO CÁC NHÓM ĐỐI TƯỢNG",
            Form::F9 => "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO DÂN TỘC CỦA CHỦ HỘ",
            Form::F10 => "PHÂN TÍCH HỘ NGHÈO, HỘ CẬN NGHÈO THEO NGUYÊN NHÂN NGHÈO",
            Form::F11 => "TỔNG HỢP CHỈ TIÊU THIẾU HỤT CỦA TRẺ EM THUỘC HỘ NGHÈO, HỘ CẬN NGHÈO",
            Form::F12 => "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU",
            Form::F13 => "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO THEO CHUẨN NGHÈO ĐA CHIỀU",
            Form::F14 => "DANH SÁCH CHI TIẾT HỘ CẬN NGHÈO",
            Form::F15 => "DANH SÁCH CHI TIẾT HỘ NGHÈO",
        }
    }

    /// The sheet name, e.g. "Biểu 01".
    pub fn sheet_name(self) -> String {
        format!("Biểu {:02}", self.number())
    }
}

/// What a report covers, for its title.
#[derive(Debug, Clone)]
pub struct FormMeta {
    /// Code of the reporting unit (commune, old district, province; "VN" or empty for the
    /// country).
    pub unit_code: String,
    /// Its name as printed, e.g. "Tỉnh Lào Cai".
    pub unit_name: String,
    /// The review period (*kỳ rà soát*), e.g. "2025".
    pub period: String,
    /// The start period of movement forms (*đầu kỳ*), e.g. "2024"; when `None`, forms 2, 3, 12
    /// and 13 print only `period` (and 12–13 leave their old / new / re-entered columns blank).
    pub start_period: Option<String>,
    /// The standard applied, e.g. "2022-2025".
    pub standard_id: String,
    /// The reference date of the classification (*thời điểm rà soát*).
    pub as_of: NaiveDate,
    /// What form 1's rates are taken over.
    pub base: RateBase,
    /// The provisions of the standard (and procedure) the form relies on that are not verified
    /// against the official text, as printed (what — citation); printed on every form.
    pub unverified: Vec<String>,
    /// Households of the period the standard could not classify (not in the form), and why.
    pub unclassified: Option<(u64, String)>,
    /// 2024 communes with answers in the period that no 2025 commune succeeds: their households
    /// are in no province's figures (only in the country's).
    pub unmapped: Vec<String>,
}

impl FormMeta {
    fn unit_line(&self) -> String {
        if self.unit_code.is_empty() {
            format!("Đơn vị: {}", nfc(&self.unit_name))
        } else {
            format!("Đơn vị: {} (mã {})", nfc(&self.unit_name), self.unit_code)
        }
    }

    fn subtitle(&self, form: Form) -> String {
        let period = match (&self.start_period, form.kind()) {
            (Some(s), FormKind::Movement | FormKind::Profile) => {
                format!("Đầu kỳ: năm {s}; cuối kỳ: năm {}", self.period)
            }
            _ => format!("Kỳ rà soát: năm {}", self.period),
        };
        format!(
            "{} — {period} — Chuẩn nghèo {} — Ngày tham chiếu {}",
            self.unit_line(),
            self.standard_id,
            self.as_of.format("%d/%m/%Y")
        )
    }
}

/// One row of a form: a unit (a sub-unit of the report's unit) and its counts.
#[derive(Debug, Clone)]
pub struct FormRow<T> {
    pub code: String,
    pub name: String,
    pub tally: T,
    /// The row's resident households and persons, when recorded (form 1's base under
    /// [`RateBase::Residents`]).
    pub residents: Option<Residents>,
}

/// What form 1's rates are taken over (*tổng số hộ dân cư*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateBase {
    /// The households counted: a file that holds every resident household (`vuonlen summary`).
    Counted,
    /// The residents recorded for each unit (the registry: a review surveys listed households and
    /// applicants only). `total` is the reporting unit's (`None` when communes lack theirs);
    /// `missing` names the communes with surveys but no residents recorded.
    Residents { total: Option<Residents>, missing: Vec<String> },
}

/// The base of one row of form 1.
#[derive(Debug, Clone, Copy)]
enum RowBase {
    Counted,
    Known(Residents),
    Unknown,
}

impl RowBase {
    fn of(base: &RateBase, residents: Option<Residents>) -> RowBase {
        match (base, residents) {
            (RateBase::Counted, _) => RowBase::Counted,
            (RateBase::Residents { .. }, Some(r)) => RowBase::Known(r),
            (RateBase::Residents { .. }, None) => RowBase::Unknown,
        }
    }
}

/// Errors writing a form; messages in Vietnamese and English.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("Không ghi được tệp / Cannot write file {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("Không ghi được sổ tính Excel / Cannot write Excel workbook {path}: {source}")]
    Xlsx { path: PathBuf, source: XlsxError },
    #[error(
        "Biểu số {form} không ghi được bằng hàm này (cần biểu {expected}) / Form {form} cannot be written here (expected a {expected} form)"
    )]
    WrongForm { form: u8, expected: &'static str },
    #[error("Hộ có quá nhiều thành viên cho một trang tính / A household has too many members for one sheet")]
    TooManyRows,
}

// ---------------------------------------------------------------------------------------------
// Layout

/// Rows of every sheet: form number, title, subtitle, note, blank, two heading rows, the
/// column-number row, then data.
const ROW_FORM_NO: u32 = 0;
const ROW_TITLE: u32 = 1;
const ROW_SUBTITLE: u32 = 2;
const ROW_NOTE: u32 = 3;
const ROW_HEAD: u32 = 5;
const ROW_NUMBERS: u32 = 7;
const ROW_DATA: u32 = 8;

struct Formats {
    form_no: Format,
    title: Format,
    subtitle: Format,
    note: Format,
    head: Format,
    number_row: Format,
    text: Format,
    indented: Format,
    bold_text: Format,
    center: Format,
    int: Format,
    bold_int: Format,
    rate: Format,
    bold_rate: Format,
}

impl Formats {
    fn new() -> Self {
        let font = Format::new().set_font_name("Times New Roman").set_font_size(11);
        let base = font.clone().set_border(FormatBorder::Thin).set_align(FormatAlign::VerticalCenter);
        let bold = base.clone().set_bold();
        Formats {
            form_no: font.clone().set_bold(),
            title: font.clone().set_font_size(14).set_bold().set_align(FormatAlign::Center).set_text_wrap(),
            subtitle: font.clone().set_italic().set_align(FormatAlign::Center).set_text_wrap(),
            note: font.set_italic().set_font_size(10).set_text_wrap().set_align(FormatAlign::Top),
            head: bold.clone().set_text_wrap().set_align(FormatAlign::Center),
            number_row: base.clone().set_italic().set_align(FormatAlign::Center).set_font_size(10),
            text: base.clone().set_text_wrap(),
            indented: base.clone().set_indent(1),
            bold_text: bold.clone().set_text_wrap(),
            center: base.clone().set_align(FormatAlign::Center),
            int: base.clone().set_num_format("#,##0"),
            bold_int: bold.clone().set_num_format("#,##0"),
            rate: base.set_num_format("0.00"),
            bold_rate: bold.set_num_format("0.00"),
        }
    }
}

/// A heading over the value columns: one column spanning both heading rows, or a group.
enum Head {
    One(String),
    Group(String, Vec<String>),
}

impl Head {
    fn width(&self) -> u16 {
        match self {
            Head::One(_) => 1,
            Head::Group(_, subs) => subs.len().max(1) as u16,
        }
    }
}

/// A value cell.
#[derive(Clone, Copy)]
enum Val {
    Count(u64),
    /// Percentage, already rounded to two decimals.
    Rate(f64),
    /// Not known (a rate without its base): an empty cell.
    Blank,
}

/// The shape of a unit table: headings of the value columns, their column numbers, and an
/// optional label column for units printed on several rows (e.g. "Hộ" / "Nhân khẩu").
struct Table {
    heads: Vec<Head>,
    numbers: Vec<String>,
    label_head: Option<&'static str>,
    notes: Vec<String>,
}

/// A4 landscape, one page wide, headings repeated, page numbers in the footer.
fn print_setup(ws: &mut Worksheet, last_head_row: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_footer("&CTrang &P/&N");
    ws.set_repeat_rows(ROW_HEAD, last_head_row)?;
    Ok(())
}

/// Writes the form number, title, subtitle and notes across `ncols` columns.
fn write_title(
    ws: &mut Worksheet,
    f: &Formats,
    form: Form,
    meta: &FormMeta,
    ncols: u16,
    notes: &[String],
) -> Result<(), XlsxError> {
    let last = ncols.saturating_sub(1).max(1);
    ws.write_string_with_format(ROW_FORM_NO, 0, format!("Biểu số {:02}", form.number()), &f.form_no)?;
    let title = format!("{} NĂM {}", form.title_vi(), nfc(&meta.period));
    ws.merge_range(ROW_TITLE, 0, ROW_TITLE, last, &title, &f.title)?;
    ws.set_row_height(ROW_TITLE, 36)?;
    ws.merge_range(ROW_SUBTITLE, 0, ROW_SUBTITLE, last, &meta.subtitle(form), &f.subtitle)?;
    ws.set_row_height(ROW_SUBTITLE, 30)?;
    let mut note = String::from(TEMPLATE_NOTE_VI);
    for n in notes {
        note.push(' ');
        note.push_str(n);
    }
    if let Some((n, why)) = &meta.unclassified
        && *n > 0
    {
        note.push_str(&format!(
            " {n} hộ của kỳ không phân loại được theo chuẩn {} nên không có trong biểu: {why}.",
            meta.standard_id
        ));
    }
    if !meta.unmapped.is_empty() {
        note.push_str(&format!(
            " {} xã cũ (danh mục 2024) có hộ được rà soát nhưng chưa xác định được xã mới ({}): số liệu của các \
             hộ này không thuộc tỉnh nào, chỉ có trong số liệu cả nước.",
            meta.unmapped.len(),
            meta.unmapped.join(", ")
        ));
    }
    if !meta.unverified.is_empty() {
        note.push_str(" Quy định chưa xác minh với văn bản gốc: ");
        note.push_str(&meta.unverified.join("; "));
        note.push('.');
    }
    ws.merge_range(ROW_NOTE, 0, ROW_NOTE, last, &note, &f.note)?;
    // About 150 characters a line across a form's width.
    let lines = note.chars().count().div_ceil(150).max(2);
    ws.set_row_height(ROW_NOTE, 15.0 * lines as f64)?;
    Ok(())
}

/// Writes two heading rows from column `first`; returns the number of value columns.
fn write_heads(ws: &mut Worksheet, f: &Formats, first: u16, heads: &[Head]) -> Result<u16, XlsxError> {
    let mut c = first;
    for h in heads {
        match h {
            Head::One(s) => {
                ws.merge_range(ROW_HEAD, c, ROW_HEAD + 1, c, s, &f.head)?;
            }
            Head::Group(s, subs) => {
                let w = h.width();
                if w > 1 {
                    ws.merge_range(ROW_HEAD, c, ROW_HEAD, c + w - 1, s, &f.head)?;
                } else {
                    ws.write_string_with_format(ROW_HEAD, c, s, &f.head)?;
                }
                for (i, sub) in subs.iter().enumerate() {
                    ws.write_string_with_format(ROW_HEAD + 1, c + i as u16, sub, &f.head)?;
                }
            }
        }
        c += h.width();
    }
    Ok(c - first)
}

fn letters(n: usize) -> impl Iterator<Item = String> {
    (0..n).map(|i| char::from(b'A' + i as u8).to_string())
}

/// The value rows of one unit, each with an optional label (e.g. "Hộ" / "Nhân khẩu").
type ValueRows = Vec<(Option<&'static str>, Vec<Val>)>;

/// What a unit table prints: the form, its unit, the sub-unit rows and the unit's total.
struct Body<'a, T> {
    form: Form,
    meta: &'a FormMeta,
    rows: &'a [FormRow<T>],
    total: &'a T,
}

/// Writes a unit table: the total of the reporting unit first, then each sub-unit. `rows_of`
/// gives the value rows of one tally (one or more, each with an optional label).
fn write_table<T>(
    wb: &mut Workbook,
    f: &Formats,
    body: &Body<'_, T>,
    table: &Table,
    rows_of: &dyn Fn(&T, RowBase) -> ValueRows,
) -> Result<(), XlsxError> {
    let Body { form, meta, rows, total } = *body;
    let ws = wb.add_worksheet();
    ws.set_name(form.sheet_name())?;
    let fixed: u16 = if table.label_head.is_some() { 4 } else { 3 };
    let nvals: u16 = table.heads.iter().map(Head::width).sum();
    let ncols = fixed + nvals;
    write_title(ws, f, form, meta, ncols, &table.notes)?;

    // Headings.
    ws.merge_range(ROW_HEAD, 0, ROW_HEAD + 1, 0, "STT", &f.head)?;
    ws.merge_range(ROW_HEAD, 1, ROW_HEAD + 1, 1, "Mã đơn vị", &f.head)?;
    ws.merge_range(ROW_HEAD, 2, ROW_HEAD + 1, 2, "Tên đơn vị", &f.head)?;
    if let Some(l) = table.label_head {
        ws.merge_range(ROW_HEAD, 3, ROW_HEAD + 1, 3, l, &f.head)?;
    }
    write_heads(ws, f, fixed, &table.heads)?;
    // Heading heights from the longest texts, at about 11 characters a line in a column.
    let lines = |s: &str, cols: usize| s.chars().count().div_ceil(11 * cols.max(1)).max(1);
    let top = table.heads.iter().map(|h| match h {
        Head::One(_) => 1,
        Head::Group(s, subs) => lines(s, subs.len()),
    });
    let sub = table.heads.iter().map(|h| match h {
        // Spans both rows: half of it in the second.
        Head::One(s) => lines(s, 1).div_ceil(2),
        Head::Group(_, subs) => subs.iter().map(|s| lines(s, 1)).max().unwrap_or(1),
    });
    ws.set_row_height(ROW_HEAD, 15.0 * top.max().unwrap_or(1).clamp(1, 3) as f64 + 6.0)?;
    ws.set_row_height(ROW_HEAD + 1, 15.0 * sub.max().unwrap_or(2).clamp(2, 8) as f64)?;
    for (c, s) in letters(fixed as usize).chain(table.numbers.iter().cloned()).enumerate() {
        ws.write_string_with_format(ROW_NUMBERS, c as u16, &s, &f.number_row)?;
    }

    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 8)?;
    ws.set_column_width(2, 26)?;
    if table.label_head.is_some() {
        ws.set_column_width(3, 12)?;
    }
    for (c, n) in (fixed..ncols).zip(table.numbers.iter().map(|s| s.chars().count()).chain(std::iter::repeat(0))) {
        ws.set_column_width(c, (n as f64 * 0.8 + 1.0).max(11.0))?;
    }

    // Data: the total first (bold), then the sub-units.
    let mut r = ROW_DATA;
    let total_residents = match &meta.base {
        RateBase::Residents { total, .. } => *total,
        RateBase::Counted => None,
    };
    let units = std::iter::once((None, meta.unit_code.as_str(), "Tổng cộng", total, total_residents)).chain(
        rows.iter().enumerate().map(|(i, u)| (Some(i + 1), u.code.as_str(), u.name.as_str(), &u.tally, u.residents)),
    );
    for (stt, code, name, tally, residents) in units {
        let strong = stt.is_none();
        let (tx, it, rt) = if strong { (&f.bold_text, &f.bold_int, &f.bold_rate) } else { (&f.text, &f.int, &f.rate) };
        let vrows = rows_of(tally, RowBase::of(&meta.base, residents));
        let n = vrows.len().max(1) as u32;
        let name = nfc(name);
        let mut label_cells = |col: u16, cell: Option<f64>, s: &str| -> Result<(), XlsxError> {
            if n > 1 {
                ws.merge_range(r, col, r + n - 1, col, s, if col == 0 { &f.center } else { tx })?;
                if let Some(v) = cell {
                    ws.write_number_with_format(r, col, v, &f.center)?;
                }
            } else if let Some(v) = cell {
                ws.write_number_with_format(r, col, v, &f.center)?;
            } else {
                ws.write_string_with_format(r, col, s, if col == 0 { &f.center } else { tx })?;
            }
            Ok(())
        };
        label_cells(0, stt.map(|s| s as f64), "")?;
        label_cells(1, None, code)?;
        label_cells(2, None, &name)?;
        for (k, (label, vals)) in vrows.iter().enumerate() {
            let row = r + k as u32;
            if let Some(l) = label {
                ws.write_string_with_format(row, 3, *l, tx)?;
            }
            for (j, v) in vals.iter().enumerate() {
                let col = fixed + j as u16;
                match *v {
                    Val::Count(x) => ws.write_number_with_format(row, col, x as f64, it)?,
                    Val::Rate(x) => ws.write_number_with_format(row, col, x, rt)?,
                    Val::Blank => ws.write_blank(row, col, it)?,
                };
            }
        }
        r += n;
    }
    ws.set_freeze_panes(ROW_DATA, fixed)?;
    print_setup(ws, ROW_NUMBERS)?;
    Ok(())
}

/// A workbook of one unit table (forms 2, 3, 12, 13), saved to `out`.
fn write_one_table<T>(
    out: Destination<'_>,
    body: &Body<'_, T>,
    table: &Table,
    rows_of: &dyn Fn(&T, RowBase) -> ValueRows,
) -> Result<(), FormError> {
    let mut wb = Workbook::new();
    write_table(&mut wb, &Formats::new(), body, table, rows_of).map_err(|e| xlsx_err(&out.name(), e))?;
    out.save(&mut wb)
}

// ---------------------------------------------------------------------------------------------
// Forms 1, 4–11

fn one(s: impl Into<String>) -> Head {
    Head::One(s.into())
}

fn numbered(n: usize) -> Vec<String> {
    (1..=n).map(|i| i.to_string()).collect()
}

/// The indicators of `std` grouped by consecutive dimension, as heading groups of
/// `label(j, indicator name)`.
fn indicator_heads(std: &Standard, label: impl Fn(usize, &str) -> String) -> Vec<Head> {
    let mut heads: Vec<Head> = Vec::new();
    let mut last_dim: Option<&str> = None;
    for (j, ind) in std.indicators.iter().enumerate() {
        let sub = label(j, &ind.name_vi);
        match heads.last_mut() {
            Some(Head::Group(_, subs)) if last_dim == Some(ind.dimension.as_str()) => subs.push(sub),
            _ => {
                let dim = std.dimensions.iter().find(|d| d.code == ind.dimension);
                let name = dim.map_or_else(|| ind.dimension.clone(), |d| d.name_vi.clone());
                heads.push(Head::Group(name, vec![sub]));
            }
        }
        last_dim = Some(ind.dimension.as_str());
    }
    heads
}

/// Ethnicities (of the head) present among poor or near-poor households of `total`.
fn ethnicities_in_groups(total: &UnitTally) -> Vec<Ethnicity> {
    total
        .ethnicities_present()
        .into_iter()
        .filter(|e| Group::ALL.iter().any(|g| total.group(*g).with_head(*e) > 0))
        .collect()
}

fn ethnicity_name(e: Ethnicity) -> &'static str {
    e.name().unwrap_or("Dân tộc khác (ngoài danh mục)")
}

/// The note on form 1's base: rates over the households of a file, or over recorded residents
/// (naming the communes that lack them).
fn base_note(base: &RateBase) -> String {
    match base {
        RateBase::Counted => {
            "Tổng số hộ dân cư, nhân khẩu: các hộ trong tệp dữ liệu (tỷ lệ chỉ đúng khi tệp gồm mọi hộ \
                              dân cư của địa bàn)."
                .into()
        }
        RateBase::Residents { missing, .. } if missing.is_empty() => {
            "Tổng số hộ dân cư, nhân khẩu: số liệu dân cư đã nhập cho từng xã (không phải số hộ đã rà soát).".into()
        }
        RateBase::Residents { missing, .. } => {
            const SHOWN: usize = 20;
            let mut list = missing.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
            if missing.len() > SHOWN {
                list.push_str(&format!(" và {} xã khác", missing.len() - SHOWN));
            }
            format!(
                "CHƯA CÓ số hộ dân cư, nhân khẩu của {} xã có hộ được rà soát ({list}): tỷ lệ của các dòng thiếu \
                 và của tổng cộng để trống. Nhập bằng lệnh `vuonlen totals import`.",
                missing.len()
            )
        }
    }
}

/// Form 1's (households, persons) of the poor, the near-poor and the NLNDN middle-living.
fn form1_counts(t: &UnitTally) -> [(u64, u64); 3] {
    [
        (t.households_in(Class::Poor), t.persons_in(Class::Poor)),
        (t.households_in(Class::NearPoor), t.persons_in(Class::NearPoor)),
        (t.nlndn_middle_households, t.nlndn_middle_persons),
    ]
}

/// Form 1's groups, as headed.
const FORM1_GROUPS: [&str; 3] =
    ["Hộ nghèo", "Hộ cận nghèo", "Hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình"];

fn tally_table(form: Form, std: &Standard, meta: &FormMeta, total: &UnitTally) -> Result<Table, FormError> {
    let table = match form {
        Form::F1 => {
            let mut heads = vec![one("Tổng số hộ dân cư"), one("Tổng số nhân khẩu")];
            for g in FORM1_GROUPS {
                heads.push(Head::Group(g.to_string(), vec!["Số hộ".into(), "Tỷ lệ (%)".into()]));
            }
            for g in FORM1_GROUPS {
                let name = format!("Nhân khẩu {}", g.to_lowercase());
                heads.push(Head::Group(name, vec!["Số người".into(), "Tỷ lệ (%)".into()]));
            }
            let numbers = [
                "1",
                "2",
                "3",
                "4 = 3/1×100",
                "5",
                "6 = 5/1×100",
                "7",
                "8 = 7/1×100",
                "9",
                "10 = 9/2×100",
                "11",
                "12 = 11/2×100",
                "13",
                "14 = 13/2×100",
            ];
            Table {
                heads,
                numbers: numbers.iter().map(|s| s.to_string()).collect(),
                label_head: None,
                notes: vec![
                    base_note(&meta.base),
                    "Hộ có mức sống trung bình: hộ trong khoảng mức sống trung bình của chuẩn (thu nhập thực tế) \
                     và có câu trả lời làm nông, lâm, ngư, diêm nghiệp (trường nlndn); hộ chỉ có điểm A không là hộ \
                     có mức sống trung bình."
                        .into(),
                ],
            }
        }
        Form::F4 | Form::F6 => {
            let g = if form == Form::F4 { "hộ nghèo" } else { "hộ cận nghèo" };
            let mut heads = vec![one(format!("Tổng số {g}")), one("Tổng số lượt chỉ số thiếu hụt")];
            heads.extend(indicator_heads(std, |j, n| format!("{}. {n}", j + 1)));
            Table {
                heads,
                numbers: numbered(2 + std.indicators.len()),
                label_head: None,
                notes: vec![format!("Số {g} thiếu hụt từng chỉ số (hộ).")],
            }
        }
        Form::F5 | Form::F7 => {
            let g = if form == Form::F5 { "hộ nghèo" } else { "hộ cận nghèo" };
            let mut heads = vec![one(format!("Tổng số {g}"))];
            heads.extend(indicator_heads(std, |j, n| format!("{}. {n}", j + 1)));
            let mut numbers = vec!["1".to_string()];
            numbers.extend((0..std.indicators.len()).map(|j| format!("{}", j + 2)));
            Table {
                heads,
                numbers,
                label_head: None,
                notes: vec![format!(
                    "Tỷ lệ {g} thiếu hụt từng chỉ số trên tổng số {g} (%), làm tròn hai chữ số thập phân."
                )],
            }
        }
        Form::F8 => {
            // The target groups of the review software's export: no labour capacity, merit,
            // ethnic minority head, local ethnic minority; then the six groups of support received.
            let (groups, support) = form8_heads();
            let n = 1 + groups.len() + support.len();
            let heads = vec![
                one("Tổng số hộ"),
                Head::Group("Trong đó".into(), groups),
                Head::Group("Hộ đã nhận hỗ trợ".into(), support),
            ];
            Table {
                heads,
                numbers: numbered(n),
                label_head: Some("Nhóm hộ"),
                notes: vec![
                    "Một hộ có thể thuộc nhiều nhóm và nhận nhiều loại hỗ trợ. Các cột theo trường dữ liệu xuất của phần \
                     mềm rà soát; dân tộc tại chỗ và hỗ trợ đã nhận theo câu trả lời được ghi (để trống: không tính)."
                        .into(),
                ],
            }
        }
        Form::F9 => {
            let pair = || vec!["Hộ nghèo".to_string(), "Hộ cận nghèo".to_string()];
            let mut heads = vec![Head::Group("Tổng số".into(), pair()), Head::Group("Dân tộc thiểu số".into(), pair())];
            for e in ethnicities_in_groups(total) {
                heads.push(Head::Group(ethnicity_name(e).to_string(), pair()));
            }
            let n: u16 = heads.iter().map(Head::width).sum();
            Table {
                heads,
                numbers: numbered(n as usize),
                label_head: None,
                notes: vec![
                    "Theo dân tộc của chủ hộ; chỉ có các dân tộc có hộ nghèo hoặc hộ cận nghèo trên địa bàn.".into(),
                ],
            }
        }
        Form::F10 => {
            let mut subs: Vec<String> = PovertyCause::ALL.iter().map(|c| capitalise(c.label_vi())).collect();
            subs.push("Không ghi nguyên nhân".into());
            let n = 1 + subs.len();
            Table {
                heads: vec![one("Tổng số hộ"), Head::Group("Nguyên nhân nghèo, cận nghèo".into(), subs)],
                numbers: numbered(n),
                label_head: Some("Nhóm hộ"),
                notes: vec!["Một hộ có thể có nhiều nguyên nhân.".into()],
            }
        }
        Form::F11 => {
            let subs = || {
                vec![
                    "Tổng số trẻ em".to_string(),
                    "Không có thẻ BHYT".to_string(),
                    "Suy dinh dưỡng".to_string(),
                    "Không đi học (6 đến dưới 16 tuổi)".to_string(),
                ]
            };
            Table {
                heads: vec![
                    Head::Group("Trẻ em thuộc hộ nghèo".into(), subs()),
                    Head::Group("Trẻ em thuộc hộ cận nghèo".into(), subs()),
                ],
                numbers: numbered(8),
                label_head: None,
                notes: vec![
                    "Trẻ em: dưới 16 tuổi tại ngày tham chiếu. Các cột theo trường dữ liệu xuất của phần mềm rà soát \
                     (số trẻ em, không có BHYT, thiếu hụt dinh dưỡng, không đi học); định nghĩa chưa được đối chiếu \
                     với văn bản gốc."
                        .into(),
                ],
            }
        }
        other => return Err(FormError::WrongForm { form: other.number(), expected: "tổng hợp 1, 4–11 / tally" }),
    };
    Ok(table)
}

/// Form 8's column headings (also forms 12–13's): the target groups (no labour capacity, merit,
/// ethnic minority head, then the recorded local ethnic minority) and the six groups of support
/// received.
fn form8_heads() -> (Vec<String>, Vec<String>) {
    let mut groups: Vec<String> = FORM8_SUBGROUPS.iter().map(|s| s.label_vi().to_string()).collect();
    let form8 = vuonlen_core::report::form8_fields();
    let (local, support) = form8.split_at(1);
    groups.extend(local.iter().map(|f| format!("Hộ {}", f.label_vi.to_lowercase())));
    let support = support.iter().map(|f| capitalise(f.label_vi.trim_start_matches("Đã nhận hỗ trợ ").trim())).collect();
    (groups, support)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn tally_rows(form: Form, std: &Standard, eths: &[Ethnicity], t: &UnitTally, base: RowBase) -> ValueRows {
    use Val::*;
    let d = std.indicators.len();
    let group_rows = |f: &dyn Fn(&GroupTally) -> Vec<Val>| {
        Group::ALL.iter().map(|g| (Some(g.label_vi()), f(t.group(*g)))).collect::<Vec<_>>()
    };
    match form {
        Form::F1 => {
            let base = match base {
                RowBase::Counted => Some(Residents { households: t.households, persons: t.persons }),
                RowBase::Known(r) => Some(r),
                RowBase::Unknown => None,
            };
            let rate = |n: u64, of: fn(&Residents) -> u64| match base {
                Some(b) if of(&b) > 0 => Rate(percent_2dp(n, of(&b))),
                _ => Blank,
            };
            let mut v = match base {
                Some(b) => vec![Count(b.households), Count(b.persons)],
                None => vec![Blank, Blank],
            };
            // Middle-living: only the households working in agriculture, forestry, fishery or
            // salt making (NLNDN), as the form's heading says.
            for (h, _) in form1_counts(t) {
                v.push(Count(h));
                v.push(rate(h, |b| b.households));
            }
            for (_, p) in form1_counts(t) {
                v.push(Count(p));
                v.push(rate(p, |b| b.persons));
            }
            vec![(None, v)]
        }
        Form::F4 | Form::F6 => {
            let g = t.group(if form == Form::F4 { Group::Poor } else { Group::NearPoor });
            let mut v = vec![Count(g.households), Count(g.deprivations)];
            v.extend(g.deprived[..d].iter().map(|x| Count(*x)));
            vec![(None, v)]
        }
        Form::F5 | Form::F7 => {
            let g = t.group(if form == Form::F5 { Group::Poor } else { Group::NearPoor });
            let mut v = vec![Count(g.households)];
            v.extend(g.deprived[..d].iter().map(|x| Rate(percent_2dp(*x, g.households))));
            vec![(None, v)]
        }
        Form::F8 => group_rows(&|g| {
            let mut v = vec![Count(g.households)];
            v.extend(FORM8_SUBGROUPS.iter().map(|s| Count(g.in_subgroup(*s))));
            v.extend((0..vuonlen_core::report::form8_fields().len()).map(|j| Count(g.form8_households[j])));
            v
        }),
        Form::F9 => {
            let (p, n) = (t.group(Group::Poor), t.group(Group::NearPoor));
            let mut v = vec![
                Count(p.households),
                Count(n.households),
                Count(p.minority_households()),
                Count(n.minority_households()),
            ];
            for e in eths {
                v.push(Count(p.with_head(*e)));
                v.push(Count(n.with_head(*e)));
            }
            vec![(None, v)]
        }
        Form::F10 => group_rows(&|g| {
            let mut v = vec![Count(g.households)];
            v.extend(PovertyCause::ALL.iter().map(|c| Count(g.citing(*c))));
            v.push(Count(g.no_cause_households));
            v
        }),
        Form::F11 => {
            let mut v = Vec::with_capacity(8);
            for g in Group::ALL {
                let c = &t.group(g).children;
                v.extend([c.children, c.no_health_insurance, c.malnourished, c.not_in_school].map(Count));
            }
            vec![(None, v)]
        }
        _ => Vec::new(),
    }
}

fn add_tally_sheet(
    wb: &mut Workbook,
    f: &Formats,
    body: &Body<'_, UnitTally>,
    std: &Standard,
    path: &Path,
) -> Result<(), FormError> {
    let table = tally_table(body.form, std, body.meta, body.total)?;
    let eths = ethnicities_in_groups(body.total);
    let rows_of = |t: &UnitTally, base: RowBase| tally_rows(body.form, std, &eths, t, base);
    write_table(wb, f, body, &table, &rows_of).map_err(|e| xlsx_err(path, e))
}

/// Writes one of forms 1, 4–11 for a unit: `total` is the unit's tally (usually the merge of
/// the rows, but the caller decides), `rows` its sub-units in print order.
pub fn write_form<'a>(
    out: impl Into<Destination<'a>>,
    form: Form,
    std: &Standard,
    meta: &FormMeta,
    rows: &[FormRow<UnitTally>],
    total: &UnitTally,
) -> Result<(), FormError> {
    write_forms(out, &[form], std, meta, rows, total)
}

/// Writes several of forms 1, 4–11 into one workbook, a sheet each, in the order given.
pub fn write_forms<'a>(
    out: impl Into<Destination<'a>>,
    forms: &[Form],
    std: &Standard,
    meta: &FormMeta,
    rows: &[FormRow<UnitTally>],
    total: &UnitTally,
) -> Result<(), FormError> {
    let out = out.into();
    let path = out.name();
    let f = Formats::new();
    let mut wb = Workbook::new();
    for form in forms {
        add_tally_sheet(&mut wb, &f, &Body { form: *form, meta, rows, total }, std, &path)?;
    }
    out.save(&mut wb)
}

// ---------------------------------------------------------------------------------------------
// Forms 2, 3

/// Writes form 2 (poor) or 3 (near-poor) movements for a unit: each unit on two rows, households
/// (*hộ*) and persons (*nhân khẩu*), columns 1–9 of domain reference §3.5.
pub fn write_movement_form<'a>(
    out: impl Into<Destination<'a>>,
    form: Form,
    meta: &FormMeta,
    rows: &[FormRow<MovementTally>],
    total: &MovementTally,
) -> Result<(), FormError> {
    let group = match form {
        Form::F2 => Group::Poor,
        Form::F3 => Group::NearPoor,
        other => return Err(FormError::WrongForm { form: other.number(), expected: "diễn biến 2, 3 / movement" }),
    };
    let labels = column_labels_vi(group);
    let heads = vec![
        Head::One(labels[0].to_string()),
        Head::Group("Giảm trong kỳ".into(), labels[1..4].iter().map(|s| s.to_string()).collect()),
        Head::Group("Tăng trong kỳ".into(), labels[4..8].iter().map(|s| s.to_string()).collect()),
        Head::One(labels[8].to_string()),
    ];
    let mut numbers = numbered(8);
    numbers.push("9 = 1−2−3−4+5+6+7+8".into());
    let table = Table {
        heads,
        numbers,
        label_head: Some("Phân tổ"),
        notes: vec![
            "Mỗi hộ được tính ở đúng một cột tăng hoặc giảm; nhân khẩu của hộ vẫn thuộc nhóm ở cả đầu kỳ và cuối kỳ \
             mà thay đổi thì tính vào cột 4 (giảm) hoặc cột 8 (tăng)."
                .into(),
        ],
    };
    let rows_of = |t: &MovementTally, _: RowBase| {
        let m = t.of(group);
        vec![
            (Some("Hộ"), m.households.iter().map(|x| Val::Count(*x)).collect()),
            (Some("Nhân khẩu"), m.persons.iter().map(|x| Val::Count(*x)).collect()),
        ]
    };
    write_one_table(out.into(), &Body { form, meta, rows, total }, &table, &rows_of)
}

// ---------------------------------------------------------------------------------------------
// Forms 12, 13

/// What forms 12 and 13 print of a unit: its tally and, when a start period is known (and the
/// form reports the period's own standard), its movements.
#[derive(Debug, Clone, Default)]
pub struct ProfileTally {
    pub tally: UnitTally,
    pub movement: Option<MovementTally>,
}

impl ProfileTally {
    /// Adds another unit's figures (a movement known for only one side is unknown for the sum).
    pub fn merge(&mut self, other: &ProfileTally) {
        self.tally.merge(&other.tally);
        self.movement = match (self.movement.take(), &other.movement) {
            (Some(mut a), Some(b)) => {
                a.merge(b);
                Some(a)
            }
            _ => None,
        };
    }
}

/// The group a profile form reports.
fn profile_group(form: Form) -> Result<Group, FormError> {
    match form {
        Form::F12 => Ok(Group::Poor),
        Form::F13 => Ok(Group::NearPoor),
        other => {
            Err(FormError::WrongForm { form: other.number(), expected: "theo chuẩn đa chiều 12, 13 / profile" })
        }
    }
}

/// Columns 3–5 of forms 12–13 from a group's movement columns 1–9 (form 2 or 3): still in the
/// group since the start (1 − 2 − 3 − 4), new to it (5 + 7 + 8), re-entered (6).
pub fn profile_origin(m: &vuonlen_core::movement::MovementCounts) -> [u64; 3] {
    let h = &m.households;
    [h[0].saturating_sub(h[1] + h[2] + h[3]), h[4] + h[6] + h[7], h[5]]
}

/// Writes form 12 (poor) or 13 (near-poor) for a unit: one row per unit with the group's
/// households and persons, where they come from (old, new, re-entered: from the movements when
/// a start period is given), the target groups and support received of form 8, the deprivations
/// of form 4 / 6 and the children of form 11.
pub fn write_profile_form<'a>(
    out: impl Into<Destination<'a>>,
    form: Form,
    meta: &FormMeta,
    rows: &[FormRow<ProfileTally>],
    total: &ProfileTally,
) -> Result<(), FormError> {
    let group = profile_group(form)?;
    let (name, short) = match group {
        Group::Poor => ("hộ nghèo", "nghèo"),
        Group::NearPoor => ("hộ cận nghèo", "cận nghèo"),
    };
    let (groups, support) = form8_heads();
    let form8 = vuonlen_core::report::form8_fields();
    let origin = vec![format!("Hộ {short} cũ (từ đầu kỳ)"), format!("Hộ {short} mới"), format!("Hộ tái {short}")];
    let n_groups = groups.len();
    let n_support = support.len();
    let heads = vec![
        one(format!("Tổng số {name}")),
        one("Số nhân khẩu"),
        Head::Group("Chia theo diễn biến trong kỳ".into(), origin),
        Head::Group("Trong đó".into(), groups),
        Head::Group("Hộ đã nhận hỗ trợ".into(), support),
        one("Tổng số lượt chỉ số thiếu hụt"),
        one("Số trẻ em dưới 16 tuổi"),
    ];
    let mut numbers: Vec<String> = vec!["1".into(), "2".into(), "3".into(), "4".into(), "5".into()];
    numbers.extend((0..n_groups + n_support + 2).map(|i| (i + 6).to_string()));
    let movement_form = if group == Group::Poor { 2 } else { 3 };
    let mut notes = vec![format!(
        "Bố cục cột dựng lại từ các trường dữ liệu của phần mềm rà soát cho biểu này (nguồn thứ cấp), chưa đối chiếu \
         với phụ lục Thông tư 07/2021/TT-BLĐTBXH. Cột 3 = cột 1 − 2 − 3 − 4, cột 4 = cột 5 + 7 + 8, cột 5 = cột 6 của \
         biểu {movement_form:02}; 3 + 4 + 5 = 1. Một hộ có thể thuộc nhiều nhóm và nhận nhiều loại hỗ trợ."
    )];
    if total.movement.is_none() {
        notes.push(
            "Cột 3–5 để trống: không có kỳ rà soát trước (đầu kỳ) để so sánh, hoặc biểu tính theo chuẩn khác chuẩn \
             của kỳ."
                .into(),
        );
    }
    let table = Table { heads, numbers, label_head: None, notes };
    let rows_of = |p: &ProfileTally, _: RowBase| {
        let g = p.tally.group(group);
        let mut v = vec![Val::Count(g.households), Val::Count(g.persons)];
        match &p.movement {
            Some(m) => v.extend(profile_origin(m.of(group)).map(Val::Count)),
            None => v.extend([Val::Blank; 3]),
        }
        v.extend(FORM8_SUBGROUPS.iter().map(|s| Val::Count(g.in_subgroup(*s))));
        v.extend((0..form8.len()).map(|j| Val::Count(g.form8_households[j])));
        v.push(Val::Count(g.deprivations));
        v.push(Val::Count(g.children.children));
        vec![(None, v)]
    };
    write_one_table(out.into(), &Body { form, meta, rows, total }, &table, &rows_of)
}

// ---------------------------------------------------------------------------------------------
// Forms 14, 15

/// One household of a detailed list (forms 14 and 15). Holds personal data (`head_name`,
/// `address`): it goes into the file only.
#[derive(Debug, Clone, Copy)]
pub struct ListHousehold<'a> {
    /// *Mã hộ*.
    pub household_code: &'a str,
    /// *Họ tên chủ hộ*.
    pub head_name: &'a str,
    /// *Thôn/tổ dân phố*.
    pub village: &'a str,
    /// *Địa chỉ*.
    pub address: &'a str,
    pub persons: u32,
    /// Monthly income per person (VND), when the income test was used.
    pub income_per_capita: Option<i64>,
    /// Score A (*điểm A*), when given.
    pub score_a: Option<i32>,
    pub deprived: IndicatorSet,
    pub subgroups: Subgroups,
    /// Causes of poverty as a [`vuonlen_core::report::causes_mask`].
    pub causes: u16,
    /// *Ghi chú*.
    pub note: &'a str,
}

/// One member of a listed household. Holds personal data (name, ID number).
#[derive(Debug, Clone, Copy)]
pub struct ListMember<'a> {
    pub member_no: u16,
    /// *Họ và tên*.
    pub full_name: &'a str,
    pub relation: Relation,
    pub sex: Sex,
    pub birth: BirthDate,
    /// *Dân tộc*, as written.
    pub ethnicity_name: &'a str,
    /// *Số định danh cá nhân/CCCD*.
    pub id_number: Option<&'a str>,
}

impl<'a> ListHousehold<'a> {
    /// The list entry of a record read by [`crate::read`] (with `keep_personal`) and its
    /// classification.
    pub fn from_record(rec: &'a HouseholdRecord, c: &Classification) -> ListHousehold<'a> {
        ListHousehold {
            household_code: &rec.household_code,
            head_name: &rec.head_name,
            village: &rec.village,
            address: &rec.address,
            persons: c.persons,
            income_per_capita: rec.household.income_per_capita,
            score_a: rec.household.score_a,
            deprived: c.deprived,
            subgroups: c.subgroups,
            causes: vuonlen_core::report::causes_mask(&rec.poverty_causes),
            note: "",
        }
    }
}

const LIST_HEADS: [&str; 20] = [
    "STT",
    "Mã hộ",
    "Họ và tên chủ hộ / thành viên",
    "Quan hệ với chủ hộ",
    "Năm sinh (Nam)",
    "Năm sinh (Nữ)",
    "Dân tộc",
    "Số định danh cá nhân/CCCD",
    "Thôn/tổ dân phố",
    "Địa chỉ",
    "Số nhân khẩu",
    "Thu nhập bình quân (đồng/người/tháng)",
    "Điểm A",
    "Điểm B (thiếu hụt)",
    "Các chỉ số thiếu hụt",
    "Hộ không có khả năng lao động",
    "Hộ có người có công",
    "Chủ hộ dân tộc thiểu số",
    "Nguyên nhân nghèo",
    "Ghi chú",
];

const LIST_WIDTHS: [f64; 20] =
    [5.0, 10.0, 24.0, 10.0, 7.0, 7.0, 9.0, 14.0, 12.0, 18.0, 7.0, 12.0, 7.0, 7.0, 28.0, 9.0, 9.0, 9.0, 20.0, 12.0];

/// Streams form 14 (near-poor) or 15 (poor): a bold row per household, then a row per member.
/// Rows go to disk as they come (constant memory); a list longer than one sheet continues on
/// a sheet "Biểu 15 (2)", and so on. The file appears only when [`DetailedListWriter::finish`]
/// succeeds.
pub struct DetailedListWriter<'a> {
    workbook: Box<Workbook>,
    out: Destination<'a>,
    path: PathBuf,
    form: Form,
    meta: FormMeta,
    formats: Formats,
    /// Short names and points per deprivation of the standard.
    indicators: Vec<String>,
    points_per_indicator: u32,
    sheet: usize,
    row: u32,
    households: u64,
    buf: String,
}

impl<'a> DetailedListWriter<'a> {
    /// Starts a list; `form` must be [`Form::F14`] or [`Form::F15`].
    pub fn create(
        out: impl Into<Destination<'a>>,
        form: Form,
        std: &Standard,
        meta: &FormMeta,
    ) -> Result<Self, FormError> {
        let out = out.into();
        if form.kind() != FormKind::List {
            return Err(FormError::WrongForm { form: form.number(), expected: "danh sách 14, 15 / list" });
        }
        let mut w = DetailedListWriter {
            workbook: Box::new(Workbook::new()),
            path: out.name(),
            out,
            form,
            meta: meta.clone(),
            formats: Formats::new(),
            indicators: std.indicators.iter().map(|i| i.short_vi.clone()).collect(),
            points_per_indicator: std.score_b.points_per_indicator,
            sheet: 0,
            row: 0,
            households: 0,
            buf: String::new(),
        };
        w.new_sheet()?;
        Ok(w)
    }

    fn err(&self, e: XlsxError) -> FormError {
        xlsx_err(&self.path, e)
    }

    fn new_sheet(&mut self) -> Result<(), FormError> {
        let n = self.workbook.worksheets().len();
        let name = if n == 0 { self.form.sheet_name() } else { format!("{} ({})", self.form.sheet_name(), n + 1) };
        let (form, meta, f) = (self.form, &self.meta, &self.formats);
        let result = (|| -> Result<(), XlsxError> {
            let ws = self.workbook.add_worksheet_with_constant_memory()?;
            ws.set_name(&name)?;
            for (c, w) in LIST_WIDTHS.iter().enumerate() {
                ws.set_column_width(c as u16, *w)?;
            }
            let notes =
                ["Danh sách có thông tin cá nhân: chỉ dùng cho công tác giảm nghèo, không công bố.".to_string()];
            write_title(ws, f, form, meta, LIST_HEADS.len() as u16, &notes)?;
            ws.set_row_height(ROW_HEAD, 60)?;
            for (c, h) in LIST_HEADS.iter().enumerate() {
                ws.write_string_with_format(ROW_HEAD, c as u16, *h, &f.head)?;
            }
            for (c, s) in letters(4).chain((1..=LIST_HEADS.len() - 4).map(|i| i.to_string())).enumerate() {
                ws.write_string_with_format(ROW_HEAD + 1, c as u16, &s, &f.number_row)?;
            }
            ws.set_freeze_panes(ROW_HEAD + 2, 3)?;
            print_setup(ws, ROW_HEAD + 1)?;
            Ok(())
        })();
        result.map_err(|e| self.err(e))?;
        self.sheet = n;
        self.row = ROW_HEAD + 2;
        Ok(())
    }

    /// Adds a household and its members (the head among them, in register order).
    pub fn push(&mut self, hh: &ListHousehold<'_>, members: &[ListMember<'_>]) -> Result<(), FormError> {
        let needed = members.len() as u32 + 1;
        if needed > XLSX_MAX_ROWS - (ROW_HEAD + 2) {
            return Err(FormError::TooManyRows);
        }
        if self.row.saturating_add(needed) > XLSX_MAX_ROWS {
            self.new_sheet()?;
        }
        self.households += 1;
        let (stt, row) = (self.households, self.row);
        // Indicator names and causes, joined.
        self.buf.clear();
        for (k, j) in hh.deprived.iter().enumerate() {
            if k > 0 {
                self.buf.push_str(", ");
            }
            self.buf.push_str(self.indicators.get(j).map_or("?", String::as_str));
        }
        let causes = causes_of(hh.causes).map(|c| c.label_vi()).collect::<Vec<_>>().join(", ");
        let score_b = f64::from(hh.deprived.len() * self.points_per_indicator);
        let flag = |b: bool| if b { "x" } else { "" };
        // Rows of the wrapped household cells: constant-memory rows are not fitted on opening.
        let lines = |s: &str, col: usize| (s.chars().count() as f64 / (LIST_WIDTHS[col] * 1.1)).ceil().max(1.0);
        let height = [
            lines(hh.head_name, 2),
            lines(hh.address, 9),
            lines(hh.village, 8),
            lines(&self.buf, 14),
            lines(&causes, 18),
            lines(hh.note, 19),
        ]
        .into_iter()
        .fold(1.0, f64::max);
        let f = &self.formats;
        let result = (|| -> Result<(), XlsxError> {
            let ws = self.workbook.worksheet_from_index(self.sheet)?;
            if height > 1.0 {
                ws.set_row_height(row, 15.0 * height.min(8.0))?;
            }
            let (bt, bi) = (&f.bold_text, &f.bold_int);
            ws.write_number_with_format(row, 0, stt as f64, &f.center)?;
            ws.write_string_with_format(row, 1, &*nfc(hh.household_code), bt)?;
            ws.write_string_with_format(row, 2, &*nfc(hh.head_name), bt)?;
            for c in 3..8 {
                ws.write_blank(row, c, bt)?;
            }
            ws.write_string_with_format(row, 8, &*nfc(hh.village), bt)?;
            ws.write_string_with_format(row, 9, &*nfc(hh.address), bt)?;
            ws.write_number_with_format(row, 10, f64::from(hh.persons), bi)?;
            match hh.income_per_capita {
                Some(v) => ws.write_number_with_format(row, 11, v as f64, bi)?,
                None => ws.write_blank(row, 11, bi)?,
            };
            match hh.score_a {
                Some(v) => ws.write_number_with_format(row, 12, f64::from(v), bi)?,
                None => ws.write_blank(row, 12, bi)?,
            };
            ws.write_number_with_format(row, 13, score_b, bi)?;
            ws.write_string_with_format(row, 14, &self.buf, bt)?;
            ws.write_string_with_format(row, 15, flag(hh.subgroups.no_labour_capacity), &f.center)?;
            ws.write_string_with_format(row, 16, flag(hh.subgroups.merit), &f.center)?;
            ws.write_string_with_format(row, 17, flag(hh.subgroups.ethnic_minority), &f.center)?;
            ws.write_string_with_format(row, 18, &causes, bt)?;
            ws.write_string_with_format(row, 19, &*nfc(hh.note), bt)?;
            for (k, m) in members.iter().enumerate() {
                let r = row + 1 + k as u32;
                ws.write_blank(r, 0, &f.text)?;
                ws.write_blank(r, 1, &f.text)?;
                ws.write_string_with_format(r, 2, &*nfc(m.full_name), &f.indented)?;
                ws.write_string_with_format(r, 3, m.relation.label_vi(), &f.text)?;
                let year = f64::from(m.birth.year());
                let (male, female) = match m.sex {
                    Sex::Male => (Some(year), None),
                    Sex::Female => (None, Some(year)),
                };
                for (c, v) in [(4, male), (5, female)] {
                    match v {
                        Some(y) => ws.write_number_with_format(r, c, y, &f.center)?,
                        None => ws.write_blank(r, c, &f.text)?,
                    };
                }
                ws.write_string_with_format(r, 6, &*nfc(m.ethnicity_name), &f.text)?;
                ws.write_string_with_format(r, 7, m.id_number.unwrap_or(""), &f.text)?;
                for c in 8..LIST_HEADS.len() as u16 {
                    ws.write_blank(r, c, &f.text)?;
                }
            }
            Ok(())
        })();
        result.map_err(|e| self.err(e))?;
        self.row += needed;
        Ok(())
    }

    /// [`DetailedListWriter::push`] for a record read with personal data, and its
    /// classification.
    pub fn push_record(&mut self, rec: &HouseholdRecord, c: &Classification) -> Result<(), FormError> {
        let hh = ListHousehold::from_record(rec, c);
        let members: Vec<ListMember<'_>> = rec
            .members()
            .map(|(m, p)| ListMember {
                member_no: m.member_no,
                full_name: &p.full_name,
                relation: m.relation,
                sex: m.sex,
                birth: m.birth,
                ethnicity_name: if p.ethnicity_name.is_empty() {
                    m.ethnicity.name().unwrap_or("")
                } else {
                    &p.ethnicity_name
                },
                id_number: p.id_number.as_deref(),
            })
            .collect();
        self.push(&hh, &members)
    }

    /// Households written so far.
    pub fn households(&self) -> u64 {
        self.households
    }

    /// Writes the workbook (a file under a temporary name, then renamed).
    pub fn finish(mut self) -> Result<(), FormError> {
        self.out.save(&mut self.workbook)
    }
}

// ---------------------------------------------------------------------------------------------

fn xlsx_err(path: &Path, source: XlsxError) -> FormError {
    FormError::Xlsx { path: path.to_path_buf(), source }
}

/// Saves to `.NAME.PID.tmp` beside `path`, then renames; removes the temporary file on failure.
fn save_atomically(wb: &mut Workbook, path: &Path) -> Result<(), FormError> {
    let name = path.file_name().map_or_else(|| "report.xlsx".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    if let Err(source) = wb.save(&tmp) {
        let _ = std::fs::remove_file(&tmp);
        return Err(xlsx_err(path, source));
    }
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        FormError::Io { path: path.to_path_buf(), source }
    })
}
