//! Records of the household interchange format (`docs/household-format.md`): the core facts
//! ([`Household`], [`Member`]) plus the registry and personal fields kept beside them.
//!
//! Personal fields (names, ID numbers) live only here, never in `vuonlen-core`, and must never
//! be logged.

use vuonlen_core::codes::PovertyCause;
use vuonlen_core::schema::Recorded;
use vuonlen_core::{Household, Member};

/// One household row with its members, as read from or written to the interchange format.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdRecord {
    /// *Mã hộ*: unique within the file (and within a commune in the registry); the interchange
    /// column `household_id`.
    pub household_code: String,
    /// *Mã xã*: 5-digit GSO code of the commune at the time of the survey.
    pub commune_code: String,
    /// *Thôn/Tổ dân phố* (may be empty).
    pub village: String,
    /// *Họ tên chủ hộ*. Personal data. Empty when the reader was asked not to keep it.
    pub head_name: String,
    /// *Địa chỉ* (may be empty). Personal data.
    pub address: String,
    pub poverty_causes: Vec<PovertyCause>,
    /// The recorded fields ([`vuonlen_core::schema::Recorded`]): support received, NLNDN, ….
    pub recorded: Recorded,
    /// The facts the standard reads; `household.members[i]` goes with `members[i]`.
    pub household: Household,
    /// Personal fields of each member, parallel to `household.members`.
    pub members: Vec<MemberPersonal>,
}

/// Personal fields of one member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberPersonal {
    /// *Họ và tên*. Empty when the reader was asked not to keep personal data.
    pub full_name: String,
    /// *Số định danh/CCCD*, 12 digits, if given.
    pub id_number: Option<String>,
    /// *Dân tộc* as written (NFC), so an unlisted name is not lost.
    pub ethnicity_name: String,
}

impl HouseholdRecord {
    /// Iterates members with their personal fields.
    pub fn members(&self) -> impl Iterator<Item = (&Member, &MemberPersonal)> {
        self.household.members.iter().zip(self.members.iter())
    }
}
