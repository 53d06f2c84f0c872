//! Budgets (*kinh phí thực hiện Chương trình*): what a unit is allocated for a project or
//! sub-project in a year from each source of funds, what it has committed and disbursed. The
//! sources are defined once here; the rules a line must keep among its own amounts are
//! [`Amounts::check`] (those across units and projects are the registry's, in the transaction
//! that writes the line).

use crate::text::{fold, format_vnd};

/// A source of funds (*nguồn vốn*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FundSource {
    /// Ngân sách trung ương.
    Central,
    /// Ngân sách địa phương.
    Local,
    /// Vốn đối ứng (the counterpart a locality or beneficiary adds).
    Counterpart,
    /// Vốn huy động (mobilised from enterprises, communities, donors).
    Mobilised,
    /// Vốn tín dụng chính sách (policy credit, Ngân hàng Chính sách xã hội).
    PolicyCredit,
}

impl FundSource {
    pub const ALL: [FundSource; 5] = [
        FundSource::Central,
        FundSource::Local,
        FundSource::Counterpart,
        FundSource::Mobilised,
        FundSource::PolicyCredit,
    ];

    pub fn key(self) -> &'static str {
        match self {
            FundSource::Central => "central",
            FundSource::Local => "local",
            FundSource::Counterpart => "counterpart",
            FundSource::Mobilised => "mobilised",
            FundSource::PolicyCredit => "policy_credit",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            FundSource::Central => "Ngân sách trung ương",
            FundSource::Local => "Ngân sách địa phương",
            FundSource::Counterpart => "Vốn đối ứng",
            FundSource::Mobilised => "Vốn huy động",
            FundSource::PolicyCredit => "Vốn tín dụng chính sách",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FundSource::Central => "Central budget",
            FundSource::Local => "Local budget",
            FundSource::Counterpart => "Counterpart funds",
            FundSource::Mobilised => "Mobilised funds",
            FundSource::PolicyCredit => "Policy credit",
        }
    }

    /// The source of `text`: its key, its Vietnamese name with or without diacritics, or a
    /// short form (`NSTW`, `NSĐP`).
    pub fn parse(text: &str) -> Option<FundSource> {
        if let Some(s) = FundSource::ALL.into_iter().find(|s| s.key() == text) {
            return Some(s);
        }
        let f = fold(text);
        FundSource::ALL.into_iter().find(|s| {
            let short = match s {
                FundSource::Central => &["nstw", "trung uong", "ngan sach trung uong"][..],
                FundSource::Local => &["nsdp", "dia phuong", "ngan sach dia phuong"],
                FundSource::Counterpart => &["doi ung"],
                FundSource::Mobilised => &["huy dong", "xa hoi hoa", "mobilized"],
                FundSource::PolicyCredit => &["tin dung", "tin dung chinh sach", "nhcsxh"],
            };
            f == s.key() || f == fold(s.label_vi()) || f == fold(s.label_en()) || short.contains(&f.as_str())
        })
    }
}

/// A line's amounts, in đồng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amounts {
    /// Allocated (*dự toán được giao*).
    pub allocated: u64,
    /// Committed (*đã cam kết / giao kế hoạch chi tiết*), if known.
    pub committed: Option<u64>,
    /// Disbursed (*đã giải ngân*), if known.
    pub disbursed: Option<u64>,
}

impl Amounts {
    /// What the line's own amounts break (Vietnamese, English): a commitment or a disbursement
    /// above the allocation.
    pub fn check(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (what_vi, what_en, v) in
            [("cam kết", "committed", self.committed), ("giải ngân", "disbursed", self.disbursed)]
        {
            if let Some(v) = v.filter(|v| *v > self.allocated) {
                out.push((
                    format!(
                        "Số {what_vi} {} đồng lớn hơn số được giao {} đồng.",
                        format_vnd(v as i64),
                        format_vnd(self.allocated as i64)
                    ),
                    format!("{} đồng {what_en} is more than the {} đồng allocated.", v, self.allocated),
                ));
            }
        }
        out
    }

    /// Disbursed over allocated, in % (`None`: nothing allocated or no disbursement known).
    pub fn disbursement_rate(&self) -> Option<f64> {
        let d = self.disbursed?;
        (self.allocated > 0).then(|| d as f64 * 100.0 / self.allocated as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_read_by_key_name_or_short_form() {
        assert_eq!(FundSource::parse("central"), Some(FundSource::Central));
        assert_eq!(FundSource::parse("Ngân sách địa phương"), Some(FundSource::Local));
        assert_eq!(FundSource::parse("NSTW"), Some(FundSource::Central));
        assert_eq!(FundSource::parse("von doi ung"), Some(FundSource::Counterpart));
        assert_eq!(FundSource::parse("Vốn tín dụng chính sách"), Some(FundSource::PolicyCredit));
        assert_eq!(FundSource::parse("tiền túi"), None);
    }

    #[test]
    fn a_disbursement_above_the_allocation_is_named_with_both_amounts() {
        let a = Amounts { allocated: 10_000_000, committed: Some(10_000_000), disbursed: Some(12_000_000) };
        let found = a.check();
        assert_eq!(found.len(), 1);
        assert!(found[0].0.contains("giải ngân 12.000.000 đồng lớn hơn số được giao 10.000.000"), "{}", found[0].0);
        assert_eq!(a.disbursement_rate().map(|r| r.round()), Some(120.0));
        assert!(Amounts { allocated: 5, committed: None, disbursed: Some(5) }.check().is_empty());
    }
}
