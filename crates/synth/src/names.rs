//! Ethnic groups by region and Vietnamese personal names (NFC, with diacritics).
//!
//! Kinh names follow the surname frequencies of the brief (Nguyễn ≈ 38% …) with regional
//! variants (Hoàng/Huỳnh, Vũ/Võ); middle names depend on sex and birth cohort. Ethnic-minority
//! names follow each group's usual pattern: Mông *Giàng A Páo*, *Vàng Thị Mai*; Ê Đê
//! *Y Bih Niê*, *H'Hen Êban* (clan last, children take the mother's clan); Gia Rai
//! *Ksor Phước*, *Nay H'Blong*; Ba Na / Xơ Đăng *A Thút*, *Y Hiên*; Cơ Ho *K'Brăn*,
//! *Ka Huyền*; Mnông / Xtiêng *Điểu Xiêng*, *Thị Blanh*; Khmer *Thạch Sô Phát*,
//! *Sơn Thị Sa Rươne*, *Chau Sóc Khên* / *Néang Sa Phiên*; and so on.

use crate::region::Region;
use crate::rng::Rng;
use std::sync::OnceLock;
use vuonlen_core::codes::Sex;
use vuonlen_core::ethnicity::Ethnicity;

/// How a group builds names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Kinh,
    Mong,
    Thai,
    TayNung,
    Muong,
    Dao,
    Ede,
    Jrai,
    Bahnar,
    Koho,
    Dieu,
    Khmer,
    Hoa,
    Cham,
    CoTu,
    Hre,
    Raglay,
    Bru,
    SanDiu,
}

impl Style {
    /// Children take the mother's clan (Ê Đê, Gia Rai).
    pub fn matrilineal(self) -> bool {
        matches!(self, Style::Ede | Style::Jrai)
    }
}

/// An ethnic group the generator uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Group {
    pub ethnicity: Ethnicity,
    /// Canonical name from `data/ethnic-groups.csv`.
    pub name: &'static str,
    pub style: Style,
}

/// (group name as in the ethnic-groups list, naming style).
const GROUPS: &[(&str, Style)] = &[
    ("Kinh", Style::Kinh),
    ("Tày", Style::TayNung),
    ("Thái", Style::Thai),
    ("Mông", Style::Mong),
    ("Mường", Style::Muong),
    ("Nùng", Style::TayNung),
    ("Dao", Style::Dao),
    ("Sán Chay", Style::SanDiu),
    ("Sán Dìu", Style::SanDiu),
    ("Giáy", Style::TayNung),
    ("Khơ Mú", Style::Thai),
    ("Hoa", Style::Hoa),
    ("Hrê", Style::Hre),
    ("Raglay", Style::Raglay),
    ("Chăm", Style::Cham),
    ("Cơ Tu", Style::CoTu),
    ("Bru Vân Kiều", Style::Bru),
    ("Ba Na", Style::Bahnar),
    ("Tà Ôi", Style::Bru),
    ("Co", Style::Hre),
    ("Gia Rai", Style::Jrai),
    ("Ê Đê", Style::Ede),
    ("Cơ Ho", Style::Koho),
    ("Xơ Đăng", Style::Bahnar),
    ("Mnông", Style::Dieu),
    ("Mạ", Style::Koho),
    ("Xtiêng", Style::Dieu),
    ("Chơ Ro", Style::Dieu),
    ("Khmer", Style::Khmer),
    ("Gié Triêng", Style::Bahnar),
];

/// Index of Kinh in [`groups`].
pub(crate) const KINH: u8 = 0;

/// The groups, with their [`Ethnicity`] resolved once.
pub(crate) fn groups() -> &'static [Group] {
    static G: OnceLock<Vec<Group>> = OnceLock::new();
    G.get_or_init(|| {
        GROUPS
            .iter()
            .map(|&(n, style)| {
                let ethnicity = Ethnicity::parse(n).expect("every generator group is in data/ethnic-groups.csv");
                let name = ethnicity.name().expect("listed groups have a name");
                Group { ethnicity, name, style }
            })
            .collect()
    })
}

fn gi(name: &str) -> u8 {
    GROUPS.iter().position(|g| g.0 == name).expect("group named in a region table is in GROUPS") as u8
}

/// Ethnic-minority groups of heads by region: (group, weight). Assumption, roughly the
/// 2019 census composition of each region's minority population.
const EM_BY_REGION: [&[(&str, u32)]; 6] = [
    &[
        ("Tày", 20),
        ("Thái", 17),
        ("Mông", 15),
        ("Mường", 14),
        ("Nùng", 11),
        ("Dao", 9),
        ("Sán Chay", 2),
        ("Sán Dìu", 2),
        ("Giáy", 1),
        ("Khơ Mú", 1),
    ],
    &[("Mường", 35), ("Sán Dìu", 25), ("Dao", 20), ("Tày", 15), ("Hoa", 5)],
    &[
        ("Thái", 28),
        ("Mường", 22),
        ("Hrê", 9),
        ("Raglay", 9),
        ("Chăm", 8),
        ("Cơ Tu", 6),
        ("Bru Vân Kiều", 6),
        ("Khơ Mú", 3),
        ("Mông", 3),
        ("Ba Na", 3),
        ("Tà Ôi", 2),
        ("Co", 2),
    ],
    &[
        ("Gia Rai", 24),
        ("Ê Đê", 19),
        ("Ba Na", 14),
        ("Cơ Ho", 11),
        ("Xơ Đăng", 9),
        ("Mnông", 7),
        ("Nùng", 5),
        ("Tày", 5),
        ("Mông", 2),
        ("Thái", 2),
        ("Mạ", 2),
    ],
    &[
        ("Hoa", 40),
        ("Khmer", 18),
        ("Xtiêng", 14),
        ("Nùng", 8),
        ("Tày", 5),
        ("Chơ Ro", 5),
        ("Mạ", 4),
        ("Chăm", 3),
        ("Mường", 3),
    ],
    &[("Khmer", 80), ("Hoa", 15), ("Chăm", 5)],
];

