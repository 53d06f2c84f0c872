//! Poverty-reduction targets (*chỉ tiêu giảm nghèo*) and the target table that district and
//! province plans annex (*bảng giao chỉ tiêu giảm nghèo cho các xã*): one row per unit — its
//! households, its poor households at the start of the year and how many should escape — and
//! a total row. [`TARGET_COLUMNS`] is the one definition of the layout: the file reader, the
//! exports, the web form and the API derive from it; [`check_table`] finds every inconsistency.
//!
//! Published plans carry such inconsistencies (rates that do not match their counts, columns
//! that do not add up to the total): finding them is the point, so nothing is ever corrected.
//!
//! The bases of the rates are this project's reading of the plans seen, not a legal text
//! (`RATE_BASES_VERIFIED` is `false`): the poor rate, the social-protection and able-to-escape
//! rates and the end-of-year rate over the unit's households (so that the last two add up to
//! the poor rate), the ethnic-minority poor rate over the unit's ethnic-minority households.

use serde::{Deserialize, Serialize};

/// Whether the rate bases below come from a legal text (they do not: see the module comment).
pub const RATE_BASES_VERIFIED: bool = false;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// A number of households (whole, not negative).
    Count,
    /// A percentage (0–100, two decimals): column `of` over column `base`, × 100.
    Rate { of: usize, base: usize },
}

/// A figure column of the target table.
#[derive(Debug, Clone, Copy)]
pub struct TargetColumn {
    /// Key: the English header and the name in the API.
    pub key: &'static str,
    /// Vietnamese header as exports write it.
    pub label_vi: &'static str,
    /// The base's name in messages when this is a count used as a base (Vietnamese, English).
    pub noun_vi: &'static str,
    pub noun_en: &'static str,
    /// Other headers accepted on import (compared folded: case and diacritics ignored).
    pub aliases: &'static [&'static str],
    pub kind: ColumnKind,
    /// Must be present in every table.
    pub required: bool,
}

/// Index of each column in [`TARGET_COLUMNS`].
pub mod col {
    pub const HOUSEHOLDS: usize = 0;
    pub const EM_HOUSEHOLDS: usize = 1;
    pub const POOR: usize = 2;
    pub const POOR_RATE: usize = 3;
    pub const POOR_EM: usize = 4;
    pub const POOR_EM_RATE: usize = 5;
    pub const POOR_SP: usize = 6;
    pub const POOR_SP_RATE: usize = 7;
    pub const POOR_ABLE: usize = 8;
    pub const POOR_ABLE_RATE: usize = 9;
    pub const REDUCTION: usize = 10;
    pub const POOR_END: usize = 11;
    pub const POOR_END_RATE: usize = 12;
}

/// Number of figure columns.
pub const FIGURES: usize = 13;

