//! Reading the recorded fields ([`vuonlen_core::schema::Storage::Recorded`]) by their kind:
//! one function for every path of the reader, giving the canonical text the record keeps
//! (`1`/`0`, the code, the NFC text) or what is wrong.

use crate::fields::{self, is_digits};
use vuonlen_core::schema::{Field, Kind};
use vuonlen_core::text::nfc;
use vuonlen_core::units::AdminUnits;

/// What is wrong with a recorded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordedProblem {
    NotYesNo,
    NotCommuneCode,
    UnknownCommune,
    NotNumber,
    OutOfRange { min: u64, max: u64 },
    NotChoice,
}

/// The canonical value of a non-empty cell of recorded field `field`.
pub(crate) fn recorded_value(field: &Field, raw: &str) -> Result<String, RecordedProblem> {
    let raw = raw.trim();
    match field.kind {
        Kind::YesNo => match raw {
            "1" => Ok("1".into()),
            "0" => Ok("0".into()),
            _ => match vuonlen_core::codes::parse_bool(raw) {
                Ok(Some(true)) => Ok("1".into()),
                Ok(Some(false)) => Ok("0".into()),
                _ => Err(RecordedProblem::NotYesNo),
            },
        },
        Kind::CommuneCode => {
            if !is_digits(raw, 5) {
                Err(RecordedProblem::NotCommuneCode)
            } else if !AdminUnits::get().is_commune(raw) {
                Err(RecordedProblem::UnknownCommune)
            } else {
                Ok(raw.to_string())
            }
        }
        Kind::Whole { min, max } => match fields::parse_uint(raw) {
            Some(n) if (min..=max).contains(&n) => Ok(n.to_string()),
            Some(_) => Err(RecordedProblem::OutOfRange { min, max }),
            None => Err(RecordedProblem::NotNumber),
        },
        Kind::Amount => fields::parse_amount(raw).map(|n| n.to_string()).ok_or(RecordedProblem::NotNumber),
        Kind::Choice(choices) => {
            let folded = vuonlen_core::text::fold(raw);
            choices()
                .into_iter()
                .find(|(k, vi)| {
                    *k == raw || vuonlen_core::text::fold(k) == folded || vuonlen_core::text::fold(vi) == folded
                })
                .map(|(k, _)| k.to_string())
                .ok_or(RecordedProblem::NotChoice)
        }
        Kind::Text | Kind::HouseholdCode | Kind::Decimal | Kind::Date | Kind::IdNumber | Kind::ChoiceList(_) => {
            Ok(nfc(raw).into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vuonlen_core::schema::household_field;

    fn field(key: &str) -> &'static Field {
        household_field(key).expect("a schema field")
    }

    #[test]
    fn recorded_values_are_read_by_their_kind() {
        let yes_no = field("support_health");
        for (raw, want) in [("1", "1"), ("0", "0"), ("có", "1"), ("Không", "0"), ("x", "1")] {
            assert_eq!(recorded_value(yes_no, raw).as_deref(), Ok(want), "{raw}");
        }
        assert_eq!(recorded_value(yes_no, "2"), Err(RecordedProblem::NotYesNo));
        let commune = field("moved_in_from");
        assert_eq!(recorded_value(commune, "03910").as_deref(), Ok("03910"));
        assert_eq!(recorded_value(commune, "3910"), Err(RecordedProblem::NotCommuneCode));
        assert_eq!(recorded_value(commune, "99999"), Err(RecordedProblem::UnknownCommune));
    }
}