/// The minority-group tables with indices into [`groups`].
fn em_tables() -> &'static [Vec<(u8, u32)>; 6] {
    static T: OnceLock<[Vec<(u8, u32)>; 6]> = OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|i| EM_BY_REGION[i].iter().map(|&(n, w)| (gi(n), w)).collect()))
}

/// Ethnic-minority groups by old (2024) province, where the region table would put groups
/// in the wrong part of the region (assumption, from the main settlement areas of each group
/// in the 2019 census). Provinces not listed use their region's table.
const EM_BY_PROVINCE: &[(&str, &[(&str, u32)])] = &[
    // Northern midlands and mountains.
    ("02", &[("Mông", 35), ("Tày", 25), ("Dao", 15), ("Nùng", 10), ("Giáy", 3)]),
    ("04", &[("Tày", 45), ("Nùng", 35), ("Mông", 12), ("Dao", 8)]),
    ("06", &[("Tày", 60), ("Dao", 18), ("Nùng", 10), ("Mông", 10)]),
    ("08", &[("Tày", 50), ("Dao", 20), ("Sán Chay", 15), ("Mông", 8), ("Nùng", 4)]),
    ("10", &[("Mông", 35), ("Tày", 22), ("Dao", 20), ("Giáy", 8), ("Nùng", 6)]),
    ("11", &[("Thái", 45), ("Mông", 42), ("Khơ Mú", 5), ("Dao", 3)]),
    ("12", &[("Thái", 35), ("Mông", 35), ("Dao", 15), ("Giáy", 5), ("Khơ Mú", 3)]),
    ("14", &[("Thái", 63), ("Mông", 22), ("Mường", 10), ("Dao", 3), ("Khơ Mú", 2)]),
    ("15", &[("Tày", 35), ("Dao", 25), ("Mông", 25), ("Thái", 8), ("Mường", 5)]),
    ("17", &[("Mường", 85), ("Thái", 6), ("Dao", 5), ("Tày", 4)]),
    ("19", &[("Tày", 45), ("Nùng", 18), ("Sán Dìu", 10), ("Sán Chay", 10), ("Dao", 10), ("Mông", 2)]),
    ("20", &[("Nùng", 50), ("Tày", 40), ("Dao", 7), ("Sán Chay", 3)]),
    ("24", &[("Nùng", 40), ("Tày", 25), ("Sán Chay", 15), ("Sán Dìu", 12), ("Dao", 8)]),
    ("25", &[("Mường", 80), ("Dao", 10), ("Tày", 5), ("Sán Chay", 3)]),
    // Red River Delta.
    ("01", &[("Mường", 60), ("Dao", 15), ("Tày", 15), ("Hoa", 10)]),
    ("22", &[("Dao", 40), ("Tày", 25), ("Sán Dìu", 20), ("Sán Chay", 10), ("Hoa", 5)]),
    ("26", &[("Sán Dìu", 85), ("Tày", 8), ("Dao", 7)]),
    ("37", &[("Mường", 95), ("Tày", 5)]),
    // North Central and Central Coast.
    ("38", &[("Mường", 55), ("Thái", 35), ("Mông", 5), ("Dao", 3)]),
    ("40", &[("Thái", 75), ("Khơ Mú", 12), ("Mông", 10)]),
    ("42", &[("Mường", 50), ("Thái", 30), ("Bru Vân Kiều", 20)]),
    ("44", &[("Bru Vân Kiều", 90)]),
    ("45", &[("Bru Vân Kiều", 65), ("Tà Ôi", 35)]),
    ("46", &[("Tà Ôi", 55), ("Cơ Tu", 25), ("Bru Vân Kiều", 20)]),
    ("48", &[("Cơ Tu", 90), ("Hoa", 10)]),
    ("49", &[("Cơ Tu", 40), ("Xơ Đăng", 30), ("Co", 15), ("Gié Triêng", 10)]),
    ("51", &[("Hrê", 70), ("Co", 18), ("Xơ Đăng", 12)]),
    ("52", &[("Ba Na", 55), ("Hrê", 25), ("Chăm", 20)]),
    ("54", &[("Ê Đê", 45), ("Chăm", 35), ("Ba Na", 20)]),
    ("56", &[("Raglay", 75), ("Ê Đê", 10), ("Cơ Ho", 10), ("Hoa", 5)]),
    ("58", &[("Chăm", 55), ("Raglay", 40), ("Cơ Ho", 3)]),
    ("60", &[("Chăm", 50), ("Raglay", 20), ("Cơ Ho", 15), ("Hoa", 15)]),
    // Central Highlands.
    ("62", &[("Xơ Đăng", 50), ("Ba Na", 30), ("Gié Triêng", 15)]),
    ("64", &[("Gia Rai", 65), ("Ba Na", 30), ("Tày", 2), ("Nùng", 2)]),
    ("66", &[("Ê Đê", 60), ("Mnông", 10), ("Tày", 10), ("Nùng", 10), ("Gia Rai", 5), ("Mông", 3)]),
    ("67", &[("Mnông", 35), ("Mạ", 12), ("Tày", 15), ("Nùng", 15), ("Mông", 12), ("Ê Đê", 8), ("Dao", 3)]),
    ("68", &[("Cơ Ho", 60), ("Mạ", 15), ("Tày", 8), ("Nùng", 8)]),
    // Southeast.
    ("70", &[("Xtiêng", 55), ("Khmer", 12), ("Nùng", 15), ("Tày", 8), ("Mạ", 5)]),
    ("72", &[("Khmer", 60), ("Hoa", 20), ("Chăm", 20)]),
    ("74", &[("Khmer", 35), ("Hoa", 35), ("Tày", 15), ("Nùng", 15)]),
    ("75", &[("Hoa", 45), ("Nùng", 20), ("Chơ Ro", 12), ("Tày", 10), ("Mạ", 8)]),
    ("77", &[("Chơ Ro", 45), ("Hoa", 45), ("Khmer", 5)]),
    ("79", &[("Hoa", 80), ("Khmer", 12), ("Chăm", 5)]),
    // Mekong Delta.
    ("89", &[("Khmer", 80), ("Chăm", 10), ("Hoa", 10)]),
    ("80", &[("Khmer", 55), ("Hoa", 45)]),
    ("82", &[("Khmer", 55), ("Hoa", 45)]),
    ("83", &[("Khmer", 55), ("Hoa", 45)]),
    ("86", &[("Khmer", 55), ("Hoa", 45)]),
    ("87", &[("Khmer", 55), ("Hoa", 45)]),
];