/// The figure columns, in the order plans print them.
pub const TARGET_COLUMNS: [TargetColumn; FIGURES] = [
    TargetColumn {
        key: "households",
        label_vi: "Tổng số hộ",
        noun_vi: "hộ dân cư",
        noun_en: "households",
        aliases: &["tổng số hộ dân cư", "số hộ", "số hộ dân cư", "tổng số hộ dân"],
        kind: ColumnKind::Count,
        required: true,
    },
    TargetColumn {
        key: "ethnic_minority_households",
        label_vi: "Số hộ DTTS",
        noun_vi: "hộ dân tộc thiểu số",
        noun_en: "ethnic-minority households",
        aliases: &["hộ dtts", "số hộ dân tộc thiểu số", "tổng số hộ dtts"],
        kind: ColumnKind::Count,
        required: false,
    },
    TargetColumn {
        key: "poor_households",
        label_vi: "Số hộ nghèo",
        noun_vi: "hộ nghèo",
        noun_en: "poor households",
        aliases: &["hộ nghèo", "số hộ nghèo đầu năm", "hộ nghèo đầu năm"],
        kind: ColumnKind::Count,
        required: true,
    },
    TargetColumn {
        key: "poor_rate_pct",
        label_vi: "Tỷ lệ hộ nghèo (%)",
        noun_vi: "",
        noun_en: "",
        aliases: &["tỷ lệ hộ nghèo", "tỷ lệ hộ nghèo đầu năm (%)", "tỷ lệ hộ nghèo đầu năm"],
        kind: ColumnKind::Rate { of: col::POOR, base: col::HOUSEHOLDS },
        required: false,
    },
    TargetColumn {
        key: "poor_em_households",
        label_vi: "Số hộ nghèo DTTS",
        noun_vi: "hộ nghèo DTTS",
        noun_en: "ethnic-minority poor households",
        aliases: &["hộ nghèo dtts", "hộ nghèo dân tộc thiểu số"],
        kind: ColumnKind::Count,
        required: false,
    },
    TargetColumn {
        key: "poor_em_rate_pct",
        label_vi: "Tỷ lệ hộ nghèo DTTS (%)",
        noun_vi: "",
        noun_en: "",
        aliases: &["tỷ lệ hộ nghèo dtts"],
        kind: ColumnKind::Rate { of: col::POOR_EM, base: col::EM_HOUSEHOLDS },
        required: false,
    },
    TargetColumn {
        key: "poor_social_protection_households",
        label_vi: "Hộ nghèo thuộc diện bảo trợ xã hội",
        noun_vi: "hộ nghèo thuộc diện bảo trợ xã hội",
        noun_en: "poor households under social protection",
        aliases: &["hộ nghèo bảo trợ xã hội", "hộ nghèo btxh", "hộ nghèo thuộc diện btxh"],
        kind: ColumnKind::Count,
        required: false,
    },
    TargetColumn {
        key: "poor_social_protection_rate_pct",
        label_vi: "Tỷ lệ hộ nghèo thuộc diện bảo trợ xã hội (%)",
        noun_vi: "",
        noun_en: "",
        aliases: &["tỷ lệ hộ nghèo btxh", "tỷ lệ hộ nghèo bảo trợ xã hội"],
        kind: ColumnKind::Rate { of: col::POOR_SP, base: col::HOUSEHOLDS },
        required: false,
    },
    TargetColumn {
        key: "poor_able_to_escape_households",
        label_vi: "Hộ nghèo có khả năng thoát nghèo",
        noun_vi: "hộ nghèo có khả năng thoát nghèo",
        noun_en: "poor households able to escape",
        aliases: &["hộ nghèo có khả năng thoát nghèo", "hộ có khả năng thoát nghèo"],
        kind: ColumnKind::Count,
        required: false,
    },
    TargetColumn {
        key: "poor_able_to_escape_rate_pct",
        label_vi: "Tỷ lệ hộ nghèo có khả năng thoát nghèo (%)",
        noun_vi: "",
        noun_en: "",
        aliases: &["tỷ lệ hộ có khả năng thoát nghèo"],
        kind: ColumnKind::Rate { of: col::POOR_ABLE, base: col::HOUSEHOLDS },
        required: false,
    },
    TargetColumn {
        key: "target_reduction_households",
        label_vi: "Chỉ tiêu giảm hộ nghèo (hộ)",
        noun_vi: "hộ giảm",
        noun_en: "households to escape",
        aliases: &["chỉ tiêu giảm hộ nghèo", "số hộ nghèo giảm", "chỉ tiêu giảm nghèo", "số hộ giảm"],
        kind: ColumnKind::Count,
        required: true,
    },
    TargetColumn {
        key: "poor_households_end",
        label_vi: "Số hộ nghèo cuối năm",
        noun_vi: "hộ nghèo cuối năm",
        noun_en: "poor households at the end of the year",
        aliases: &["hộ nghèo cuối năm", "số hộ nghèo còn lại"],
        kind: ColumnKind::Count,
        required: false,
    },
    TargetColumn {
        key: "poor_rate_end_pct",
        label_vi: "Tỷ lệ hộ nghèo cuối năm (%)",
        noun_vi: "",
        noun_en: "",
        aliases: &["tỷ lệ hộ nghèo cuối năm", "tỷ lệ hộ nghèo còn lại"],
        kind: ColumnKind::Rate { of: col::POOR_END, base: col::HOUSEHOLDS },
        required: false,
    },
];

/// One unit's figures, indexed like [`TARGET_COLUMNS`] (`None`: not given). Counts are whole;
/// rates are percentages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures(pub [Option<f64>; FIGURES]);

impl Figures {
    pub fn get(&self, c: usize) -> Option<f64> {
        self.0[c]
    }
}

/// A rate as plans print it: `count / base × 100`, rounded to two decimals (half away from
/// zero). `None` when the base is 0.
pub fn rate(count: f64, base: f64) -> Option<f64> {
    (base > 0.0).then(|| (count / base * 10_000.0).round() / 100.0)
}

