//! Finding the rows of given members in a members file or sheet, for problems found after
//! reading (e.g. the registry's checks across households): a second, cheap pass over the file.

use crate::error::ReadError;
use crate::header::{Columns, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, h, m};
use crate::problems::FileCtx;
use crate::read::{HOUSEHOLD_SHEETS, MEMBER_SHEETS, Source};
use crate::rows::{RowHandler, RowView, Start};
use crate::{csv_reader, xlsx_reader};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

/// The row (as a spreadsheet shows it, header = 1) of each wanted (household id, member number)
/// in the source's members file or sheet; members not found are left out.
pub fn locate_members(
    source: &Source,
    wanted: &HashSet<(String, u16)>,
) -> Result<HashMap<(String, u16), u64>, ReadError> {
    let mut finder = Finder { wanted, found: HashMap::new(), household: None, member_no: None };
    if !wanted.is_empty() {
        match source {
            Source::Csv { members, .. } => csv_reader::scan(members, &mut finder)?,
            Source::Xlsx { workbook } => xlsx_reader::scan(workbook, &MEMBER_SHEETS, &mut finder)?,
            Source::Rows { members, .. } => crate::table_reader::scan(members, &mut finder)?,
        }
    }
    Ok(finder.found)
}

struct Finder<'a> {
    wanted: &'a HashSet<(String, u16)>,
    found: HashMap<(String, u16), u64>,
    household: Option<usize>,
    member_no: Option<usize>,
}

impl RowHandler for Finder<'_> {
    fn start(&mut self, _ctx: FileCtx, start: Start) -> ControlFlow<()> {
        let Start::Header { cells, .. } = start else { return ControlFlow::Break(()) };
        let (cols, _) = Columns::resolve(&cells, &MEMBER_COLUMNS);
        self.household = cols.index[m::HOUSEHOLD_ID];
        self.member_no = cols.index[m::MEMBER_NO];
        if self.household.is_none() || self.member_no.is_none() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
        let (Some(h), Some(n)) = (self.household, self.member_no) else { return ControlFlow::Break(()) };
        if let Ok(no) = row.get(n).parse::<u16>() {
            let key = (row.get(h).to_string(), no);
            if self.wanted.contains(&key) {
                self.found.entry(key).or_insert(row.row);
                if self.found.len() == self.wanted.len() {
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// The row of each wanted household id in the source's households file or sheet.
pub fn locate_households(source: &Source, wanted: &HashSet<String>) -> Result<HashMap<String, u64>, ReadError> {
    let mut finder = HouseholdFinder { wanted, found: HashMap::new(), household: None };
    if !wanted.is_empty() {
        match source {
            Source::Csv { households, .. } => csv_reader::scan(households, &mut finder)?,
            Source::Xlsx { workbook } => xlsx_reader::scan(workbook, &HOUSEHOLD_SHEETS, &mut finder)?,
            Source::Rows { households, .. } => crate::table_reader::scan(households, &mut finder)?,
        }
    }
    Ok(finder.found)
}

struct HouseholdFinder<'a> {
    wanted: &'a HashSet<String>,
    found: HashMap<String, u64>,
    household: Option<usize>,
}

impl RowHandler for HouseholdFinder<'_> {
    fn start(&mut self, _ctx: FileCtx, start: Start) -> ControlFlow<()> {
        let Start::Header { cells, .. } = start else { return ControlFlow::Break(()) };
        self.household = Columns::resolve(&cells, &HOUSEHOLD_COLUMNS).0.index[h::HOUSEHOLD_ID];
        if self.household.is_none() { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }

    fn row(&mut self, row: &RowView<'_>) -> ControlFlow<()> {
        let Some(i) = self.household else { return ControlFlow::Break(()) };
        let id = row.get(i);
        if self.wanted.contains(id) {
            self.found.entry(id.to_string()).or_insert(row.row);
            if self.found.len() == self.wanted.len() {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}
