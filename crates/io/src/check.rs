//! Per-row validation: typed access to a row's fields that records a located, bilingual problem
//! for every bad value and remembers whether the row is usable.

use crate::fields;
use crate::header::{ColumnSpec, Columns};
use crate::limits::{self, Fault};
use crate::problems::{Collector, FileCtx, Msg, Problem, ProblemKind, Severity, msg};
use crate::rows::RowView;

/// Validation state of one row.
pub(crate) struct Check<'a, 'r> {
    pub row: &'a RowView<'r>,
    pub cols: &'a Columns,
    pub specs: &'static [ColumnSpec],
    pub ctx: &'a FileCtx,
    pub problems: &'a mut Collector,
    /// The row's household code (for problem records), possibly empty.
    pub household_code: &'a str,
    /// False once any error was found (or a required column is missing).
    pub ok: bool,
    /// Spec columns whose bytes were not UTF-8 (already reported).
    bad: u32,
}

impl<'a, 'r> Check<'a, 'r> {
    pub fn new(
        row: &'a RowView<'r>,
        cols: &'a Columns,
        specs: &'static [ColumnSpec],
        ctx: &'a FileCtx,
        problems: &'a mut Collector,
        household_code: &'a str,
    ) -> Self {
        let mut c = Check { row, cols, specs, ctx, problems, household_code, ok: true, bad: 0 };
        for &field in row.bad_utf8 {
            if let Some(spec) = cols.index.iter().position(|i| *i == Some(field)) {
                c.bad |= 1 << spec;
                let key = specs[spec].key;
                c.error(spec, ProblemKind::InvalidUtf8, "", msg::invalid_utf8(key));
            }
        }
        // Lengths and characters of every field the row has, before anything reads them.
        for (spec, index) in cols.index.iter().enumerate() {
            let Some(i) = *index else { continue };
            if !c.usable(spec) {
                continue;
            }
            let s = &specs[spec];
            let v = row.get(i);
            let Some(f) = limits::fault(v, &s.limit) else { continue };
            c.bad |= 1 << spec;
            let shown = limits::shorten(v);
            let (kind, m) = match f {
                Fault::TooLong(n) => (ProblemKind::TooLong, msg::too_long(s.label_vi, s.key, n, s.limit.max_chars)),
                Fault::Control(ch) => {
                    (ProblemKind::ControlCharacter, msg::control_character(s.label_vi, s.key, &limits::code_point(ch)))
                }
            };
            c.error(spec, kind, &shown, m);
        }
        c
    }

    /// Records a problem about column `spec` of this row.
    pub fn problem(&mut self, severity: Severity, spec: usize, kind: ProblemKind, value: &str, m: Msg) {
        if severity == Severity::Error {
            self.ok = false;
        }
        let (ctx, row, column, hh) = (self.ctx, self.row.row, &self.cols.names[spec], self.household_code);
        self.problems.push(severity, || Problem {
            kind,
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row,
            column: column.clone(),
            value: value.to_string(),
            household_code: (!hh.is_empty()).then(|| limits::shorten(hh)),
            message_vi: m.vi,
            message_en: m.en,
        });
    }

    pub fn error(&mut self, spec: usize, kind: ProblemKind, value: &str, m: Msg) {
        self.problem(Severity::Error, spec, kind, value, m);
    }

    /// A row-level error (no particular column).
    pub fn row_error(&mut self, kind: ProblemKind, m: Msg) {
        self.ok = false;
        let (ctx, row, hh) = (self.ctx, self.row.row, self.household_code);
        self.problems.push(Severity::Error, || Problem {
            kind,
            file: ctx.file.clone(),
            sheet: ctx.sheet.clone(),
            row,
            column: String::new(),
            value: String::new(),
            household_code: (!hh.is_empty()).then(|| limits::shorten(hh)),
            message_vi: m.vi,
            message_en: m.en,
        });
    }

    /// Reports a row whose field count differs from the header's; returns true when ragged.
    pub fn ragged(&mut self) -> bool {
        let (found, expected) = (self.row.len(), self.cols.width);
        if found == expected {
            return false;
        }
        self.row_error(ProblemKind::RaggedRow, msg::ragged_row(found, expected));
        true
    }

