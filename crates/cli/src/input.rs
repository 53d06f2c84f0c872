//! Arguments shared by the commands that read households.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use vuonlen_core::{StandardSelection, Standards};

/// Where the households come from: two CSV files or one workbook.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Households CSV file (danh sách hộ).
    #[arg(long, value_name = "H.csv", requires = "members", conflicts_with = "workbook")]
    pub households: Option<PathBuf>,
    /// Members CSV file (danh sách thành viên).
    #[arg(long, value_name = "M.csv", requires = "households")]
    pub members: Option<PathBuf>,
    /// One XLSX workbook with sheets `households`/`Hộ` and `members`/`Thành viên`.
    #[arg(long, value_name = "W.xlsx")]
    pub workbook: Option<PathBuf>,
}

impl SourceArgs {
    pub fn source(&self) -> Result<vuonlen_io::Source> {
        match (&self.households, &self.members, &self.workbook) {
            (Some(h), Some(m), None) => Ok(vuonlen_io::Source::Csv { households: h.clone(), members: m.clone() }),
            (None, None, Some(w)) => Ok(vuonlen_io::Source::Xlsx { workbook: w.clone() }),
            _ => bail!("give --households H.csv --members M.csv, or --workbook W.xlsx"),
        }
    }
}

/// The input of a classifying command: the files, the reference date and the standard.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub files: SourceArgs,
    /// Reference date of the review: ages are taken on this date (YYYY-MM-DD).
    #[arg(long = "as-of", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: NaiveDate,
    /// Poverty standard: an id (2022-2025, 2027-2030) or `auto` for the one in force on --as-of.
    #[arg(long, default_value = "auto")]
    pub standard: String,
    /// Extra standard files (TOML) to load besides the shipped ones.
    #[arg(long = "standard-file", value_name = "FILE")]
    pub standard_files: Vec<PathBuf>,
    /// Skip invalid households instead of refusing the whole file; they are listed in the error file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Where to write the list of problems (CSV or XLSX by extension). Default: next to the output.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
}

impl InputArgs {
    pub fn source(&self) -> Result<vuonlen_io::Source> {
        self.files.source()
    }

    /// Read options for classifying under `std`: personal data is validated, not kept.
    pub fn read_options(&self, std: &vuonlen_core::Standard) -> vuonlen_io::ReadOptions {
        vuonlen_io::ReadOptions {
            as_of: self.as_of,
            keep_personal: false,
            skip_invalid: self.skip_invalid,
            require_waste_treatment: std
                .reads_household_flag(vuonlen_core::standard::HouseholdFlagField::WasteTreatment),
        }
    }

    pub fn standard(&self) -> Result<std::sync::Arc<vuonlen_core::Standard>> {
        let reg = registry(&self.standard_files)?;
        let sel: StandardSelection = self.standard.parse().unwrap_or(StandardSelection::Auto);
        Ok(reg.select(&sel, self.as_of)?)
    }
}

/// Parses `YYYY-MM-DD` (or `DD/MM/YYYY`).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| format!("ngày không hợp lệ / invalid date '{s}' (YYYY-MM-DD)"))
}

/// The shipped standards plus any extra files.
pub fn registry(extra: &[PathBuf]) -> Result<Standards> {
    let mut reg = Standards::embedded()?;
    for f in extra {
        let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        reg.add_toml(&f.display().to_string(), &text)?;
    }
    reg.link()?;
    Ok(reg)
}

/// Default error-file path next to an output file: `OUT.errors.csv`.
pub fn default_errors_path(out: &Path) -> PathBuf {
    let mut name = out.file_stem().map(|s| s.to_os_string()).unwrap_or_default();
    name.push(".errors.csv");
    out.with_file_name(name)
}