/// The minority-group table of each old province (its own, or its region's).
fn province_table(old_province: &str, region: Region) -> &'static [(u8, u32)] {
    type Tables = Vec<(&'static str, Vec<(u8, u32)>)>;
    static T: OnceLock<Tables> = OnceLock::new();
    let t = T.get_or_init(|| {
        EM_BY_PROVINCE.iter().map(|&(p, g)| (p, g.iter().map(|&(n, w)| (gi(n), w)).collect())).collect()
    });
    match t.iter().find(|(p, _)| *p == old_province) {
        Some((_, v)) => v,
        None => &em_tables()[region.index()],
    }
}

/// Draws the group of an ethnic-minority person in `region`, from the table of the old
/// province `old_province` where there is one.
pub(crate) fn minority_group(region: Region, old_province: &str, rng: &mut Rng) -> u8 {
    rng.weighted(province_table(old_province, region))
}

// ---------------------------------------------------------------------------------------
// Name tables.

/// Marker entries resolved by region: Hoàng/Huỳnh and Vũ/Võ.
const HOANG_HUYNH: &str = "#HH";
const VU_VO: &str = "#VV";

/// Kinh surnames with weights per 10,000 (brief; Hoàng/Huỳnh and Vũ/Võ split by region).
const KINH_SURNAMES: &[(&str, u32)] = &[
    ("Nguyễn", 3800),
    ("Trần", 1100),
    ("Lê", 950),
    ("Phạm", 700),
    (HOANG_HUYNH, 500),
    ("Phan", 450),
    (VU_VO, 390),
    ("Đặng", 210),
    ("Bùi", 200),
    ("Đỗ", 140),
    ("Hồ", 130),
    ("Ngô", 130),
    ("Dương", 100),
    ("Lý", 50),
    ("Đinh", 60),
    ("Trịnh", 50),
    ("Đoàn", 50),
    ("Trương", 50),
    ("Lương", 40),
    ("Mai", 40),
    ("Lâm", 40),
    ("Đào", 40),
    ("Cao", 35),
    ("Hà", 35),
    ("Tạ", 25),
    ("Châu", 25),
    ("Lưu", 25),
    ("Phùng", 25),
    ("Tô", 20),
    ("Vương", 15),
    ("Thái", 15),
    ("Kiều", 15),
    ("Quách", 10),
    ("Chu", 10),
    ("Tăng", 10),
    ("La", 10),
    ("Lại", 10),
    ("Triệu", 10),
    ("Thân", 10),
    ("Nghiêm", 8),
    ("Khổng", 5),
    ("Mạc", 5),
    ("Doãn", 5),
    ("Diệp", 5),
];

const KINH_MALE_MIDDLE_OLD: &[(&str, u32)] =
    &[("Văn", 60), ("Đức", 8), ("Hữu", 8), ("Đình", 6), ("Công", 5), ("Quang", 5), ("Xuân", 4), ("Ngọc", 4)];