    /// The trimmed text of column `spec`; empty when the column is absent.
    pub fn raw(&self, spec: usize) -> &'r str {
        match self.cols.index[spec] {
            Some(i) => self.row.get(i),
            None => "",
        }
    }

    /// Whether the cell of `spec` was stored as a number in a workbook.
    pub fn is_numeric(&self, spec: usize) -> bool {
        self.cols.index[spec].is_some_and(|i| self.row.is_numeric(i))
    }

    fn usable(&self, spec: usize) -> bool {
        self.bad & (1 << spec) == 0
    }

    /// The value of an optional column: `None` when empty, absent or already reported.
    pub fn optional(&self, spec: usize) -> Option<&'r str> {
        let v = self.raw(spec);
        (!v.is_empty() && self.usable(spec)).then_some(v)
    }

    /// The value of a required column. An empty value is reported; an absent column (reported
    /// once from the header) only makes the row unusable.
    pub fn required(&mut self, spec: usize) -> Option<&'r str> {
        if self.cols.index[spec].is_none() || !self.usable(spec) {
            self.ok = false;
            return None;
        }
        let v = self.raw(spec);
        if v.is_empty() {
            let s = &self.specs[spec];
            self.error(spec, ProblemKind::MissingValue, "", msg::missing_value(s.label_vi, s.key));
            return None;
        }
        Some(v)
    }

    fn bad_code(&mut self, spec: usize, v: &str, expected: &str) {
        let s = &self.specs[spec];
        self.error(spec, ProblemKind::InvalidCode, v, msg::invalid_code(s.label_vi, s.key, v, expected));
    }

    /// A required coded value.
    pub fn code<T>(&mut self, spec: usize, parse: fn(&str) -> Option<T>, expected: fn() -> String) -> Option<T> {
        let v = self.required(spec)?;
        let r = parse(v);
        if r.is_none() {
            self.bad_code(spec, v, &expected());
        }
        r
    }

    /// An optional coded value with a default for empty cells.
    pub fn code_or<T>(&mut self, spec: usize, parse: fn(&str) -> Option<T>, expected: fn() -> String, default: T) -> T {
        let Some(v) = self.optional(spec) else { return default };
        match parse(v) {
            Some(x) => x,
            None => {
                self.bad_code(spec, v, &expected());
                default
            }
        }
    }

    fn parse_bool(&mut self, spec: usize, v: &str) -> Option<bool> {
        match v {
            "1" => return Some(true),
            "0" => return Some(false),
            _ => {}
        }
        match vuonlen_core::codes::parse_bool(v) {
            Ok(b) => b,
            Err(_) => {
                let s = &self.specs[spec];
                self.error(spec, ProblemKind::InvalidBool, v, msg::invalid_bool(s.label_vi, s.key, v));
                None
            }
        }
    }

    /// A required boolean.
    pub fn bool_required(&mut self, spec: usize) -> Option<bool> {
        let v = self.required(spec)?;
        self.parse_bool(spec, v)
    }

    /// An optional boolean: `None` when empty.
    pub fn bool_optional(&mut self, spec: usize) -> Option<bool> {
        let v = self.optional(spec)?;
        self.parse_bool(spec, v)
    }

    /// A boolean whose empty cell means `default`.
    pub fn bool_or(&mut self, spec: usize, default: bool) -> bool {
        self.bool_optional(spec).unwrap_or(default)
    }

    /// Reports a value that is not a number of the expected kind.
    pub fn bad_number(&mut self, spec: usize, v: &str, what_vi: &str, what_en: &str) {
        let s = &self.specs[spec];
        self.error(spec, ProblemKind::InvalidNumber, v, msg::invalid_number(s.label_vi, s.key, v, what_vi, what_en));
    }

    /// Reports a number outside its range.
    pub fn out_of_range(&mut self, spec: usize, v: &str, range: &str) {
        let s = &self.specs[spec];
        self.error(spec, ProblemKind::OutOfRange, v, msg::out_of_range(s.label_vi, s.key, v, range));
    }

    /// Reports what is wrong with the value `v` of recorded field `spec`.
    pub fn recorded_problem(&mut self, spec: usize, v: &str, problem: crate::recorded::RecordedProblem) {
        use crate::recorded::RecordedProblem as P;
        let s = &self.specs[spec];
        match problem {
            P::NotYesNo => self.error(spec, ProblemKind::InvalidBool, v, msg::invalid_bool(s.label_vi, s.key, v)),
            P::NotCommuneCode => {
                self.error(spec, ProblemKind::InvalidCommuneCode, v, msg::invalid_commune_code(v));
            }
            P::UnknownCommune => self.error(spec, ProblemKind::UnknownCommune, v, msg::unknown_commune(v)),
            P::NotNumber => self.bad_number(spec, v, "một số nguyên ≥ 0", "a whole number ≥ 0"),
            P::OutOfRange { min, max } => self.out_of_range(spec, v, &format!("{min}–{max}")),
            P::NotChoice => {
                let expected = s.field.kind.choices().iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ");
                self.bad_code(spec, v, &expected);
            }
        }
    }

    /// A whole number in `min..=max`, required or optional.
    pub fn integer(&mut self, spec: usize, required: bool, min: u64, max: u64) -> Option<u64> {
        let v = if required { self.required(spec)? } else { self.optional(spec)? };
        match fields::parse_uint(v) {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(_) => {
                self.out_of_range(spec, v, &format!("{min}–{max}"));
                None
            }
            None => {
                self.bad_number(spec, v, "một số nguyên", "a whole number");
                None
            }
        }
    }
}