/// Where an inconsistency is: a unit's row, or the total row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    Row(usize),
    Total,
}

/// One inconsistency: where, which column, the value found and what it should be.
#[derive(Debug, Clone, PartialEq)]
pub struct Inconsistency {
    pub at: At,
    /// Index in [`TARGET_COLUMNS`].
    pub column: usize,
    pub value: Option<f64>,
    pub message_vi: String,
    pub message_en: String,
}

/// A parent unit's figures that a table's rows must stay within.
#[derive(Debug, Clone, Copy)]
pub struct Parent<'a> {
    /// The parent's name (`Tỉnh Sơn La`).
    pub name: &'a str,
    pub figures: &'a Figures,
}

/// A figure as people read it: `2.845`, `1,51` (Vietnamese grouping and decimal comma).
pub fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        crate::text::format_vnd(v as i64)
    } else {
        crate::text::format_decimal(v, 2)
    }
}

fn show_en(v: f64) -> String {
    if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v:.2}") }
}

/// Every inconsistency of a table: `rows` (one per unit), its `total` row if it has one, and
/// the parent's targets when the table is annexed to a parent's plan. Checks, for every row
/// and the total:
///
/// - each rate equals its count over its base rounded to two decimals (the message names the
///   base), and lies within 0–100 %;
/// - a part is not larger than its whole (poor ≤ households, ethnic-minority poor ≤ poor and ≤
///   ethnic-minority households, reduction ≤ poor);
/// - social protection + able to escape = poor (when both are given);
/// - end = start − reduction (when the end is given);
///
/// then that each count column adds up to the total row, and that the units stay within the
/// parent: their baseline and end counts no larger than the parent's, their reductions
/// reaching the parent's.
pub fn check_table(rows: &[Figures], total: Option<&Figures>, parent: Option<Parent<'_>>) -> Vec<Inconsistency> {
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        check_row(At::Row(i), r, &mut out);
    }
    let sums = sum(rows);
    if let Some(t) = total {
        check_row(At::Total, t, &mut out);
        for (c, def) in TARGET_COLUMNS.iter().enumerate() {
            if def.kind != ColumnKind::Count {
                continue;
            }
            let (Some(given), Some(s)) = (t.get(c), sums.get(c)) else { continue };
            if given != s {
                out.push(Inconsistency {
                    at: At::Total,
                    column: c,
                    value: Some(given),
                    message_vi: format!(
                        "Dòng tổng ghi {} {} nhưng cộng các đơn vị được {}.",
                        show(given),
                        def.label_vi.to_lowercase(),
                        show(s)
                    ),
                    message_en: format!(
                        "The total row says {} for {} but the units add up to {}.",
                        show_en(given),
                        def.key,
                        show_en(s)
                    ),
                });
            }
        }
    }
    if let Some(p) = parent {
        for c in
            [col::HOUSEHOLDS, col::EM_HOUSEHOLDS, col::POOR, col::POOR_EM, col::POOR_SP, col::POOR_ABLE, col::POOR_END]
        {
            let (Some(mine), Some(theirs)) = (sums.get(c), p.figures.get(c)) else { continue };
            if mine > theirs {
                let def = &TARGET_COLUMNS[c];
                out.push(Inconsistency {
                    at: At::Total,
                    column: c,
                    value: Some(mine),
                    message_vi: format!(
                        "Các đơn vị có {} {} — nhiều hơn chỉ tiêu của {} ({}).",
                        show(mine),
                        def.noun_vi,
                        p.name,
                        show(theirs)
                    ),
                    message_en: format!(
                        "The units have {} {} — more than {}'s target ({}).",
                        show_en(mine),
                        def.noun_en,
                        p.name,
                        show_en(theirs)
                    ),
                });
            }
        }
        if let (Some(mine), Some(theirs)) = (sums.get(col::REDUCTION), p.figures.get(col::REDUCTION))
            && mine < theirs
        {
            out.push(Inconsistency {
                at: At::Total,
                column: col::REDUCTION,
                value: Some(mine),
                message_vi: format!(
                    "Các đơn vị giảm {} hộ nghèo — ít hơn chỉ tiêu giảm của {} ({} hộ).",
                    show(mine),
                    p.name,
                    show(theirs)
                ),
                message_en: format!(
                    "The units reduce poor households by {} — less than {}'s reduction target ({}).",
                    show_en(mine),
                    p.name,
                    show_en(theirs)
                ),
            });
        }
    }
    out
}