const KINH_MALE_MIDDLE_YOUNG: &[(&str, u32)] = &[
    ("Văn", 25),
    ("Minh", 12),
    ("Đức", 10),
    ("Quang", 8),
    ("Gia", 8),
    ("Quốc", 8),
    ("Hữu", 6),
    ("Thanh", 6),
    ("Hoàng", 6),
    ("Công", 4),
    ("Tuấn", 4),
    ("Xuân", 3),
];
const KINH_FEMALE_MIDDLE_OLD: &[(&str, u32)] = &[("Thị", 90), ("Ngọc", 4), ("Thu", 3), ("Kim", 3)];
const KINH_FEMALE_MIDDLE_YOUNG: &[(&str, u32)] = &[
    ("Thị", 35),
    ("Ngọc", 12),
    ("Thu", 8),
    ("Thanh", 6),
    ("Minh", 6),
    ("Bảo", 6),
    ("Thùy", 6),
    ("Khánh", 5),
    ("Phương", 5),
    ("Mỹ", 5),
    ("Hoài", 3),
    ("Kim", 3),
];

const KINH_MALE_GIVEN: &[&str] = &[
    "An",
    "Anh",
    "Bảo",
    "Bình",
    "Cường",
    "Chiến",
    "Công",
    "Dũng",
    "Duy",
    "Dương",
    "Đạt",
    "Đông",
    "Đức",
    "Giang",
    "Hải",
    "Hào",
    "Hậu",
    "Hiếu",
    "Hòa",
    "Hoàng",
    "Hùng",
    "Huy",
    "Hưng",
    "Khang",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Lộc",
    "Long",
    "Luân",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nhân",
    "Phong",
    "Phú",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thịnh",
    "Tiến",
    "Toàn",
    "Trung",
    "Trường",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
];
const KINH_FEMALE_GIVEN: &[&str] = &[
    "An", "Anh", "Ánh", "Bích", "Chi", "Cúc", "Dung", "Duyên", "Giang", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hồng",
    "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Lụa", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Nhi",
    "Oanh", "Phương", "Quyên", "Quỳnh", "Sen", "Tâm", "Thảo", "Thoa", "Thu", "Thủy", "Thúy", "Trang", "Trinh", "Tuyết",
    "Uyên", "Vân", "Xuân", "Yến",
];

const MONG_SURNAMES: &[&str] =
    &["Giàng", "Vàng", "Sùng", "Thào", "Lý", "Hầu", "Mùa", "Lầu", "Hờ", "Vừ", "Má", "Cứ", "Tráng", "Chang"];
const MONG_MALE_MIDDLE: &[(&str, u32)] = &[("A", 55), ("Mí", 15), ("Seo", 15), ("Văn", 15)];
const MONG_MALE_GIVEN: &[&str] = &[
    "Páo", "Dình", "Chư", "Sử", "Lử", "Tủa", "Pó", "Chả", "Vừ", "Dế", "Súa", "Tráng", "Sính", "Nủ", "Chá", "Lềnh",
    "Dùng", "Pùa", "Chinh", "Mang",
];
const MONG_FEMALE_GIVEN: &[&str] = &[
    "Mai", "Dợ", "Máy", "Pà", "Dua", "Mỷ", "Sy", "Chò", "Dính", "Ký", "Xúa", "Mỉ", "Say", "Chở", "Lan", "Cở", "Di",
    "Sua",
];

const THAI_SURNAMES: &[&str] =
    &["Lò", "Cầm", "Lường", "Quàng", "Tòng", "Vì", "Lù", "Điêu", "Sầm", "Bạc", "Hà", "Lộc", "Vi", "Lữ"];
const THAI_MALE_GIVEN: &[&str] = &[
    "Ún", "Pánh", "Xuân", "Thoan", "Phỏng", "Inh", "Kiên", "Hặc", "Thanh", "Chung", "Khăm", "Phanh", "Cường", "Toán",
    "Nọi", "Bun", "Ươi", "Hoan",
];
const THAI_FEMALE_GIVEN: &[&str] = &[
    "Ính", "Thoa", "Ngọc", "Phương", "Hoa", "Lả", "Ơn", "Xuân", "Thanh", "Ánh", "Bun", "Hoan", "Ngoan", "Khọn", "Kim",
    "Lai", "Pọm",
];

const TAY_NUNG_SURNAMES: &[&str] = &[
    "Hoàng", "Nông", "Lộc", "Ma", "Hà", "Lương", "Triệu", "Bế", "Hứa", "Lục", "Chu", "Đàm", "Vi", "Lăng", "Mã",
    "Hoàng", "Nông", "Hoàng",
];
const MUONG_SURNAMES: &[&str] = &["Bùi", "Đinh", "Quách", "Hà", "Xa", "Cao", "Bạch", "Bùi", "Đinh", "Bùi"];
const DAO_SURNAMES: &[&str] =
    &["Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phàn", "Tẩn", "Lò", "Sần", "Dương", "Triệu", "Bàn"];
const DAO_MALE_MIDDLE: &[(&str, u32)] = &[("Văn", 40), ("Tài", 25), ("Quý", 15), ("Phúc", 10), ("Tiến", 10)];
const DAO_MALE_GIVEN: &[&str] =
    &["Phin", "Lử", "Chàn", "Kiềm", "Vần", "Sinh", "Quẩy", "Hin", "Tòn", "Phấy", "Sếnh", "Chiêu", "Lở", "Dào"];
const DAO_FEMALE_GIVEN: &[&str] = &["Mẩy", "Xuân", "Mây", "Lai", "Mùi", "Nhất", "Phây", "Dín", "Sinh", "Hoa", "Chài"];

