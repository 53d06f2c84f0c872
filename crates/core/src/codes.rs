//! Coded values of the household interchange format (`shared/spec/household-format.md`):
//! each has an English key, a Vietnamese label, and accepted aliases. Parsing is accent- and
//! case-insensitive, so `"Nông thôn"`, `"nong thon"` and `"rural"` all give [`Area::Rural`].

use crate::text::fold;

/// Defines a coded enum with its key, Vietnamese label and extra aliases.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $key:literal, $vi:literal $(, [$($alias:literal),*])?;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in the order of the specification.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The English key used in files and APIs.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

            /// The Vietnamese label shown to users.
            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi,)+ }
            }

            /// Parses a key, a Vietnamese label (with or without diacritics) or an alias.
            pub fn parse(s: &str) -> Option<$name> {
                // Fast path: the exact key, as written by our own exports.
                match s {
                    $($key => return Some($name::$variant),)+
                    _ => {}
                }
                let f = fold(s);
                $(
                    if f == $key || f == fold($vi) $($(|| f == fold($alias))*)? {
                        return Some($name::$variant);
                    }
                )+
                None
            }

            /// The accepted keys, for error messages.
            pub fn expected() -> String {
                [$($key),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

coded_enum! {
    /// Area type of the household (*khu vực*), which selects the income line.
    Area {
        Rural => "rural", "nông thôn", ["nt", "xa"];
        Urban => "urban", "thành thị", ["tt", "do thi", "đô thị", "khu vực đô thị"];
    }
}

coded_enum! {
    /// Sex (*giới tính*).
    Sex {
        Male => "M", "nam", ["male", "m", "1"];
        Female => "F", "nữ", ["female", "f", "2"];
    }
}

coded_enum! {
    /// Relationship to the head of household (*quan hệ với chủ hộ*).
    Relation {
        Head => "head", "chủ hộ";
        Spouse => "spouse", "vợ/chồng", ["vợ", "chồng", "vo chong"];
        Child => "child", "con";
        Parent => "parent", "bố/mẹ", ["bố", "mẹ", "cha", "cha/mẹ"];
        Grandchild => "grandchild", "cháu";
        Sibling => "sibling", "anh/chị/em", ["anh", "chị", "em", "anh chị em"];
        Other => "other", "khác";
    }
}

coded_enum! {
    /// Main domestic water source (*nguồn nước sinh hoạt*).
    WaterSource {
        Piped => "piped", "nước máy";
        DrilledWell => "drilled_well", "giếng khoan";
        ProtectedDugWell => "protected_dug_well", "giếng đào được bảo vệ";
        ProtectedSpring => "protected_spring", "khe/mó được bảo vệ";
        Rainwater => "rainwater", "nước mưa";
        Bottled => "bottled", "nước đóng bình";
        UnprotectedDugWell => "unprotected_dug_well", "giếng đào không được bảo vệ";
        UnprotectedSpring => "unprotected_spring", "khe/mó không được bảo vệ";
        Surface => "surface", "sông, suối, ao, hồ", ["nước mặt"];
        Other => "other", "khác";
    }
}

coded_enum! {
    /// Latrine type (*loại nhà tiêu*).
    Latrine {
        Septic => "septic", "tự hoại";
        SemiSeptic => "semi_septic", "bán tự hoại";
        PourFlush => "pour_flush", "thấm dội nước";
        DoubleVault => "double_vault", "hai ngăn";
        VentilatedPit => "ventilated_pit", "chìm có ống thông hơi";
        Biogas => "biogas", "biogas";
        SimplePit => "simple_pit", "hố đào đơn giản";
        Hanging => "hanging", "cầu tõm";
        None => "none", "không có";
        Other => "other", "khác";
    }
}

coded_enum! {
    /// Main activity in the last 12 months (*việc làm*).
    Employment {
        WageContract => "wage_contract", "làm công ăn lương có HĐLĐ";
        WageNoContract => "wage_no_contract", "làm công ăn lương không có HĐLĐ";
        SelfEmployed => "self_employed", "tự làm";
        Unemployed => "unemployed", "thất nghiệp";
        NotInLabourForce => "not_in_labour_force", "không tham gia lao động";
        Student => "student", "đang đi học";
    }
}

coded_enum! {
    /// Highest completed education level (*trình độ cao nhất*).
    Education {
        None => "none", "chưa tốt nghiệp tiểu học", ["không", "khong co"];
        Primary => "primary", "tiểu học";
        LowerSecondary => "lower_secondary", "THCS", ["trung học cơ sở"];
        UpperSecondary => "upper_secondary", "THPT", ["trung học phổ thông"];
        Vocational => "vocational", "sơ cấp, trung cấp nghề", ["sơ cấp", "trung cấp"];
        CollegePlus => "college_plus", "cao đẳng trở lên", ["cao đẳng", "đại học"];
    }
}

coded_enum! {
    /// Disability level (*khuyết tật*).
    Disability {
        None => "none", "không";
        Mild => "mild", "nhẹ";
        Severe => "severe", "nặng";
        VerySevere => "very_severe", "đặc biệt nặng";
    }
}

coded_enum! {
    /// Cause of poverty (*nguyên nhân nghèo*), as in the provincial exports.
    PovertyCause {
        NoLand => "no_land", "thiếu đất sản xuất";
        NoCapital => "no_capital", "thiếu vốn";
        NoLabour => "no_labour", "thiếu lao động";
        NoTools => "no_tools", "thiếu phương tiện sản xuất";
        NoKnowledge => "no_knowledge", "thiếu kiến thức sản xuất";
        NoSkills => "no_skills", "thiếu kỹ năng lao động";
        Illness => "illness", "ốm đau, bệnh nặng, tai nạn";
        Other => "other", "nguyên nhân khác";
    }
}

/// A value that is not one of the accepted boolean spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a boolean (expected 1/0, true/false, yes/no, có/không, x)")]
pub struct InvalidBool;

/// Parses a boolean the way the interchange format allows: `1/0`, `true/false`, `yes/no`,
/// `có/không`, `x`. Empty input is `None`; the caller decides whether that means false.
pub fn parse_bool(s: &str) -> Result<Option<bool>, InvalidBool> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t {
        "1" | "true" | "TRUE" | "True" | "x" | "X" | "yes" | "có" => return Ok(Some(true)),
        "0" | "false" | "FALSE" | "False" | "no" | "không" => return Ok(Some(false)),
        _ => {}
    }
    match fold(t).as_str() {
        "1" | "true" | "yes" | "y" | "co" | "x" | "dung" => Ok(Some(true)),
        "0" | "false" | "no" | "n" | "khong" | "sai" => Ok(Some(false)),
        _ => Err(InvalidBool),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_labels_and_unaccented_labels() {
        assert_eq!(Area::parse("rural"), Some(Area::Rural));
        assert_eq!(Area::parse("Nông thôn"), Some(Area::Rural));
        assert_eq!(Area::parse("nong thon"), Some(Area::Rural));
        assert_eq!(Area::parse("THÀNH THỊ"), Some(Area::Urban));
        assert_eq!(Area::parse("mountain"), None);
        assert_eq!(Sex::parse("nữ"), Some(Sex::Female));
        assert_eq!(Sex::parse("Nu"), Some(Sex::Female));
        assert_eq!(WaterSource::parse("Giếng khoan"), Some(WaterSource::DrilledWell));
        assert_eq!(Latrine::parse("cau tom"), Some(Latrine::Hanging));
        assert_eq!(Education::parse("thpt"), Some(Education::UpperSecondary));
    }

    #[test]
    fn every_key_and_label_round_trips() {
        for v in WaterSource::ALL {
            assert_eq!(WaterSource::parse(v.key()), Some(*v));
            assert_eq!(WaterSource::parse(v.label_vi()), Some(*v));
        }
        for v in Employment::ALL {
            assert_eq!(Employment::parse(v.key()), Some(*v));
            assert_eq!(Employment::parse(v.label_vi()), Some(*v));
        }
        for v in Relation::ALL {
            assert_eq!(Relation::parse(&fold(v.label_vi())), Some(*v));
        }
    }

    #[test]
    fn booleans() {
        for t in ["1", "true", "Yes", "có", "Có", "co", "x"] {
            assert_eq!(parse_bool(t), Ok(Some(true)), "{t}");
        }
        for f in ["0", "false", "no", "không", "Khong"] {
            assert_eq!(parse_bool(f), Ok(Some(false)), "{f}");
        }
        assert_eq!(parse_bool("  "), Ok(None));
        assert!(parse_bool("maybe").is_err());
    }
}