/// Each count column summed over `rows` (`None` where no row gives it).
pub fn sum(rows: &[Figures]) -> Figures {
    let mut s = Figures::default();
    for r in rows {
        for (c, def) in TARGET_COLUMNS.iter().enumerate() {
            if def.kind == ColumnKind::Count
                && let Some(v) = r.get(c)
            {
                s.0[c] = Some(s.0[c].unwrap_or(0.0) + v);
            }
        }
    }
    for (c, def) in TARGET_COLUMNS.iter().enumerate() {
        if let ColumnKind::Rate { of, base } = def.kind
            && let (Some(n), Some(b)) = (s.get(of), s.get(base))
        {
            s.0[c] = rate(n, b);
        }
    }
    s
}

fn check_row(at: At, r: &Figures, out: &mut Vec<Inconsistency>) {
    for (c, def) in TARGET_COLUMNS.iter().enumerate() {
        let ColumnKind::Rate { of, base } = def.kind else { continue };
        let Some(given) = r.get(c) else { continue };
        if !(0.0..=100.0).contains(&given) {
            out.push(Inconsistency {
                at,
                column: c,
                value: Some(given),
                message_vi: format!("{} là {} %: tỷ lệ phải từ 0 đến 100 %.", def.label_vi, show(given)),
                message_en: format!("{} is {} %: a rate lies between 0 and 100 %.", def.key, show_en(given)),
            });
            continue;
        }
        let (Some(n), Some(b)) = (r.get(of), r.get(base)) else { continue };
        let (num, den) = (&TARGET_COLUMNS[of], &TARGET_COLUMNS[base]);
        let expected = rate(n, b).unwrap_or(0.0);
        if (given - expected).abs() > 0.005 + 1e-9 {
            out.push(Inconsistency {
                at,
                column: c,
                value: Some(given),
                message_vi: format!(
                    "{} ghi {} % nhưng {} {} / {} {} = {} %.",
                    def.label_vi,
                    show(given),
                    show(n),
                    num.noun_vi,
                    show(b),
                    den.noun_vi,
                    show(expected)
                ),
                message_en: format!(
                    "{} says {} % but {} {} / {} {} = {} %.",
                    def.key,
                    show_en(given),
                    show_en(n),
                    num.noun_en,
                    show_en(b),
                    den.noun_en,
                    show_en(expected)
                ),
            });
        }
    }
    let part_of = [
        (col::POOR, col::HOUSEHOLDS),
        (col::EM_HOUSEHOLDS, col::HOUSEHOLDS),
        (col::POOR_EM, col::POOR),
        (col::POOR_EM, col::EM_HOUSEHOLDS),
        (col::REDUCTION, col::POOR),
    ];
    for (part, whole) in part_of {
        let (Some(p), Some(w)) = (r.get(part), r.get(whole)) else { continue };
        if p > w {
            let (a, b) = (&TARGET_COLUMNS[part], &TARGET_COLUMNS[whole]);
            out.push(Inconsistency {
                at,
                column: part,
                value: Some(p),
                message_vi: format!("{} {} nhiều hơn {} {}.", show(p), a.noun_vi, show(w), b.noun_vi),
                message_en: format!("{} {} exceed {} {}.", show_en(p), a.noun_en, show_en(w), b.noun_en),
            });
        }
    }
    if let (Some(sp), Some(able), Some(poor)) = (r.get(col::POOR_SP), r.get(col::POOR_ABLE), r.get(col::POOR))
        && sp + able != poor
    {
        out.push(Inconsistency {
            at,
            column: col::POOR_ABLE,
            value: Some(able),
            message_vi: format!(
                "Hộ bảo trợ xã hội ({}) + hộ có khả năng thoát nghèo ({}) = {}, khác số hộ nghèo ({}).",
                show(sp),
                show(able),
                show(sp + able),
                show(poor)
            ),
            message_en: format!(
                "Households under social protection ({}) + able to escape ({}) = {}, not the poor households ({}).",
                show_en(sp),
                show_en(able),
                show_en(sp + able),
                show_en(poor)
            ),
        });
    }
    if let (Some(end), Some(poor), Some(red)) = (r.get(col::POOR_END), r.get(col::POOR), r.get(col::REDUCTION))
        && end != poor - red
    {
        out.push(Inconsistency {
            at,
            column: col::POOR_END,
            value: Some(end),
            message_vi: format!(
                "Số hộ nghèo cuối năm ghi {} nhưng {} hộ nghèo − {} hộ giảm = {}.",
                show(end),
                show(poor),
                show(red),
                show(poor - red)
            ),
            message_en: format!(
                "poor_households_end says {} but {} poor − {} to escape = {}.",
                show_en(end),
                show_en(poor),
                show_en(red),
                show_en(poor - red)
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(households: f64, poor: f64, rate_pct: f64, reduction: f64) -> Figures {
        let mut f = Figures::default();
        f.0[col::HOUSEHOLDS] = Some(households);
        f.0[col::POOR] = Some(poor);
        f.0[col::POOR_RATE] = Some(rate_pct);
        f.0[col::REDUCTION] = Some(reduction);
        f.0[col::POOR_END] = Some(poor - reduction);
        f
    }

    #[test]
    fn rates_round_half_away_from_zero_to_two_decimals() {
        assert_eq!(rate(43.0, 2845.0), Some(1.51));
        assert_eq!(rate(1.0, 8.0), Some(12.5));
        assert_eq!(rate(1.0, 3.0), Some(33.33));
        assert_eq!(rate(2.0, 3.0), Some(66.67));
        assert_eq!(rate(5.0, 0.0), None);
    }

    #[test]
    fn a_consistent_table_passes_and_a_wrong_rate_names_its_base() {
        let rows = [row(2845.0, 43.0, 1.51, 10.0), row(1000.0, 20.0, 2.0, 5.0)];
        let total = sum(&rows);
        assert_eq!(total.get(col::POOR_RATE), Some(1.64), "63 / 3,845");
        assert!(check_table(&rows, Some(&total), None).is_empty());

        let bad = [row(2845.0, 43.0, 1.6, 10.0), rows[1]];
        let found = check_table(&bad, None, None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].at, found[0].column), (At::Row(0), col::POOR_RATE));
        assert!(found[0].message_vi.contains("43 hộ nghèo / 2.845 hộ dân cư = 1,51 %"), "{}", found[0].message_vi);
        assert!(
            found[0].message_en.contains("43 poor households / 2845 households = 1.51 %"),
            "{}",
            found[0].message_en
        );
    }

    #[test]
    fn the_total_row_must_add_up_and_the_parts_must_make_the_whole() {
        let mut a = row(100.0, 10.0, 10.0, 2.0);
        a.0[col::POOR_SP] = Some(3.0);
        a.0[col::POOR_ABLE] = Some(6.0); // 3 + 6 ≠ 10
        a.0[col::POOR_END] = Some(9.0); // 10 − 2 ≠ 9
        let b = row(50.0, 5.0, 10.0, 1.0);
        let mut total = sum(&[a, b]);
        total.0[col::POOR] = Some(16.0);
        let found = check_table(&[a, b], Some(&total), None);
        let at: Vec<(At, usize)> = found.iter().map(|i| (i.at, i.column)).collect();
        assert!(at.contains(&(At::Row(0), col::POOR_ABLE)), "{found:?}");
        assert!(at.contains(&(At::Row(0), col::POOR_END)), "{found:?}");
        assert!(at.contains(&(At::Total, col::POOR)), "{found:?}");
        let total_msg = found.iter().find(|i| i.at == At::Total && i.column == col::POOR).expect("total");
        assert!(total_msg.message_en.contains("says 16") && total_msg.message_en.contains("add up to 15"));
    }

    #[test]
    fn rates_beyond_100_percent_and_children_beyond_the_parent_are_refused() {
        let mut a = row(100.0, 10.0, 10.0, 2.0);
        a.0[col::POOR_RATE] = Some(120.0);
        let found = check_table(&[a], None, None);
        assert_eq!(found.len(), 1);
        assert!(found[0].message_en.contains("between 0 and 100"), "{found:?}");

        let rows = [row(100.0, 10.0, 10.0, 2.0), row(50.0, 5.0, 10.0, 1.0)];
        let mut parent = row(140.0, 15.0, 10.71, 4.0);
        parent.0[col::POOR_END] = Some(11.0);
        let found = check_table(&rows, None, Some(Parent { name: "Xã A", figures: &parent }));
        let msgs: Vec<&str> = found.iter().map(|i| i.message_en.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("150 households") && m.contains("(140)")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("by 3") && m.contains("(4)")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("12 poor households at the end") && m.contains("(11)")), "{msgs:?}");
    }
}