const EDE_CLANS: &[&str] = &[
    "Niê",
    "Êban",
    "Mlô",
    "Byă",
    "Ksơr",
    "Adrơng",
    "Buôn Yă",
    "Hwing",
    "Knul",
    "Kbuôr",
    "Ayŭn",
    "Êñuôl",
    "Niê",
    "Êban",
];
const EDE_MALE_GIVEN: &[&str] = &[
    "Bih", "Sơn", "Thuôn", "Khăm", "Blin", "Nuê", "Jŭ", "Kô", "Ni", "Wơn", "Dhăm", "Jôn", "Bhim", "Duy", "Phin", "Thu",
    "Blô",
];
const EDE_FEMALE_GIVEN: &[&str] =
    &["Hen", "Nhi", "Bia", "Linh", "Ngơn", "Dung", "Rin", "Ly", "Xuân", "Nga", "Bluêt", "Drim", "Hơ", "Juên", "Mai"];

const JRAI_CLANS: &[&str] =
    &["Ksor", "Rơ Châm", "Siu", "Rơ Mah", "Nay", "Kpă", "Rah Lan", "Puih", "Rơ Ô", "Rcom", "Ksor", "Siu"];
const JRAI_MALE_GIVEN: &[&str] = &[
    "Phước", "Hlach", "Blơ", "Thuyên", "Đinh", "Yul", "Bơn", "Hyai", "Nhoan", "Kbưh", "Jen", "Blang", "Thiêng", "Đoan",
    "Nhuin",
];
const JRAI_FEMALE_GIVEN: &[&str] =
    &["Blong", "Ngúi", "Nhi", "Phơn", "Lin", "Yơn", "Hmi", "Ang", "Nguyên", "Ly", "Bia", "Lươn", "Hên"];

const BAHNAR_MALE_GIVEN: &[&str] =
    &["Thút", "Sanh", "Blơ", "Hùng", "Nhiên", "Đeo", "Kiên", "Thiết", "Rưng", "Khoa", "Brưng", "Pếp", "Đăm", "Lớ"];
const BAHNAR_FEMALE_GIVEN: &[&str] =
    &["Hiên", "Bla", "Nhi", "Hơ", "Lan", "Đin", "Ngọc", "Thuy", "Blưm", "Nga", "Hoa", "Mlưn", "Đơ"];

const KOHO_MALE_GIVEN: &[&str] =
    &["Brăn", "Điều", "Sơn", "Bròh", "Tiếp", "Dũng", "Krơ", "Tuyn", "Ha", "Đin", "Sang", "Bờ", "Lợi"];
const KOHO_FEMALE_GIVEN: &[&str] =
    &["Huyền", "Liên", "Dung", "Hoa", "Thúy", "Hạnh", "Bích", "Nhi", "Sương", "Đẹp", "Blin", "Hương"];

const DIEU_MALE_GIVEN: &[&str] =
    &["Xiêng", "Lâm", "Điều", "K'Ré", "Minh", "Bình", "Bơ", "Siêng", "Thoi", "Lên", "Dênh", "Brôl", "Lực"];
const DIEU_FEMALE_GIVEN: &[&str] =
    &["Blanh", "Thu", "Bình", "Hiên", "Lý", "Mai", "Nhung", "Rinh", "Lai", "Thêm", "Hương", "Bơ Rơi"];

const KHMER_SURNAMES: &[(&str, u32)] = &[
    ("Thạch", 25),
    ("Danh", 20),
    ("Sơn", 15),
    ("Kim", 10),
    ("Lâm", 6),
    ("Lý", 5),
    ("Châu", 4),
    ("Kiên", 3),
    ("Trà", 2),
    ("Chau", 10),
];
const KHMER_MALE_GIVEN: &[&str] = &[
    "Sô Phát",
    "Rết",
    "Sóc",
    "Phương",
    "Sa Rin",
    "Ny",
    "Sa Mây",
    "Tha",
    "Rê",
    "Sa Ron",
    "Sóc Kha",
    "Út",
    "Pho",
    "Sang",
    "Đa Ra",
    "Sóc Khên",
    "Sa Ret",
    "Mến",
];
const KHMER_FEMALE_GIVEN: &[&str] = &[
    "Sa Phiên",
    "Sa Rươne",
    "Mai",
    "Sô Phi",
    "Kim Hương",
    "Ngọc",
    "Bô Pha",
    "Sa Vên",
    "Sốc",
    "Đa Ni",
    "Sa Rây",
    "Chanh Thu",
    "Hoa",
    "Sóc Nê",
];

const HOA_SURNAMES: &[&str] = &[
    "Lâm", "Quách", "Hứa", "Mã", "Lương", "Trương", "Dương", "Tăng", "Diệp", "Lưu", "Lý", "Trần", "Huỳnh", "Thái",
    "Hồng", "Tạ", "Vương", "Lâm", "Trần", "Lý",
];
const HOA_MALE_MIDDLE: &[(&str, u32)] =
    &[("Văn", 30), ("Vĩnh", 15), ("Quốc", 15), ("Gia", 15), ("Kiến", 10), ("Minh", 15)];
const HOA_FEMALE_MIDDLE: &[(&str, u32)] =
    &[("Thị", 30), ("Tú", 15), ("Mỹ", 15), ("Cẩm", 15), ("Ngọc", 15), ("Huệ", 10)];

