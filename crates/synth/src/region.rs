//! The six socio-economic regions (*vùng kinh tế – xã hội*) of the GSO, in which the annual
//! poverty review results are published, defined on the 63 provinces of 2024.

/// A GSO region. Regions are defined on the 2024 (pre-merger) provinces; a 2025 commune takes
/// the region of the old communes it was formed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// *Trung du và miền núi phía Bắc*.
    NorthernMidlandsMountains,
    /// *Đồng bằng sông Hồng*.
    RedRiverDelta,
    /// *Bắc Trung Bộ và duyên hải miền Trung*.
    NorthCentralCentralCoast,
    /// *Tây Nguyên*.
    CentralHighlands,
    /// *Đông Nam Bộ*.
    Southeast,
    /// *Đồng bằng sông Cửu Long*.
    MekongDelta,
}

impl Region {
    /// Every region, in the GSO's order.
    pub const ALL: [Region; 6] = [
        Region::NorthernMidlandsMountains,
        Region::RedRiverDelta,
        Region::NorthCentralCentralCoast,
        Region::CentralHighlands,
        Region::Southeast,
        Region::MekongDelta,
    ];

    /// Position in [`Region::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// A stable snake-case key.
    pub fn key(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "northern_midlands_mountains",
            Region::RedRiverDelta => "red_river_delta",
            Region::NorthCentralCentralCoast => "north_central_central_coast",
            Region::CentralHighlands => "central_highlands",
            Region::Southeast => "southeast",
            Region::MekongDelta => "mekong_delta",
        }
    }

    /// The Vietnamese name.
    pub fn name_vi(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "Trung du và miền núi phía Bắc",
            Region::RedRiverDelta => "Đồng bằng sông Hồng",
            Region::NorthCentralCentralCoast => "Bắc Trung Bộ và duyên hải miền Trung",
            Region::CentralHighlands => "Tây Nguyên",
            Region::Southeast => "Đông Nam Bộ",
            Region::MekongDelta => "Đồng bằng sông Cửu Long",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "Northern midlands and mountains",
            Region::RedRiverDelta => "Red River Delta",
            Region::NorthCentralCentralCoast => "North Central and Central Coast",
            Region::CentralHighlands => "Central Highlands",
            Region::Southeast => "Southeast",
            Region::MekongDelta => "Mekong Delta",
        }
    }

    /// The usual Vietnamese abbreviation (*TD&MNPB*, *ĐBSH*, …).
    pub fn short_vi(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "TD&MNPB",
            Region::RedRiverDelta => "ĐBSH",
            Region::NorthCentralCentralCoast => "BTB&DHMT",
            Region::CentralHighlands => "TN",
            Region::Southeast => "ĐNB",
            Region::MekongDelta => "ĐBSCL",
        }
    }

    /// The old 2-digit province codes (2024 list) of the region.
    pub fn old_provinces(self) -> &'static [&'static str] {
        match self {
            Region::NorthernMidlandsMountains => {
                &["02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "24", "25"]
            }
            Region::RedRiverDelta => &["01", "22", "26", "27", "30", "31", "33", "34", "35", "36", "37"],
            Region::NorthCentralCentralCoast => {
                &["38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60"]
            }
            Region::CentralHighlands => &["62", "64", "66", "67", "68"],
            Region::Southeast => &["70", "72", "74", "75", "77", "79"],
            Region::MekongDelta => &["80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"],
        }
    }

    /// The region of an old (2024) province code, if it is one.
    pub fn of_old_province(code: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.old_provinces().contains(&code))
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name_vi())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vuonlen_core::units::AdminUnits;

    #[test]
    fn every_old_province_has_exactly_one_region() {
        let u = AdminUnits::get();
        for p in &u.y2024.provinces {
            let n = Region::ALL.iter().filter(|r| r.old_provinces().contains(&p.code)).count();
            assert_eq!(n, 1, "province {} {}", p.code, p.name);
        }
        let listed: usize = Region::ALL.iter().map(|r| r.old_provinces().len()).sum();
        assert_eq!(listed, 63);
    }
}
