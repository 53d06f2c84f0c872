//! An import's registry findings (conflicts between households, refusals, ID-number warnings)
//! as [`Problem`]s located in the files read, beside the reader's own problems: one list for
//! the error file, the terminal and the web page.

use crate::import::{ConflictKind, ImportSummary};
use vuonlen_io::{Problem, ProblemKind, ReadReport, Source};

/// Conflicts (errors) and ID-number contradictions (warnings) as problems of the members file.
pub fn add_registry_problems(read: &mut ReadReport, s: &ImportSummary, source: &Source) {
    let file =
        source.paths().last().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sheet = matches!(source, Source::Xlsx { .. }).then(|| vuonlen_io::MEMBER_SHEETS[0].to_string());
    // The rows of the members involved that are in this file: a second pass over it (only
    // when there is something to report).
    let mut wanted: std::collections::HashSet<(String, u16)> = std::collections::HashSet::new();
    for c in &s.conflicts {
        for m in c.members.iter().filter(|m| m.3) {
            wanted.extend(u16::try_from(m.2).ok().map(|no| (m.1.clone(), no)));
        }
    }
    for w in &s.id_warnings {
        wanted.extend(u16::try_from(w.member_no).ok().map(|no| (w.household_code.clone(), no)));
    }
    let rows = vuonlen_io::locate_members(source, &wanted).unwrap_or_default();
    let on_households_file = |k: ConflictKind| {
        matches!(k, ConflictKind::LinkedAway | ConflictKind::OutOfScope | ConflictKind::Stale | ConflictKind::Locked)
    };
    let named: std::collections::HashSet<String> = s
        .conflicts
        .iter()
        .filter(|c| on_households_file(c.kind))
        .flat_map(|c| c.members.iter().map(|m| m.1.clone()))
        .collect();
    let household_rows = vuonlen_io::locate_households(source, &named).unwrap_or_default();
    let household_file = source
        .paths()
        .first()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let row_of = |code: &str, no: i64| {
        u16::try_from(no).ok().and_then(|no| rows.get(&(code.to_string(), no)).copied()).unwrap_or(0)
    };
    for c in s.conflicts.iter().filter(|c| on_households_file(c.kind)) {
        for m in &c.members {
            let (kind, column, vi, en) = match c.kind {
                ConflictKind::OutOfScope => (
                    ProblemKind::OutOfScope,
                    "commune_code",
                    format!("Xã {} nằm ngoài địa bàn tài khoản được phép cập nhật", c.value),
                    format!("Commune {} is outside the area this account may change", c.value),
                ),
                ConflictKind::Locked => {
                    let (commune, number) = c.value.split_once(' ').unwrap_or((c.value.as_str(), ""));
                    (
                        ProblemKind::Locked,
                        "commune_code",
                        crate::review::locked_vi(commune, s.period, number),
                        crate::review::locked_en(commune, s.period, number),
                    )
                }
                ConflictKind::Stale => (
                    ProblemKind::StaleEdit,
                    "household_id",
                    "Hộ đã được người khác cập nhật (hoặc đã có) sau khi bạn mở: không ghi đè; hãy mở lại và sửa"
                        .to_string(),
                    "Someone else changed (or added) this household after you opened it: nothing was overwritten; \
                     open it again and redo the change"
                        .to_string(),
                ),
                _ => {
                    let (kind, year) = c.value.split_once(' ').unwrap_or((c.value.as_str(), ""));
                    let (vi, en) = if kind == "merge" {
                        (
                            format!("Hộ đã nhập vào hộ khác từ kỳ {year}: không thể có phiếu rà soát kỳ {}", s.period),
                            format!(
                                "The household merged into another in period {year}: it cannot have answers in {}",
                                s.period
                            ),
                        )
                    } else {
                        (
                            format!("Hộ tách ra từ kỳ {year}: không thể có phiếu rà soát kỳ {} trước đó", s.period),
                            format!(
                                "The household split off in period {year}: it cannot have answers in the earlier {}",
                                s.period
                            ),
                        )
                    };
                    (ProblemKind::LinkContradiction, "household_id", vi, en)
                }
            };
            read.errors.push(Problem {
                kind,
                file: household_file.clone(),
                sheet: matches!(source, Source::Xlsx { .. }).then(|| vuonlen_io::HOUSEHOLD_SHEETS[0].to_string()),
                row: household_rows.get(&m.1).copied().unwrap_or(0),
                column: column.into(),
                value: if column == "commune_code" { m.0.clone() } else { m.1.clone() },
                household_code: Some(m.1.clone()),
                message_vi: vi,
                message_en: en,
            });
        }
    }
    for c in &s.conflicts {
        for m in &c.members {
            let (others_vi, others_en) = c.others(Some((&m.0, &m.1)), true);
            let (kind, column, vi, en) = match c.kind {
                ConflictKind::SameIdNumber => (
                    ProblemKind::DuplicateIdNumber,
                    "id_number",
                    format!("Số định danh trùng với thành viên của hộ khác trong kỳ: {others_vi}"),
                    format!("The same ID number is in another household of the period: {others_en}"),
                ),
                ConflictKind::SamePerson => (
                    ProblemKind::DuplicatePerson,
                    "full_name",
                    format!("Cùng họ tên và ngày sinh với thành viên hộ khác trong xã: {others_vi}"),
                    format!("Same name and birth date as a member of another household in the commune: {others_en}"),
                ),
                // Reported above, against the households file.
                ConflictKind::LinkedAway | ConflictKind::OutOfScope | ConflictKind::Stale | ConflictKind::Locked => {
                    continue;
                }
            };
            read.errors.push(Problem {
                kind,
                file: file.clone(),
                sheet: sheet.clone(),
                row: if m.3 { row_of(&m.1, m.2) } else { 0 },
                column: column.into(),
                value: if c.kind == ConflictKind::SameIdNumber { c.value.clone() } else { String::new() },
                household_code: Some(format!("{} (STT {})", m.1, m.2)),
                message_vi: vi,
                message_en: en,
            });
        }
    }
    for w in &s.id_warnings {
        let (vi, en): (Vec<&str>, Vec<&str>) = w.contradictions.iter().map(|c| c.message()).unzip();
        read.warnings.push(Problem {
            kind: ProblemKind::IdNumberMismatch,
            file: file.clone(),
            sheet: sheet.clone(),
            row: row_of(&w.household_code, w.member_no),
            column: "id_number".into(),
            value: String::new(),
            household_code: Some(format!("{} (STT {})", w.household_code, w.member_no)),
            message_vi: format!("Số định danh: {}", vi.join("; ")),
            message_en: format!("ID number: {}", en.join("; ")),
        });
    }
}