const CHAM_SURNAMES: &[&str] =
    &["Đàng", "Thuận", "Thiên", "Thập", "Quảng", "Lưu", "Hán", "Châu", "Bá", "Trượng", "Đạt", "Kiều"];
const CHAM_MALE_MIDDLE: &[(&str, u32)] = &[("Văn", 60), ("Năng", 20), ("Ngọc", 10), ("Minh", 10)];
const CHAM_ISLAM_MALE: &[&str] =
    &["Ha San", "Mu Sa", "Ka Rim", "Sa Ly", "Ys Mail", "Ab Đul", "Mo Ha Mad", "Sô Lây Man", "Y Sa", "Ha Ly"];
const CHAM_ISLAM_FEMALE: &[&str] =
    &["Fa Ti Ma", "Sa Phi Ah", "Ma Ri Dah", "Ro Ky Ah", "Ha Va", "Ai Sah", "Za Ky Ah", "Sa Ly Ma", "Ha Li Mah"];

const COTU_SURNAMES: &[&str] =
    &["Alăng", "Bhling", "Zơrâm", "Clâu", "Hồ", "Bríu", "Pơloong", "Coor", "Ating", "Arất", "Tơngol", "Hồ"];
const HRE_SURNAMES: &[&str] = &["Đinh", "Đinh", "Đinh", "Đinh", "Phạm", "Phạm", "Hồ", "Nguyễn"];
const RAGLAY_SURNAMES: &[&str] = &["Chamaléa", "Katơr", "Pi Năng", "Mấu", "Bo Bo", "Ma Lé", "Chamaléa", "Katơr"];
const BRU_SURNAMES: &[&str] = &["Hồ", "Hồ", "Hồ", "Hồ", "Hồ", "Lê", "Pả", "Kray", "Căn", "Nguyễn"];
const SAN_DIU_SURNAMES: &[&str] =
    &["Diệp", "Trương", "Lưu", "Tạ", "Lý", "Đàm", "Phương", "Ninh", "Lam", "La", "Hoàng", "Diệp", "Trương"];

/// Văn/Thị with a little variety, for groups that use Vietnamese middle names.
const PLAIN_MALE_MIDDLE: &[(&str, u32)] = &[("Văn", 85), ("Đức", 5), ("Minh", 5), ("Xuân", 5)];
const PLAIN_FEMALE_MIDDLE: &[(&str, u32)] = &[("Thị", 92), ("Ngọc", 4), ("Thu", 4)];

/// The family name (surname or clan) a new lineage starts with. Empty for groups whose
/// names carry none.
pub(crate) fn family(style: Style, region: Region, rng: &mut Rng) -> &'static str {
    match style {
        Style::Kinh => {
            let s = rng.weighted(KINH_SURNAMES);
            let south = match region {
                Region::NorthernMidlandsMountains | Region::RedRiverDelta => (0.1, 0.1),
                Region::NorthCentralCentralCoast => (0.5, 0.7),
                Region::CentralHighlands => (0.6, 0.6),
                Region::Southeast | Region::MekongDelta => (0.9, 0.9),
            };
            if s == HOANG_HUYNH {
                if rng.chance(south.0) { "Huỳnh" } else { "Hoàng" }
            } else if s == VU_VO {
                if rng.chance(south.1) { "Võ" } else { "Vũ" }
            } else {
                s
            }
        }
        Style::Mong => rng.pick(MONG_SURNAMES),
        Style::Thai => rng.pick(THAI_SURNAMES),
        Style::TayNung => rng.pick(TAY_NUNG_SURNAMES),
        Style::Muong => rng.pick(MUONG_SURNAMES),
        Style::Dao => rng.pick(DAO_SURNAMES),
        Style::Ede => rng.pick(EDE_CLANS),
        Style::Jrai => rng.pick(JRAI_CLANS),
        // Ba Na and Xơ Đăng in Gia Lai often carry the surname Đinh; in Kon Tum none.
        Style::Bahnar => {
            if rng.chance(0.35) {
                "Đinh"
            } else {
                ""
            }
        }
        Style::Koho | Style::Dieu => "",
        Style::Khmer => rng.weighted(KHMER_SURNAMES),
        Style::Hoa => rng.pick(HOA_SURNAMES),
        Style::Cham => {
            if region == Region::MekongDelta {
                ""
            } else {
                rng.pick(CHAM_SURNAMES)
            }
        }
        Style::CoTu => rng.pick(COTU_SURNAMES),
        Style::Hre => rng.pick(HRE_SURNAMES),
        Style::Raglay => rng.pick(RAGLAY_SURNAMES),
        Style::Bru => rng.pick(BRU_SURNAMES),
        Style::SanDiu => rng.pick(SAN_DIU_SURNAMES),
    }
}

fn push3(out: &mut String, a: &str, b: &str, c: &str) {
    for (i, part) in [a, b, c].into_iter().filter(|p| !p.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(part);
    }
}

/// Writes a full name into `out` (cleared first).
pub(crate) fn full_name(out: &mut String, style: Style, sex: Sex, birth_year: i32, family: &str, rng: &mut Rng) {
    out.clear();
    let male = sex == Sex::Male;
    let kinh_given =
        |rng: &mut Rng| -> &'static str { if male { rng.pick(KINH_MALE_GIVEN) } else { rng.pick(KINH_FEMALE_GIVEN) } };
    let plain_middle = |rng: &mut Rng| -> &'static str {
        if male { rng.weighted(PLAIN_MALE_MIDDLE) } else { rng.weighted(PLAIN_FEMALE_MIDDLE) }
    };
    match style {
        Style::Kinh => {
            let middle = match (male, birth_year < 1985) {
                (true, true) => rng.weighted(KINH_MALE_MIDDLE_OLD),
                (true, false) => rng.weighted(KINH_MALE_MIDDLE_YOUNG),
                (false, true) => rng.weighted(KINH_FEMALE_MIDDLE_OLD),
                (false, false) => rng.weighted(KINH_FEMALE_MIDDLE_YOUNG),
            };
            let given = kinh_given(rng);
            push3(out, family, middle, given);
        }
        Style::Mong => {
            let (middle, given) = if male {
                (rng.weighted(MONG_MALE_MIDDLE), rng.pick(MONG_MALE_GIVEN))
            } else {
                ("Thị", rng.pick(MONG_FEMALE_GIVEN))
            };
            push3(out, family, middle, given);
        }
        Style::Thai => {
            let given = if male { rng.pick(THAI_MALE_GIVEN) } else { rng.pick(THAI_FEMALE_GIVEN) };
            push3(out, family, if male { "Văn" } else { "Thị" }, given);
        }
        Style::Dao => {
            let (middle, given) = if male {
                (rng.weighted(DAO_MALE_MIDDLE), rng.pick(DAO_MALE_GIVEN))
            } else {
                ("Thị", rng.pick(DAO_FEMALE_GIVEN))
            };
            push3(out, family, middle, given);
        }
        Style::Ede => {
            if male {
                out.push_str("Y ");
                out.push_str(rng.pick(EDE_MALE_GIVEN));
            } else {
                out.push_str("H'");
                out.push_str(rng.pick(EDE_FEMALE_GIVEN));
            }
            if !family.is_empty() {
                out.push(' ');
                out.push_str(family);
            }
        }
        Style::Jrai => {
            out.push_str(family);
            if !out.is_empty() {
                out.push(' ');
            }
            if male {
                out.push_str(rng.pick(JRAI_MALE_GIVEN));
            } else {
                out.push_str("H'");
                out.push_str(rng.pick(JRAI_FEMALE_GIVEN));
            }
        }
        Style::Bahnar => {
            let given = if male { rng.pick(BAHNAR_MALE_GIVEN) } else { rng.pick(BAHNAR_FEMALE_GIVEN) };
            if family.is_empty() {
                push3(out, if male { "A" } else { "Y" }, "", given);
            } else {
                push3(out, family, if male { "Văn" } else { "Thị" }, given);
            }
        }
        Style::Koho => {
            if male {
                out.push_str("K'");
                out.push_str(rng.pick(KOHO_MALE_GIVEN));
            } else {
                out.push_str("Ka ");
                out.push_str(rng.pick(KOHO_FEMALE_GIVEN));
            }
        }
        Style::Dieu => {
            let given = if male { rng.pick(DIEU_MALE_GIVEN) } else { rng.pick(DIEU_FEMALE_GIVEN) };
            push3(out, if male { "Điểu" } else { "Thị" }, "", given);
        }
        Style::Khmer => {
            let given = if male { rng.pick(KHMER_MALE_GIVEN) } else { rng.pick(KHMER_FEMALE_GIVEN) };
            if family == "Chau" {
                push3(out, if male { "Chau" } else { "Néang" }, "", given);
            } else {
                push3(out, family, if male { "" } else { "Thị" }, given);
            }
        }
        Style::Hoa => {
            let middle = if male { rng.weighted(HOA_MALE_MIDDLE) } else { rng.weighted(HOA_FEMALE_MIDDLE) };
            let given = kinh_given(rng);
            push3(out, family, middle, given);
        }
        Style::Cham if family.is_empty() => {
            let own = if male { rng.pick(CHAM_ISLAM_MALE) } else { rng.pick(CHAM_ISLAM_FEMALE) };
            let second = rng.pick(CHAM_ISLAM_MALE);
            push3(out, own, second, "");
        }
        Style::Cham => {
            let middle = if male { rng.weighted(CHAM_MALE_MIDDLE) } else { "Thị" };
            let given = kinh_given(rng);
            push3(out, family, middle, given);
        }
        Style::TayNung | Style::Muong | Style::CoTu | Style::Hre | Style::Raglay | Style::Bru | Style::SanDiu => {
            let middle = plain_middle(rng);
            let given = kinh_given(rng);
            push3(out, family, middle, given);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Villages.

const BAN_NAMES: &[&str] = &[
    "Nà Phặc",
    "Nà Hin",
    "Nà Khương",
    "Huổi Lếch",
    "Pá Khôm",
    "Nậm Cang",
    "Phiêng Luông",
    "Co Muông",
    "Khau Vai",
    "Tả Phìn",
    "Sín Chải",
    "Lũng Phìn",
    "Nà Sang",
    "Huổi Só",
    "Hua Pàu",
    "Nậm Pồ",
    "Bó Mạ",
    "Pác Ngòi",
    "Nà Tăm",
    "Lùng Cúng",
    "Phiêng Pằn",
    "Nà Lừa",
    "Mường Cang",
    "Nặm Ún",
    "Co Líu",
    "Pá Hốc",
    "Tà Số",
    "Hát Lót",
    "Kéo Pựa",
    "Nà Ngần",
];
const BUON_NAMES: &[&str] = &[
    "Buôn Ako Dhông",
    "Buôn Trấp",
    "Buôn Kô Sia",
    "Buôn Đôn",
    "Buôn Tur",
    "Buôn Cuôr Knia",
    "Buôn Jun",
    "Buôn Ea Kmar",
    "Plei Ốp",
    "Plei Rơ Ngheo",
    "Làng Kon Klor",
    "Làng Đê Kjêng",
    "Plei Chuét",
    "Bon Bu Prăng",
    "Bon Ja Ráh",
    "Làng Kon Hring",
    "Plei Tơ Nghia",
];
const AP_NAMES: &[&str] = &[
    "Bình Hòa",
    "Tân Thành",
    "Phú Lợi",
    "Mỹ Phước",
    "Long Hưng",
    "Thạnh Lợi",
    "Hòa Thuận",
    "An Phú",
    "Tân Hiệp",
    "Phước Long",
    "Trà Cú",
    "Sóc Xoài",
    "Phnôm Pi",
    "Kinh Xáng",
    "Vĩnh Lợi",
    "Hưng Thạnh",
    "Tân Lập",
    "Cầu Đình",
    "Rạch Gốc",
    "Bưng Cốc",
];
const THON_NAMES: &[&str] = &[
    "Đông",
    "Đoài",
    "Thượng",
    "Hạ",
    "Trung",
    "Nam",
    "Bắc",
    "Đông Thượng",
    "Yên Xá",
    "Phú Mỹ",
    "Thái Hòa",
    "Tân Lập",
    "An Lạc",
    "Phúc Lâm",
    "Xuân Đài",
    "Đồng Tâm",
    "Hòa Bình",
    "Quyết Tiến",
    "Thanh Xuân",
    "Phú Thứ",
];

/// The name of village `i` (1-based) of a commune.
pub(crate) fn village_name(region: Region, urban: bool, i: u32, rng: &mut Rng) -> String {
    if urban {
        return match region {
            Region::Southeast | Region::MekongDelta => format!("Khu phố {i}"),
            _ => format!("Tổ dân phố {i}"),
        };
    }
    let u = rng.unit();
    match region {
        Region::NorthernMidlandsMountains => {
            if u < 0.45 {
                format!("Bản {}", rng.pick(BAN_NAMES))
            } else if u < 0.9 {
                format!("Thôn {i}")
            } else {
                format!("Xóm {}", rng.pick(THON_NAMES))
            }
        }
        Region::CentralHighlands => {
            if u < 0.35 {
                rng.pick(BUON_NAMES).to_string()
            } else {
                format!("Thôn {i}")
            }
        }
        Region::Southeast | Region::MekongDelta => {
            if u < 0.6 {
                format!("Ấp {}", rng.pick(AP_NAMES))
            } else {
                format!("Ấp {i}")
            }
        }
        Region::RedRiverDelta | Region::NorthCentralCentralCoast => {
            if u < 0.4 {
                format!("Thôn {}", rng.pick(THON_NAMES))
            } else if u < 0.6 {
                format!("Xóm {i}")
            } else {
                format!("Thôn {i}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vuonlen_core::text::nfc;

    #[test]
    fn groups_resolve() {
        assert_eq!(groups()[KINH as usize].ethnicity, Ethnicity::KINH);
        assert!(groups().iter().skip(1).all(|g| g.ethnicity.is_minority()));
        for t in em_tables() {
            assert!(t.iter().all(|&(g, _)| g != KINH));
        }
        for (p, _) in EM_BY_PROVINCE {
            let r = Region::of_old_province(p).expect("listed provinces are 2024 provinces");
            assert!(province_table(p, r).iter().all(|&(g, _)| g != KINH));
            assert!(!std::ptr::eq(province_table(p, r), em_tables()[r.index()].as_slice()));
        }
    }

    #[test]
    fn names_are_nfc_and_well_formed() {
        let mut rng = Rng::stream(3, 3, 3);
        let mut s = String::new();
        for (gi, g) in groups().iter().enumerate() {
            for r in Region::ALL {
                for sex in [Sex::Male, Sex::Female] {
                    for _ in 0..50 {
                        let fam = family(g.style, r, &mut rng);
                        full_name(&mut s, g.style, sex, 1970 + gi as i32, fam, &mut rng);
                        assert_eq!(nfc(&s), s.as_str());
                        assert!(
                            !s.is_empty() && !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  "),
                            "{s:?}"
                        );
                        // Two words at least, except Cơ Ho / Mạ men (K'Brăn).
                        assert!(s.split(' ').count() >= 2 || s.starts_with("K'"), "{s:?}");
                    }
                }
            }
        }
        for table in [KINH_MALE_GIVEN, KINH_FEMALE_GIVEN, BAN_NAMES, BUON_NAMES, AP_NAMES, EDE_CLANS, KHMER_MALE_GIVEN]
        {
            for n in table {
                assert_eq!(nfc(n), *n);
            }
        }
    }
}
